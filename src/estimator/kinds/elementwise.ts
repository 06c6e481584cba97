/**
 * Element-wise layers with a requantization per operand: residual add (two activations) and positional
 * encoding (an activation plus a table). Per element: read both operands, two products on the shared
 * multiplier (one per operand, common shift), round/saturate, write.
 */
import { type KindEstimator, planCycles } from './_shared.js';
import { macParts } from './_mac.js';

const cycles = planCycles;

export const add: KindEstimator = { parts: macParts, cycles };
export const posenc: KindEstimator = { parts: macParts, cycles };
