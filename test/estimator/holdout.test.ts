/**
 * The hold-out generator (bench/lib/holdout-models.ts) without tools: the same seed gives the same models, the
 * models cover the ranges (transformers and graph() models, 1 to 3 encoder layers, widths 2 to 16,
 * every storage and mapping), and the scoring counts targets as bench/holdout.ts reports them.
 */
import { describe, expect, it } from 'vitest';
import { score, type ModelResult } from '../../bench/holdout.js';
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
