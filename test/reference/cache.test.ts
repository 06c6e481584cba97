/**
 * The caches incremental builds keep between builds give exactly what computing from scratch gives: a cached
 * quantizeModel equals a fresh one, a cached runReference equals a fresh one, after every edit of a sequence,
 * and unchanged layers are not recomputed.
 */
import { describe, expect, it } from 'vitest';
import { transformer } from '../../src/index.js';
import { resolveDesign } from '../../src/ir/index.js';
import { createQuantizeCache, createReferenceCache, quantizeModel, quantizeWithStats, runReference, runReferenceWithStats } from '../../src/reference/index.js';

const model = (o: Record<string, unknown> = {}) => transformer({ window: 6, inputFeatures: 3, dModel: 8, ffnDim: 16, ...o } as never);
const EDITS: Record<string, unknown>[] = [
  { device: 'xc7s50', model: model() },
  { device: 'xc7s50', model: model(), layers: { 'encoder.0.ffn.fc1': { weightBits: 4 } } },
  { device: 'xc7s50', model: model(), layers: { 'encoder.0.ffn.fc1': { weightBits: 4, outputBits: 5 } } },
  { device: 'xc7s50', model: model(), layers: { 'encoder.0.attn_norm': { weightBits: 3 } }, kinds: { softmax: { outputBits: 6 } } },
  { device: 'xc7s50', model: model(), defaults: { buffer: 'bram', multiplier: 'lut' } },
  { device: 'xc7s50', model: model(), weights: { seed: 3 } },
  { device: 'xc7s50', model: model({ heads: 2 }), weights: { seed: 3 } },
  { device: 'xc7s50', model: model({ encoderLayers: 2 }) },
  { device: 'xc7s50', model: model({ window: 7 }) },
  { device: 'xc7s50', model: model() },
];

describe('cached quantization and reference model', () => {
  it('quantizeModel with a cache equals a fresh one after every edit', () => {
    const cache = createQuantizeCache();
    for (const c of EDITS) {
      const design = resolveDesign(c);
      const got = quantizeModel(design, cache);
      expect(got).toEqual(quantizeModel(design));
    }
  });

  it('recomputes the float calibration only when the structure changes, and integer parameters only where they change', () => {
    const cache = createQuantizeCache();
    const first = quantizeWithStats(resolveDesign(EDITS[0]), cache);
    expect(first.stats.floatComputed.length).toBe(first.model.layers.size);
    const bits = quantizeWithStats(resolveDesign(EDITS[1]), cache);
    expect(bits.stats.floatComputed).toEqual([]);
    expect(bits.stats.quantComputed).toEqual(['encoder.0.ffn.fc1']);
    const out = quantizeWithStats(resolveDesign(EDITS[2]), cache);
    expect(out.stats.floatComputed).toEqual([]);
    expect(out.stats.quantComputed).toEqual(['encoder.0.ffn.fc1', 'encoder.0.ffn.relu', 'encoder.0.ffn.fc2']);
    const heads = quantizeWithStats(resolveDesign(EDITS[6]), cache);
    expect(heads.stats.floatComputed.length).toBe(heads.model.layers.size);
  });

  it('runReference with a cache equals a fresh one and recomputes only downstream of a change', () => {
    const cache = createReferenceCache();
    let computed: string[] = [];
    for (const c of EDITS) {
      const design = resolveDesign(c);
      const q = quantizeModel(design);
      const r = runReferenceWithStats(design, q, q.testInputs[0]!, cache);
      expect(r.values).toEqual(runReference(design, q, q.testInputs[0]!));
      computed = r.computed;
      if (c === EDITS[1]) expect(computed[0]).toBe('encoder.0.ffn.fc1');
      if (c === EDITS[1]) expect(computed).not.toContain('encoder.0.attn.q');
    }
    expect(computed.length).toBeGreaterThan(0);
  });
});
