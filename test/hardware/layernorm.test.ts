/**
 * Integer layer norm in GHDL, bit-exact with the reference model over a systematic sweep: every output width
 * 2–16 with the input at the same width, every input width 2–16 into 8-bit outputs, every output width into
 * 8-bit inputs, d_model cycling through 8–64 (powers of two and not), γ at assorted widths; then rows that
 * stress the method (constant, extreme, one outlier) written into the testbench's own vector files.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { vectorFile } from '../../src/emitters/vhdl/testbench.js';
import { graph } from '../../src/index.js';
import { intRange } from '../../src/arith/index.js';
import { quantizeModel, runLayer } from '../../src/reference/index.js';
import { simulate } from '../../src/toolchain/simulate.js';
import { buildAndSimulate, failures, itGhdl } from './_harness.js';

const D_MODELS = [8, 12, 16, 24, 32, 40, 48, 64, 9, 20, 33, 56];
const WIDTHS = Array.from({ length: 15 }, (_, i) => i + 2);

interface Case {
  inBits: number;
  outBits: number;
  weightBits: number;
  dModel: number;
}

const CASES: Case[] = [
  ...WIDTHS.map((b, i) => ({ inBits: b, outBits: b, weightBits: WIDTHS[(i * 7) % 15]!, dModel: D_MODELS[i % D_MODELS.length]! })),
  ...WIDTHS.map((b, i) => ({ inBits: b, outBits: 8, weightBits: 8, dModel: D_MODELS[(i + 3) % D_MODELS.length]! })),
  ...WIDTHS.map((b, i) => ({ inBits: 8, outBits: b, weightBits: WIDTHS[(i * 4) % 15]!, dModel: D_MODELS[(i + 7) % D_MODELS.length]! })),
];

const config = (c: Case, extra: Record<string, unknown> = {}) => ({
  device: 'xc7s50',
  model: graph({ window: 3, features: 3 }, (g, x) => g.layernorm('ln', g.linear('lin', x, { out: c.dModel }))),
  layers: { lin: { outputBits: c.inBits }, ln: { outputBits: c.outBits, weightBits: c.weightBits } },
  weights: { seed: c.dModel * 31 + c.inBits * 7 + c.outBits },
  ...extra,
});

describe('layer norm, bit-exact in GHDL', () => {
  itGhdl(`sweep of ${CASES.length} widths and shapes: every output equal, cycles as planned`, async () => {
    const seen = new Set<string>();
    for (const c of CASES) {
      const key = JSON.stringify(c);
      if (seen.has(key)) continue;
      seen.add(key);
      const run = await buildAndSimulate(config(c), { only: (t) => t.unit === 'ln' });
      const r = run.results[0]!;
      expect(failures(run.results), `in ${c.inBits} out ${c.outBits} γ ${c.weightBits} d_model ${c.dModel}`).toBe('');
      expect(r.cycles).toBe(r.expectedCycles);
    }
  }, 600_000);

  itGhdl('rows that stress the method: constant, extreme, alternating, one outlier; BRAM buffer, LUT multiplier', async () => {
    const c: Case = { inBits: 8, outBits: 8, weightBits: 6, dModel: 16 };
    const run = await buildAndSimulate(config(c, { layers: { lin: { outputBits: 8 }, ln: { buffer: 'bram', multiplier: 'lut', weightBits: 6 } } }), { only: (t) => t.unit === 'ln' });
    expect(failures(run.results)).toBe('');
    const node = run.design.layers.find((l) => l.path === 'ln')!;
    const { min, max } = intRange(8);
    const rows = [
      Array.from({ length: 16 }, () => 0),
      Array.from({ length: 16 }, () => min),
      Array.from({ length: 16 }, () => max),
      Array.from({ length: 16 }, (_, i) => (i % 2 ? max : min)),
      Array.from({ length: 16 }, (_, i) => (i === 5 ? max : min)),
      Array.from({ length: 16 }, (_, i) => (i === 9 ? min : 1)),
    ];
    const x = Int32Array.from(rows.slice(0, 3).flat()); // the layer has 3 rows of 16
    const x2 = Int32Array.from(rows.slice(3).flat());
    const tb = run.testbenches[0]!;
    // The stress rows replace the last (full-range random) run; the recorded runs stay.
    const recorded = (file: string, n: number) => readFileSync(join(run.outDir, file), 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).map(Number).slice(0, (tb.windows - 1) * n);
    const [x0, y0] = [recorded(tb.vectors.X0_FILE!, 48), recorded(tb.vectors.Y_FILE!, 48)];
    for (const input of [x, x2]) {
      const expected = runLayer(node, quantizeModel(run.design), [input]);
      writeFileSync(join(run.outDir, tb.vectors.X0_FILE!), vectorFile('recorded runs, then stress rows', [...x0, ...input]));
      writeFileSync(join(run.outDir, tb.vectors.Y_FILE!), vectorFile('recorded runs, then stress rows, expected', [...y0, ...expected]));
      const [r] = await simulate([tb], { outDir: run.outDir });
      expect(failures([r!])).toBe('');
    }
  }, 120_000);
});
