/**
 * Linear: one multiply-accumulate per cycle. For each row and output: preload the bias, stream `in` products
 * (clocked reads, one-cycle latency), drain the pipeline, requantize on the shared multiplier, write.
 */
import type { LayerNode } from '../../ir/types.js';
import { adder, controller, counter } from '../primitives.js';
import { accumulator, type KindEstimator, memories, planCycles, requantizer, sharedMultiplier, zeroPointSubtract } from './_shared.js';

function dims(node: LayerNode) {
  if (node.dims.kind !== 'linear') throw new Error(`not a linear layer: ${node.path}`);
  return node.dims;
}

export const linear: KindEstimator = {
  parts: (node) => {
    const d = dims(node);
    return [
      ...memories(node),
      controller(5),
      counter('row', d.rows),
      counter('output', d.outFeatures),
      counter('input', d.inFeatures),
      counter('weight address', d.inFeatures * d.outFeatures),
      counter('input address', d.rows * d.inFeatures),
      counter('output address', d.rows * d.outFeatures),
      ...zeroPointSubtract(node),
      adder('weight zero point', node.widths.weight! + 1),
      ...sharedMultiplier(node),
      ...accumulator(node.widths.acc!),
      ...requantizer(node),
    ];
  },
  cycles: planCycles,
};
