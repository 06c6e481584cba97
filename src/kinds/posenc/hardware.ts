/** Positional encoding on the MAC engine: per element two products, m1·(x − z_x) and m2·(t − z_t). */
import type { EngineBinding } from '../../engines/index.js';
import { affine, B_M1_M2, PORT0, TABLE } from '../../engines/mac/index.js';
import { rom, twoTerms } from '../_shared/mac.js';
import type { RowsCols } from '../_shared/rules.js';
import type { KindNode } from '../types.js';
import type { PosencParams } from './semantics.js';

export const hardware: EngineBinding<KindNode<'posenc', RowsCols>, PosencParams> = {
  engine: 'mac',
  plan: ({ dims: d }) => ({
    loops: [d.rows * d.cols],
    terms: 2,
    ports: [affine([1])],
    roms: { table: affine([1]) },
    a: [PORT0, TABLE],
    b: B_M1_M2,
    scale: false,
  }),
  constants: (_node, p) => twoTerms(p, { table: rom(p.table, p.tableZero) }),
};
