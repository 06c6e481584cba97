/**
 * The sums of two scaled terms (add, positional encoding) share one rounding shift; a term more than 2^15 times
 * finer than the other rounds to m = 0 and is dropped rather than refused, so a model whose positional table is
 * all zeros (window 1, d_model 1: sin 0) builds (fuzz case 1240 of seed 43388156).
 */
import { describe, expect, it } from 'vitest';
import { sharedShift } from '../../src/kinds/_shared/semantics.js';
import { configSource, kiln, project } from '../helpers.js';

describe('shared shift of two terms', () => {
  it('keeps both factors to 16-bit precision, and drops a term finer than the rounding', () => {
    const { ms, shift } = sharedShift([0.75, 0.25], 'x');
    expect(ms.map((m) => m / 2 ** shift)).toEqual([0.75, 0.25]);
    const tiny = sharedShift([1, 2 ** -20], 'x');
    expect(tiny.ms[1]).toBe(0);
    expect(tiny.ms[0]! / 2 ** tiny.shift).toBe(1);
  });

  it('builds a model whose positional table is all zeros', async () => {
    const dir = project({ 'fpga.config.ts': configSource(`{ device: 'xc7s75', defaults: { weightBits: 3, outputBits: 5, multiplier: 'lut' }, model: transformer({ window: 1, inputFeatures: 5, dModel: 1, heads: 1, norm: 'layernorm' }) }`) });
    const r = await kiln(['build'], dir);
    expect(r.code, r.stderr).toBe(0);
  });
});
