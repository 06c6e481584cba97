/** Residual add on the MAC engine: per element two products, m1·(a − z_a) and m2·(b − z_b), one shared shift. */
import type { EngineBinding } from '../../engines/index.js';
import { affine, B_M1_M2, PORT0, PORT1 } from '../../engines/mac/index.js';
import { twoTerms } from '../_shared/mac.js';
import type { RowsCols } from '../_shared/rules.js';
import type { KindNode } from '../types.js';
import type { AddParams } from './semantics.js';

export const hardware: EngineBinding<KindNode<'add', RowsCols>, AddParams> = {
  engine: 'mac',
  plan: ({ dims: d }) => ({
    loops: [d.rows * d.cols],
    terms: 2,
    ports: [affine([1]), affine([1])],
    roms: {},
    a: [PORT0, PORT1],
    b: B_M1_M2,
    scale: false,
  }),
  constants: (_node, p) => twoTerms(p),
};
