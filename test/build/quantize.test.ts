/**
 * The derived state a watch session keeps between builds gives exactly what computing from scratch gives:
 * quantizeDesign(design, cache) equals quantizeModel(design), referenceOutputs equals runReference, after
 * every edit of a sequence, and unchanged layers are not recomputed.
 */
import { describe, expect, it } from 'vitest';
import { transformer } from '../../src/index.js';
import { resolveDesign } from '../../src/ir/index.js';
import { quantizeModel, runReference } from '../../src/reference/index.js';
import { hashValue } from '../../src/util/hash.js';
import { createQuantizeCache, quantizeDesign } from '../../src/build/quantize.js';
import { createReferenceCache, referenceOutputs } from '../../src/build/reference.js';
import { arithmeticView } from '../../src/build/units.js';

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

describe('watch-mode derived state', () => {
  it('quantizeDesign with a cache equals quantizeModel after every edit', () => {
    const cache = createQuantizeCache();
    for (const c of EDITS) {
      const design = resolveDesign(c);
      const { model: got } = quantizeDesign(design, cache);
      expect(got).toEqual(quantizeModel(design));
    }
  });

  it('recomputes the float calibration only when the structure changes, and integer parameters only where they change', () => {
    const cache = createQuantizeCache();
    const first = quantizeDesign(resolveDesign(EDITS[0]), cache);
    expect(first.stats.floatComputed.length).toBe(first.model.layers.size);
    const bits = quantizeDesign(resolveDesign(EDITS[1]), cache);
    expect(bits.stats.floatComputed).toEqual([]);
    expect(bits.stats.quantComputed).toEqual(['encoder.0.ffn.fc1']);
    const out = quantizeDesign(resolveDesign(EDITS[2]), cache);
    expect(out.stats.floatComputed).toEqual([]);
    expect(out.stats.quantComputed).toEqual(['encoder.0.ffn.fc1', 'encoder.0.ffn.relu', 'encoder.0.ffn.fc2']);
    const heads = quantizeDesign(resolveDesign(EDITS[6]), cache);
    expect(heads.stats.floatComputed.length).toBe(heads.model.layers.size);
  });

  it('referenceOutputs with a cache equals runReference and recomputes only downstream of a change', () => {
    const cache = createReferenceCache();
    let computed: string[] = [];
    for (const c of EDITS) {
      const design = resolveDesign(c);
      const q = quantizeModel(design);
      const arithmetic = (path: string) => {
        const node = design.layers.find((l) => l.path === path)!;
        const layer = q.layers.get(path)!;
        return hashValue({ node: arithmeticView(node), inputs: layer.inputs, output: layer.output, params: layer.params });
      };
      const r = referenceOutputs(design, q, arithmetic, hashValue(q.sampleInput), cache);
      expect(r.values).toEqual(runReference(design, q, q.sampleInput));
      computed = r.computed;
      if (c === EDITS[1]) expect(computed[0]).toBe('encoder.0.ffn.fc1');
      if (c === EDITS[1]) expect(computed).not.toContain('encoder.0.attn.q');
    }
    expect(computed.length).toBeGreaterThan(0);
  });
});
