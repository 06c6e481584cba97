/**
 * Attention matmul: like a linear layer whose second operand is a buffer instead of a ROM. `scores` strides
 * both operands by rows (A·Bᵀ), `context` strides the second by columns (A·B); each head reads its column slice.
 */
import type { LayerNode } from '../../ir/types.js';
import { controller, counter } from '../primitives.js';
import { accumulator, type KindEstimator, memories, planCycles, requantizer, sharedMultiplier, zeroPointSubtract } from './_shared.js';

function dims(node: LayerNode) {
  if (node.dims.kind !== 'matmul') throw new Error(`not a matmul layer: ${node.path}`);
  return node.dims;
}

export const matmul: KindEstimator = {
  parts: (node) => {
    const d = dims(node);
    return [
      ...memories(node),
      controller(5),
      counter('head', d.heads),
      counter('row', d.rows),
      counter('column', d.cols),
      counter('inner', d.inner),
      counter('operand a address', node.inputs[0]!.elements),
      counter('operand b address', node.inputs[1]!.elements),
      counter('output address', node.output.elements),
      ...zeroPointSubtract(node),
      ...sharedMultiplier(node),
      ...accumulator(node.widths.acc!),
      ...requantizer(node),
    ];
  },
  cycles: planCycles,
};
