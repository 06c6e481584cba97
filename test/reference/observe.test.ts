/**
 * The percentile observer picks its two ranks by selection: the result must be exactly what sorting all the
 * values and reading those ranks gives, for random, repeated, sorted and reversed data.
 */
import { describe, expect, it } from 'vitest';
import { observe } from '../../src/reference/quantize.js';

function bySort(values: Float64Array, percentile: number): { min: number; max: number } {
  const sorted = Float64Array.from(values).sort();
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.round((q / 100) * (sorted.length - 1))))]!;
  return { min: at(100 - percentile), max: at(percentile) };
}

describe('percentile observer', () => {
  it('equals the sorted ranks on 2,000 arrays of every shape', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const shapes = [(_: number) => random() - 0.5, (_: number) => Math.floor(random() * 4), (i: number) => i, (i: number) => -i * (i % 3), () => 1];
    for (let t = 0; t < 2000; t++) {
      const n = 1 + Math.floor(random() * 200);
      const values = Float64Array.from({ length: n }, (_, i) => shapes[t % shapes.length]!(i));
      const percentile = [99, 99.9, 90, 50, 100, 0.5][t % 6]!;
      expect(observe(values, { percentile }), `case ${t}`).toEqual(bySort(values, percentile));
    }
  });

  it('leaves the values it observes as they were', () => {
    const values = Float64Array.from([5, -3, 2, 9, 0]);
    observe(values, { percentile: 90 });
    expect([...values]).toEqual([5, -3, 2, 9, 0]);
  });
});
