/**
 * The integer softmax against float softmax over the whole input range: every input width 2..16, output
 * widths 2..16, input scales from 1e-3 to 1, rows of 2 to 128 values drawn uniformly from the full range.
 * The measured worst case is documented in docs/arithmetic.md.
 */
import { describe, expect, it } from 'vitest';
import { intRange } from '../../src/arith/index.js';
import type { LayerNodeOf } from '../../src/ir/index.js';
import { expTable, KINDS, softmaxExpFractionBits, softmaxOutputParams, softmaxSumBits } from '../../src/kinds/index.js';
import { createRng } from '../../src/util/rng.js';

/** The shipped integer softmax (src/kinds/softmax/semantics.ts) on one row. */
function intSoftmax(row: number[], table: Int32Array, inBits: number, outBits: number): number[] {
  const cols = row.length;
  const node: LayerNodeOf<'softmax'> = {
    path: 'softmax',
    name: 'softmax',
    kind: 'softmax',
    engine: 'softmax',
    role: 'scheduled',
    index: 1,
    inputs: [{ from: 'input', shape: [1, cols], elements: cols, bits: inBits }],
    output: { shape: [1, cols], elements: cols, bits: outBits },
    dims: { rows: 1, cols },
    widths: { acc: softmaxSumBits(cols, outBits) },
    origins: { outputBits: 'builtin' },
    memories: [],
    consumers: [],
  };
  const layer = { path: 'softmax', kind: 'softmax' as const, inputs: [{ scale: 1, zeroPoint: 0, bits: inBits }], output: softmaxOutputParams(outBits), params: { expTable: table } };
  return Array.from(KINDS.softmax.semantics.int(node, layer, [Int32Array.from(row)]));
}

export function measureSoftmaxError(inBits: number, outBits: number, scale: number, cols: number, rows: number, seed: number) {
  const rng = createRng(seed, `softmax-${inBits}-${outBits}-${scale}-${cols}`);
  const table = expTable(scale, inBits, softmaxExpFractionBits(outBits));
  const out = softmaxOutputParams(outBits);
  const { min, max } = intRange(inBits);
  let worst = 0;
  let total = 0;
  let n = 0;
  for (let r = 0; r < rows; r++) {
    const row = Array.from({ length: cols }, () => rng.int(min, max));
    const y = intSoftmax(row, table, inBits, outBits);
    const mx = Math.max(...row);
    const ex = row.map((x) => Math.exp(scale * (x - mx)));
    const sum = ex.reduce((a, b) => a + b, 0);
    row.forEach((_, i) => {
      const p = ex[i]! / sum;
      const q = (y[i]! - out.zeroPoint) * out.scale;
      const errLsb = Math.abs(q - p) / out.scale;
      worst = Math.max(worst, errLsb);
      total += errLsb;
      n++;
    });
  }
  return { worstLsb: worst, meanLsb: total / n };
}

describe('integer softmax vs float softmax', () => {
  it('stays within 0.6 of an output step everywhere, and half a step up to 8-bit outputs', () => {
    const summary: string[] = [];
    let worstOverall = 0;
    for (const inBits of [2, 3, 4, 6, 8, 12, 16]) {
      for (const outBits of [2, 4, 8, 12, 16]) {
        let worst = 0;
        for (const scale of [1e-3, 1e-2, 0.1, 1]) {
          for (const cols of [2, 24, 128]) {
            worst = Math.max(worst, measureSoftmaxError(inBits, outBits, scale, cols, inBits >= 12 ? 20 : 40, 1).worstLsb);
          }
        }
        summary.push(`in ${inBits} out ${outBits}: ${worst.toFixed(3)} LSB`);
        worstOverall = Math.max(worstOverall, worst);
        if (outBits <= 8) expect(worst).toBeLessThan(0.51);
      }
    }
    console.log(`integer softmax worst error in output steps:\n${summary.join('\n')}`);
    expect(worstOverall).toBeLessThan(0.6);
  });
});
