/** ReLU is applied on the read path of its producer's buffer: max(x, z_x), one compare and a select. */
import { comparator, mux } from '../primitives.js';
import type { KindEstimator } from './_shared.js';

export const relu: KindEstimator = {
  parts: (node, s) => {
    comparator(s, 'relu', node.output.bits);
    mux(s, 'relu', 2, node.output.bits);
  },
  cycles: () => 0,
};
