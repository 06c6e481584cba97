/**
 * Attention matmuls. `scores`: q [L, d] · k [L, d]ᵀ per head → [heads, L, L]; `context`: a [heads, L, L] ·
 * v [L, d] per head → [L, d], heads concatenated along columns.
 */
import type { MatmulMode } from '../../dsl/index.js';
import { inBits, M, macWidths, noMemories } from '../_shared/rules.js';
import type { KindRules } from '../types.js';

export interface MatmulDims {
  readonly mode: MatmulMode;
  readonly heads: number;
  /** Output rows per head. */
  readonly rows: number;
  /** Output columns per head. */
  readonly cols: number;
  /** Length of each dot product. */
  readonly inner: number;
}

export const rules: KindRules<'matmul', MatmulDims> = {
  settings: ['outputBits', 'buffer', 'multiplier'],
  describe: 'multiplies two activations and has no weights',
  dims: (spec, inputs) => {
    const dHead = inputs[1]!.shape[1]! / spec.heads;
    return spec.mode === 'scores'
      ? { mode: 'scores', heads: spec.heads, rows: spec.shape[1]!, cols: spec.shape[2]!, inner: dHead }
      : { mode: 'context', heads: spec.heads, rows: spec.shape[0]!, cols: dHead, inner: inputs[0]!.shape[2]! };
  },
  widths: (d, inputs) => {
    const { weight: _operandB, ...rest } = macWidths(inBits(inputs, 0), inBits(inputs, 1), d.inner, false);
    return rest;
  },
  memories: noMemories,
  multiplier: (_d, w, inputs) => ({ aBits: Math.max(inBits(inputs, 0) + 1, w.acc!), bBits: Math.max(inBits(inputs, 1) + 1, M) }),
};
