/**
 * Every kind's integer forward against its float forward, without tools, on realistic inputs: the activations of
 * the default Transformer over its calibration windows. Each layer gets the quantized version of its real float
 * input, and its integer output is compared with its float forward of the same (dequantized) input, so the figure
 * is the layer's own arithmetic error (requantization, parameter quantization), in output steps. The bounds are
 * documented per kind in docs/arithmetic.md; a requantization factor 3 % off fails each of them.
 */
import { describe, expect, it } from 'vitest';
import { quantizeAll } from '../../src/arith/index.js';
import type { LayerKind } from '../../src/dsl/index.js';
import { transformer } from '../../src/index.js';
import { resolveDesign, type LayerNode, type LayerNodeOf } from '../../src/ir/index.js';
import { KINDS, layerOfKind, type FloatMap, type ParamsMap } from '../../src/kinds/index.js';
import { createQuantizeCache, quantizeModel, randomLayerInputs, type QuantizeCache } from '../../src/reference/index.js';
import type { QuantizedModel, QuantLayerOf } from '../../src/reference/types.js';

/**
 * Documented bounds at 8 bits, in output steps (docs/arithmetic.md, "Accuracy per kind"). Besides the output
 * rounding (½ step): weights quantized per tensor (linear, the positional table, batch norm's folded scales,
 * whose spread across columns costs the most), and saturation where the integer pipeline's activations leave the
 * range calibrated on the float model (the attention context).
 */
const BOUND: Record<Exclude<LayerKind, 'input'>, number> = {
  linear: 1.7,
  posenc: 0.8,
  matmul: 2.5,
  softmax: 0.51,
  add: 0.51,
  batchnorm: 2.2,
  layernorm: 0.85,
  relu: 0,
  avgpool: 0.51,
};

/** The requantization factor (or the softmax table's input scale) times `g`. */
function withGain<K extends LayerKind>(layer: QuantLayerOf<K>, g: number): QuantLayerOf<K> {
  const p = layer.params as Record<string, unknown>;
  const mult = p.mult as { m: number; n: number } | undefined;
  if (mult) return { ...layer, params: { ...p, mult: { ...mult, m: Math.round(mult.m * g) } } as ParamsMap[K] };
  if ('m1' in p) return { ...layer, params: { ...p, m1: Math.round((p.m1 as number) * g), m2: Math.round((p.m2 as number) * g) } as ParamsMap[K] };
  if ('expTable' in p) return { ...layer, params: { ...p, expTable: (p.expTable as Int32Array).map((v, k) => Math.round(v * Math.exp(-(g - 1) * k * layer.inputs[0]!.scale))) } as ParamsMap[K] };
  return layer;
}

/** Worst |integer − float| in output steps of one layer over every calibration window. */
function layerError<K extends LayerKind>(node: LayerNodeOf<K>, model: QuantizedModel, cache: QuantizeCache, gain = 1): number {
  const sem = KINDS[node.kind].semantics;
  const layer = withGain(layerOfKind(node, model.layers.get(node.path)!), gain);
  const params = cache.floats.get(node.path)!.params as FloatMap[K];
  const windows = cache.calibration!.batch.samples;
  const inputs = node.inputs.map((i, p) => {
    const float = cache.floats.get(i.from)!.out!;
    const q = layer.inputs[p]!;
    const ints = Array.from({ length: windows }, (_, w) => quantizeAll(float.data.subarray(w * i.elements, (w + 1) * i.elements), q));
    const deq = new Float64Array(windows * i.elements);
    ints.forEach((v, w) => v.forEach((x, e) => (deq[w * i.elements + e] = (x - q.zeroPoint) * q.scale)));
    return { ints, deq: { samples: windows, data: deq } };
  });
  const reference = sem.float(node, params, inputs.map((i) => i.deq));
  const y = layer.output;
  let worst = 0;
  for (let w = 0; w < windows; w++) {
    const out = sem.int(node, layer, inputs.map((i) => i.ints[w]!));
    for (let e = 0; e < out.length; e++) worst = Math.max(worst, Math.abs((out[e]! - y.zeroPoint) * y.scale - reference.data[w * out.length + e]!) / y.scale);
  }
  return worst;
}

/** A kind's integer forward over `windows` windows back to back equals it run window by window. */
function expectBatchEqualsWindows<K extends LayerKind>(node: LayerNodeOf<K>, model: QuantizedModel, windows: number): void {
  const sem = KINDS[node.kind].semantics;
  const layer = layerOfKind(node, model.layers.get(node.path)!);
  const perWindow = Array.from({ length: windows }, (_, w) => randomLayerInputs(node, 100 + w));
  const batch = node.inputs.map((i, p) => {
    const all = new Int32Array(windows * i.elements);
    perWindow.forEach((ins, w) => all.set(ins[p]!, w * i.elements));
    return all;
  });
  const expected = new Int32Array(windows * node.output.elements);
  perWindow.forEach((ins, w) => expected.set(sem.int(node, layer, ins), w * node.output.elements));
  expect(sem.int(node, layer, batch), `${node.path} (${node.kind})`).toEqual(expected);
}

describe('integer vs float, per kind', () => {
  for (const [norm, bits] of [['batchnorm', 8], ['layernorm', 8]] as const) {
    const design = resolveDesign({ device: 'xc7s50', model: transformer({ window: 24, inputFeatures: 7, dModel: 16, heads: 2, norm }), defaults: { weightBits: bits, outputBits: bits } });
    const cache = createQuantizeCache();
    const model = quantizeModel(design, cache);
    const layers = design.layers.filter((l): l is Exclude<LayerNode, LayerNodeOf<'input'>> => l.kind !== 'input');

    it(`${norm} Transformer at ${bits} bits: every layer within its kind's bound`, () => {
      const seen: string[] = [];
      for (const node of layers) {
        const e = layerError(node, model, cache);
        seen.push(`${node.path} ${e.toFixed(3)}`);
        expect(e, `${node.path} (${node.kind})`).toBeLessThanOrEqual(BOUND[node.kind]);
      }
      console.log(`${norm} ${bits}-bit, worst error in output steps: ${seen.join('; ')}`);
    });

    it(`${norm} Transformer at ${bits} bits: every kind's forward over a batch of windows equals it window by window`, () => {
      for (const node of layers) expectBatchEqualsWindows(node, model, 5);
    });

    it(`${norm} Transformer at ${bits} bits: a requantization factor 3 % off fails every kind with one`, () => {
      for (const node of layers) {
        if (node.kind === 'relu') continue;
        expect(Math.max(layerError(node, model, cache, 1.03), layerError(node, model, cache, 0.97)), `${node.path} (${node.kind})`).toBeGreaterThan(BOUND[node.kind]);
      }
    });
  }
});
