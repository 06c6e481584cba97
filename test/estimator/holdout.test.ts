/**
 * The hold-out generator (bench/lib/holdout-models.ts) without tools: the same seed gives the same models, the
 * models cover the ranges (transformers and graph() models, 1 to 3 encoder layers, widths 2 to 16,
 * every storage and mapping), and the scoring counts targets as bench/holdout.ts reports them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { errorBands, score, type ModelResult } from '../../bench/holdout.js';
import { describeErrorBands, estimatorErrorBands } from '../../src/estimator/error-bands.js';
import { ROOT } from '../helpers.js';
import { holdoutModel, MAX_ESTIMATED_LUT } from '../../bench/lib/holdout-models.js';
import { estimateDesign } from '../../src/estimator/index.js';
import { resolveDesign } from '../../src/ir/index.js';

const lut = (d: Parameters<typeof estimateDesign>[0]) => estimateDesign(d).total.lut;

describe('hold-out models', () => {
  const models = Array.from({ length: 24 }, (_, i) => holdoutModel(777, i, lut));

  it('are the same for the same seed, and differ for another', () => {
    expect(JSON.stringify(holdoutModel(777, 3, lut).config)).toBe(JSON.stringify(models[3]!.config));
    expect(JSON.stringify(holdoutModel(778, 3, lut).config)).not.toBe(JSON.stringify(models[3]!.config));
  });

  it('are accepted by kiln, within the size the hold-out synthesizes, and spread over the ranges', () => {
    const designs = models.map((m) => resolveDesign(m.config));
    for (const d of designs) expect(lut(d)).toBeLessThanOrEqual(MAX_ESTIMATED_LUT);
    const kinds = new Set(designs.flatMap((d) => d.layers.map((l) => l.kind)));
    for (const k of ['linear', 'matmul', 'softmax', 'batchnorm', 'add', 'avgpool', 'relu', 'posenc']) expect(kinds, k).toContain(k);
    expect(models.some((m) => m.label.startsWith('MLP')) || models.some((m) => m.label.startsWith('residual'))).toBe(true);
    const storages = new Set(designs.flatMap((d) => d.layers.flatMap((l) => [l.buffer?.storage, ...l.memories.map((m) => m.storage)])));
    for (const s of ['bram', 'lutram', 'registers']) expect(storages, s).toContain(s);
    const mappings = new Set(designs.flatMap((d) => d.layers.map((l) => l.multiplier?.mapping)));
    expect(mappings).toContain('dsp');
    expect(mappings).toContain('lut');
    const bits = designs.flatMap((d) => d.layers.filter((l) => l.kind !== 'input').map((l) => l.output.bits));
    expect(Math.min(...bits)).toBeLessThanOrEqual(4);
    expect(Math.max(...bits)).toBeGreaterThanOrEqual(14);
  });
});

describe('hold-out scoring', () => {
  const counts = (lut: number, ff: number, bram18 = 1, dsp = 1, lutram = 0) => ({ lut, ff, lutram, bram18, dsp });
  const model = (index: number, est: number, syn: number, dsp = 1): ModelResult => ({
    index,
    label: `m${index}`,
    estimate: counts(est, est, 1, dsp),
    synthesized: counts(syn, syn),
    layers: [{ unit: 'a', kind: 'linear', estimate: counts(est, est, 1, dsp), synthesized: counts(syn, syn) }],
    cycles: { layers: 1, equal: true, differing: [] },
    synthSeconds: 1,
    refused: [],
  });

  it('meets the targets when every figure is close and every count exact', () => {
    const s = score(Array.from({ length: 30 }, (_, i) => model(i, 102, 100)));
    expect(Object.values(s.targets).every(Boolean)).toBe(true);
  });

  it('fails on one DSP miss, one 9 % model, or fewer than 30 models', () => {
    const ok = Array.from({ length: 30 }, (_, i) => model(i, 102, 100));
    expect(score([...ok.slice(1), model(0, 102, 100, 2)]).targets.exactModels).toBe(false);
    expect(score([...ok.slice(1), model(0, 109, 100)]).targets.wholeModelLut).toBe(false);
    expect(score(ok.slice(1)).targets.enoughModels).toBe(false);
  });
});

describe('error bands in the reports', () => {
  const counts = (lut: number, ff: number, dsp = 1) => ({ lut, ff, lutram: 0, bram18: 1, dsp });
  const run = (results: ModelResult[]) => ({ seed: 99, commit: 'abc1234', machine: { date: '2026-11-30T10:00:00.000Z' }, tools: { ghdl: 'GHDL 2.0.0 (Debian)', yosys: 'Yosys 0.23 (git sha1 x)' }, summary: score(results) });
  const results = Array.from({ length: 10 }, (_, i): ModelResult => ({
    index: i,
    label: `m${i}`,
    estimate: counts(100 + i, 100),
    synthesized: counts(100, 100),
    layers: [
      { unit: 'a', kind: 'linear', estimate: counts(100 + 2 * i, 50), synthesized: counts(100, 50, i === 0 ? 2 : 1) },
      { unit: 'b', kind: 'relu', estimate: counts(10, 10), synthesized: counts(10, 10) },
    ],
    synthSeconds: 1,
    refused: [],
  }));

  it('carry the run: per-layer p90 and whole-model max, exact shares, seed and date', () => {
    const b = errorBands(run(results));
    expect(b.source).toMatchObject({ seed: 99, models: 10, layers: 20, date: '2026-11-30', commit: 'abc1234', tools: 'GHDL 2.0.0; Yosys 0.23' });
    expect(b.lut.modelMaxPct).toBe(9);
    expect(b.lut.modelMedianPct).toBe(4.5);
    expect(b.lut.layerP90Pct).toBe(quantileOf([...Array.from({ length: 10 }, (_, i) => 2 * i), ...new Array(10).fill(0)], 0.9));
    expect(b.exactLayersPct.dsp).toBe(95);
    expect(b.exactLayersPct.bram18).toBe(100);
    expect(describeErrorBands(b)).toContain('LUT ±14.2% per layer (p90), ±9.0% whole model (max)');
    expect(describeErrorBands(b)).toContain('BRAM18, DSP and LUTRAM exact on 95.0% of layer');
  });

  it('say so when no hold-out run is committed, and otherwise match the committed run', () => {
    expect(describeErrorBands(undefined)).toMatch(/not yet measured on a hold-out/);
    const committed = join(ROOT, 'bench', 'results', 'holdout.json');
    if (!existsSync(committed)) expect(estimatorErrorBands()).toBeUndefined();
    else expect(estimatorErrorBands()).toEqual(errorBands(JSON.parse(readFileSync(committed, 'utf8'))));
  });
});

function quantileOf(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const at = (s.length - 1) * q;
  const lo = Math.floor(at);
  return Math.round((s[lo]! + (s[Math.min(lo + 1, s.length - 1)]! - s[lo]!) * (at - lo)) * 10) / 10;
}
