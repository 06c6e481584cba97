/**
 * kiln search without tools: the single-layer rebuild equals a full resolve, the cached resource model equals
 * the estimator on the resolved candidate (what a rebuild after --write would report), the cached accuracy model
 * equals the reference model, the Pareto helpers and the knapsack are exact, and the search is deterministic,
 * fits and dominates the uniform widths.
 */
import { describe, expect, it } from 'vitest';
import { graph, transformer, type KilnConfig } from '../../src/index.js';
import { estimateDesign } from '../../src/estimator/index.js';
import { layerVariants, resolveDesign } from '../../src/ir/resolve.js';
import { createQuantizeCache, floatForward, quantizeWithStats, runReference, syntheticWindows } from '../../src/reference/index.js';
import { quantizeAll, dequantize } from '../../src/arith/index.js';
import { dominates, hypervolume, knapsack, nondominated, nondominatedSort, runSearch, settingsOf, setupSearch, type Candidate, type SearchSetup } from '../../src/search/index.js';
import { createRng } from '../../src/util/rng.js';

const small: KilnConfig = { device: 'xc7s15', model: transformer({ window: 8, inputFeatures: 3, dModel: 8, heads: 2, ffnDim: 16 }), weights: { seed: 5 } };
const mlp: KilnConfig = {
  device: 'xc7s6',
  model: graph({ window: 6, features: 4, name: 'mlp' }, (g, x) => {
    const h = g.relu('act', g.linear('fc1', x, { out: 12 }));
    return g.linear('head', g.avgpool('pool', h), { out: 2 });
  }),
  layers: { head: { weightBits: 8, outputBits: 8 } },
  weights: { seed: 9 },
};

/** The config with every searched layer's settings written out, as --write does. */
function explicitConfig(setup: SearchSetup, config: KilnConfig, c: Candidate): KilnConfig {
  const layers: Record<string, object | undefined> = { ...(config.layers ?? {}) };
  setup.space.layerGenes.forEach((genes, i) => {
    if (genes.length === 0) return;
    const s = settingsOf(setup.space, c, i);
    layers[setup.space.design.layers[i]!.path] = Object.fromEntries(genes.map((g) => [setup.space.genes[g]!.setting, s[setup.space.genes[g]!.setting]]));
  });
  return { ...config, layers } as KilnConfig;
}

/** A node without where its settings came from (a setting the search leaves alone stays 'auto' in the config). */
const hardware = (x: unknown) => JSON.stringify(x, (k, v) => (k === 'requested' || k === 'origin' || k === 'origins' || k === 'reason' ? undefined : v));

function randomCandidate(setup: SearchSetup, seed: number): Candidate {
  const rng = createRng(seed, 'candidate');
  return Uint8Array.from(setup.space.genes, (g) => rng.int(0, g.options.length - 1));
}

describe('search: models of a candidate', () => {
  for (const [name, config] of [['transformer', small], ['graph MLP with a pinned layer', mlp]] as const) {
    const setup = setupSearch(config, {}, undefined);

    it(`${name}: rebuilding one layer equals resolving the whole config`, () => {
      const variants = layerVariants(config);
      for (let k = 0; k < 6; k++) {
        const c = randomCandidate(setup, k);
        const design = resolveDesign(explicitConfig(setup, config, c));
        const nodes = setup.resources.nodes(c);
        expect(hardware(nodes)).toBe(hardware(design.layers));
        const i = k % design.layers.length;
        expect(hardware(variants.layer(i, settingsOf(setup.space, c, i), design.layers[i]!.inputs.map((x) => x.bits)))).toBe(hardware(design.layers[i]));
      }
    });

    it(`${name}: the cached cost of a candidate is the estimate of the resolved candidate`, () => {
      for (let k = 0; k < 40; k++) {
        const c = randomCandidate(setup, 100 + k);
        const e = estimateDesign(resolveDesign(explicitConfig(setup, config, c)));
        const cost = setup.resources.cost(c);
        expect({ lut: cost.lut, ff: cost.ff, lutram: cost.lutram, bram18: cost.bram18, dsp: cost.dsp, cycles: cost.cycles, fits: cost.fits }).toEqual({ ...e.total, fits: e.fits });
      }
    });

    it(`${name}: the cached accuracy of a candidate is the reference model's`, () => {
      const held = setup.held.windows;
      for (let k = 0; k < 4; k++) {
        const c = randomCandidate(setup, 200 + k);
        const design = resolveDesign(explicitConfig(setup, config, c));
        const model = quantizeWithStats(design, createQuantizeCache(), {}).model;
        const per = design.layers[0]!.output.elements;
        const inQ = model.layers.get(design.layers[0]!.path)!.output;
        const outQ = model.layers.get(design.output)!.output;
        const predicted: number[] = [];
        for (let w = 0; w < held.samples; w++) {
          const values = runReference(design, model, quantizeAll(held.data.subarray(w * per, (w + 1) * per), inQ));
          for (const v of values.get(design.output)!) predicted.push(dequantize(v, outQ));
        }
        // without data the targets are the float model's outputs
        const acc = setup.accuracy.evaluate(setup.resources.nodes(c));
        expect(acc.rmse).toBeGreaterThan(0);
        expect(rmseAgainstFloat(setup, predicted)).toBeCloseTo(acc.rmse, 12);
      }
    });
  }
});

/** RMSE of outputs against the float model on the setup's synthetic windows (what the accuracy model scores). */
function rmseAgainstFloat(setup: SearchSetup, predicted: number[]): number {
  const design = setup.space.design;
  const { floatParams } = quantizeWithStats(design, createQuantizeCache(), {});
  const floats = floatForwardOutput(design, floatParams, setup.held.windows);
  let sq = 0;
  for (let i = 0; i < floats.length; i++) sq += (predicted[i]! - floats[i]!) ** 2;
  return Math.sqrt(sq / floats.length);
}

function floatForwardOutput(design: ReturnType<typeof resolveDesign>, params: ReadonlyMap<string, unknown>, windows: ReturnType<typeof syntheticWindows>): Float64Array {
  return floatForward(design, params, windows).get(design.output)!.data;
}

describe('search: Pareto helpers and the knapsack', () => {
  it('dominance, fronts and hypervolume on known points', () => {
    expect(dominates([1, 2], [2, 2])).toBe(true);
    expect(dominates([1, 2], [1, 2])).toBe(false);
    expect(dominates([1, 3], [2, 2])).toBe(false);
    const pts = [[1, 3], [2, 2], [3, 1], [3, 3], [2, 2]];
    expect(nondominated(pts)).toEqual([0, 1, 2]);
    expect(nondominatedSort(pts)).toEqual([[0, 1, 2, 4], [3]]);
    expect(hypervolume([[1, 3], [2, 2], [3, 1]], [4, 4])).toBe(6);
    expect(hypervolume([[1, 1, 1]], [2, 3, 4])).toBe(6);
    expect(hypervolume([[1, 2, 1], [2, 1, 1]], [3, 3, 2])).toBe(3);
    expect(hypervolume([[5, 5]], [4, 4])).toBe(0);
  });

  it('the knapsack finds the optimum (checked by brute force)', () => {
    const rng = createRng(3, 'knapsack');
    for (let t = 0; t < 200; t++) {
      const items = Array.from({ length: rng.int(0, 9) }, () => ({ weight: rng.int(1, 6), value: rng.int(1, 100) }));
      const capacity = rng.int(0, 15);
      const chosen = knapsack(items, capacity);
      expect(chosen.reduce((s, i) => s + items[i]!.weight, 0)).toBeLessThanOrEqual(capacity);
      let best = 0;
      for (let mask = 0; mask < 1 << items.length; mask++) {
        let w = 0;
        let v = 0;
        items.forEach((it, i) => {
          if (mask & (1 << i)) (w += it.weight), (v += it.value);
        });
        if (w <= capacity) best = Math.max(best, v);
      }
      expect(chosen.reduce((s, i) => s + items[i]!.value, 0)).toBe(best);
    }
  });
});

describe('search: the front', () => {
  const setup = setupSearch(small, {}, undefined);
  const first = runSearch(setup, { seed: 7, evaluations: 60 });

  it('is deterministic for a seed', () => {
    const again = runSearch(setupSearch(small, {}, undefined), { seed: 7, evaluations: 60 });
    expect(again.front.map((p) => [...p.candidate])).toEqual(first.front.map((p) => [...p.candidate]));
    expect(again.evaluations).toBe(60);
  });

  it('fits, is non-dominated, and covers every uniform width that fits', () => {
    expect(first.front.length).toBeGreaterThanOrEqual(3);
    const vec = (p: (typeof first.front)[number]) => [p.accuracy.rmse, p.cost.lut];
    for (const p of first.front) {
      expect(p.cost.fits).toBe(true);
      for (const q of first.front) expect(dominates(vec(q), vec(p))).toBe(false);
    }
    for (const u of first.uniform.filter((x) => x.point.cost.fits)) {
      expect(first.front.some((p) => dominates(vec(p), vec(u.point)) || vec(p).every((v, i) => v === vec(u.point)[i]))).toBe(true);
    }
  });

  it('keeps pinned layers as configured', () => {
    const s = setupSearch(mlp, {}, undefined);
    expect(s.space.pinned).toEqual(['head']);
    expect(s.space.genes.some((g) => g.path === 'head')).toBe(false);
  });
});
