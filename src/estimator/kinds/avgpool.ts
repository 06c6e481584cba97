/** Average pooling over time: per column, accumulate `window` values, then one requantization (1/L folded into m). */
import { type KindEstimator, planCycles } from './_shared.js';
import { macParts } from './_mac.js';

export const avgpool: KindEstimator = {
  parts: macParts,
  cycles: planCycles,
};
