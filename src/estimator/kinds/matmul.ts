/**
 * Attention matmul: like a linear layer whose second operand is a buffer instead of a ROM. `scores` strides
 * both operands by rows (A·Bᵀ), `context` strides the second by columns (A·B); each head reads its column slice.
 */
import { type KindEstimator, planCycles } from './_shared.js';
import { macParts } from './_mac.js';

export const matmul: KindEstimator = {
  parts: macParts,
  cycles: planCycles,
};
