/**
 * Row-wise softmax over the last axis. Its only parameter memory is the exponential table; its accumulator is
 * the unsigned row sum S of the table entries.
 */
import { noMultiplier, type RowsCols } from '../_shared/rules.js';
import type { KindRules } from '../types.js';

/**
 * Fraction bits of the exponential table, E[k] = round(2^f · e^(−s·k)): at least 16, and 4 more than the output
 * width so the table's resolution stays well below one output step. Entries are f + 1 bits (E[0] = 2^f).
 */
export function softmaxExpFractionBits(outputBits: number): number {
  return Math.max(16, outputBits + 4);
}

/** Unsigned width of the row sum S = Σ E[k_j] ≤ cols · 2^f. */
export function softmaxSumBits(cols: number, outputBits: number): number {
  return Math.max(1, Math.ceil(Math.log2(cols * 2 ** softmaxExpFractionBits(outputBits) + 1)));
}

export const rules: KindRules<'softmax', RowsCols> = {
  settings: ['outputBits', 'buffer', 'weightStorage'],
  describe: 'is a softmax (its only memory is the exponential table)',
  dims: (spec) => ({ rows: spec.shape.slice(0, -1).reduce((a, b) => a * b, 1), cols: spec.shape[spec.shape.length - 1]! }),
  widths: (d, _inputs, _weightBits, outputBits) => ({ acc: softmaxSumBits(d.cols, outputBits) }),
  memories: (_d, _w, inputs, outputBits) => [{ role: 'table', depth: 2 ** inputs[0]!.bits, width: softmaxExpFractionBits(outputBits) + 1 }],
  multiplier: noMultiplier,
};
