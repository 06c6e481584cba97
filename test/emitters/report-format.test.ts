/** Number formatting of the console table, markdown report and deltas. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatCount } from '../../src/emitters/report.js';

describe('formatCount', () => {
  it('groups thousands exactly as toLocaleString("en-US") does', () => {
    for (const n of [0, 7, -7, 999, 1000, -1000, 37343, 131727, -1234567, 2 ** 40]) expect(formatCount(n)).toBe(n.toLocaleString('en-US'));
    // (-0 prints as 0, where toLocaleString writes -0.)
    fc.assert(fc.property(fc.maxSafeInteger(), (n) => {
      expect(formatCount(n)).toBe((n === 0 ? 0 : n).toLocaleString('en-US'));
    }), { numRuns: 500 });
    expect(formatCount(-0)).toBe('0');
  });
});
