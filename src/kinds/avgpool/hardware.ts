/** Average pooling on the MAC engine: per column, accumulate `window` values, then one requantization. */
import type { EngineBinding } from '../../engines/index.js';
import { affine, A_PORT0, B_ONE } from '../../engines/mac/index.js';
import { scaled } from '../_shared/mac.js';
import type { KindNode } from '../types.js';
import type { AvgpoolDims } from './rules.js';
import type { AvgpoolParams } from './semantics.js';

export const hardware: EngineBinding<KindNode<'avgpool', AvgpoolDims>, AvgpoolParams> = {
  engine: 'mac',
  plan: ({ dims: d }) => ({ loops: [d.cols], terms: d.window, ports: [affine([1], d.cols)], roms: {}, a: A_PORT0, b: B_ONE, scale: true }),
  constants: (_node, p) => scaled(p.mult),
};
