/**
 * Element-wise layers with a requantization per operand: residual add (two activations) and positional
 * encoding (an activation plus a table). Per element: read both operands, two products on the shared
 * multiplier (one per operand, common shift), round/saturate, write.
 */
import type { LayerNode } from '../../ir/types.js';
import { adder, controller, counter } from '../primitives.js';
import { type KindEstimator, memories, planCycles, requantizer, sharedMultiplier, zeroPointSubtract } from './_shared.js';

function parts(node: LayerNode) {
  return [
    ...memories(node),
    controller(5),
    counter('element', node.output.elements),
    ...zeroPointSubtract(node),
    ...(node.kind === 'posenc' ? [adder('table zero point', node.widths.weight! + 1)] : []),
    ...sharedMultiplier(node),
    adder('sum of scaled operands', node.widths.acc!),
    ...requantizer(node),
  ];
}

const cycles = planCycles;

export const add: KindEstimator = { parts, cycles };
export const posenc: KindEstimator = { parts, cycles };
