/** Average pooling over time: per column, accumulate `window` values, then one requantization (1/L folded into m). */
import type { LayerNode } from '../../ir/types.js';
import { controller, counter } from '../primitives.js';
import { accumulator, type KindEstimator, memories, planCycles, requantizer, sharedMultiplier, zeroPointSubtract } from './_shared.js';

function d(node: LayerNode) {
  if (node.dims.kind !== 'avgpool') throw new Error(`not an avgpool layer: ${node.path}`);
  return node.dims;
}

export const avgpool: KindEstimator = {
  parts: (node) => [
    ...memories(node),
    controller(5),
    counter('column', d(node).cols),
    counter('time', d(node).window),
    counter('input address', node.inputs[0]!.elements),
    ...zeroPointSubtract(node),
    ...sharedMultiplier(node),
    ...accumulator(node.widths.acc!),
    ...requantizer(node),
  ],
  cycles: planCycles,
};
