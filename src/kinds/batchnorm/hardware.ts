/** Folded batch norm on the MAC engine: per element one product with its column's scale, bias preloaded. */
import type { EngineBinding } from '../../engines/index.js';
import { affine, A_PORT0, B_WEIGHTS, BIAS_FROM_LOOP1 } from '../../engines/mac/index.js';
import { rom, scaled } from '../_shared/mac.js';
import type { RowsCols } from '../_shared/rules.js';
import type { KindNode } from '../types.js';
import type { BatchnormParams } from './semantics.js';

export const hardware: EngineBinding<KindNode<'batchnorm', RowsCols>, BatchnormParams> = {
  engine: 'mac',
  plan: ({ dims: d }) => ({
    loops: [d.rows, d.cols],
    terms: 1,
    ports: [affine([d.cols, 1])],
    roms: { weights: affine([0, 1]) },
    bias: BIAS_FROM_LOOP1,
    a: A_PORT0,
    b: B_WEIGHTS,
    scale: true,
  }),
  constants: (_node, p) => scaled(p.mult, { weights: rom(p.weights, p.weightZero) }, p.bias),
};
