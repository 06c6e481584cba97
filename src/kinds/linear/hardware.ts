/** Linear on the MAC engine: for each row and output, stream the row against a weight row, bias preloaded. */
import type { EngineBinding } from '../../engines/index.js';
import { affine, A_PORT0, B_WEIGHTS, BIAS_FROM_LOOP1 } from '../../engines/mac/index.js';
import { rom, scaled } from '../_shared/mac.js';
import type { KindNode } from '../types.js';
import type { LinearDims } from './rules.js';
import type { LinearParams } from './semantics.js';

export const hardware: EngineBinding<KindNode<'linear', LinearDims>, LinearParams> = {
  engine: 'mac',
  plan: ({ dims: d }) => ({
    loops: [d.rows, d.outFeatures],
    terms: d.inFeatures,
    ports: [affine([d.inFeatures, 0], 1)],
    roms: { weights: affine([0, d.inFeatures], 1) },
    ...(d.bias ? { bias: BIAS_FROM_LOOP1 } : {}),
    a: A_PORT0,
    b: B_WEIGHTS,
    scale: true,
  }),
  constants: (_node, p) => scaled(p.mult, { weights: rom(p.weights, p.weightZero) }, p.bias),
};
