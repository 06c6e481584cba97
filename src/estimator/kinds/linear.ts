/**
 * Linear: one multiply-accumulate per cycle. For each row and output: preload the bias, stream `in` products
 * (clocked reads, one-cycle latency), drain the pipeline, requantize on the shared multiplier, write.
 */
import { type KindEstimator, planCycles } from './_shared.js';
import { macParts } from './_mac.js';

export const linear: KindEstimator = {
  parts: macParts,
  cycles: planCycles,
};
