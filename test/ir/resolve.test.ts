import { describe, expect, it } from 'vitest';
import { defineConfig, graph, transformer } from '../../src/index.js';
import { resolveDesign } from '../../src/ir/index.js';
import { estimateDesign } from '../../src/estimator/index.js';
import type { KilnConfig } from '../../src/dsl/index.js';

const researchModel = transformer({ window: 24, inputFeatures: 7, outputs: 1, dModel: 16, heads: 1, ffnDim: 64, encoderLayers: 1 });

function shapes(config: KilnConfig) {
  return Object.fromEntries(resolveDesign(config).layers.map((l) => [l.path, l.output.shape]));
}

describe('IR of the default model', () => {
  const design = resolveDesign(defineConfig({ device: 'xc7s15', model: researchModel }));

  it('has every layer in schedule order with resolved shapes', () => {
    expect(design.layers.map((l) => l.path)).toEqual([
      'input',
      'input_linear',
      'posenc',
      'encoder.0.attn.q',
      'encoder.0.attn.k',
      'encoder.0.attn.v',
      'encoder.0.attn.scores',
      'encoder.0.attn.softmax',
      'encoder.0.attn.context',
      'encoder.0.attn.out',
      'encoder.0.attn_add',
      'encoder.0.attn_norm',
      'encoder.0.ffn.fc1',
      'encoder.0.ffn.relu',
      'encoder.0.ffn.fc2',
      'encoder.0.ffn_add',
      'encoder.0.ffn_norm',
      'pool',
      'output_linear',
    ]);
    expect(shapes({ device: 'xc7s15', model: researchModel })).toEqual({
      input: [24, 7],
      input_linear: [24, 16],
      posenc: [24, 16],
      'encoder.0.attn.q': [24, 16],
      'encoder.0.attn.k': [24, 16],
      'encoder.0.attn.v': [24, 16],
      'encoder.0.attn.scores': [1, 24, 24],
      'encoder.0.attn.softmax': [1, 24, 24],
      'encoder.0.attn.context': [24, 16],
      'encoder.0.attn.out': [24, 16],
      'encoder.0.attn_add': [24, 16],
      'encoder.0.attn_norm': [24, 16],
      'encoder.0.ffn.fc1': [24, 64],
      'encoder.0.ffn.relu': [24, 64],
      'encoder.0.ffn.fc2': [24, 16],
      'encoder.0.ffn_add': [24, 16],
      'encoder.0.ffn_norm': [24, 16],
      pool: [1, 16],
      output_linear: [1, 1],
    });
  });

  it('derives VHDL names, producers and consumers from the graph', () => {
    const byPath = new Map(design.layers.map((l) => [l.path, l]));
    expect(byPath.get('encoder.0.ffn.fc1')!.name).toBe('encoder_0_ffn_fc1');
    expect(byPath.get('posenc')!.consumers).toEqual(['encoder.0.attn.q', 'encoder.0.attn.k', 'encoder.0.attn.v', 'encoder.0.attn_add']);
    expect(byPath.get('encoder.0.attn_add')!.inputs.map((i) => i.from)).toEqual(['posenc', 'encoder.0.attn.out']);
    expect(byPath.get('encoder.0.attn.context')!.inputs.map((i) => i.from)).toEqual(['encoder.0.attn.softmax', 'encoder.0.attn.v']);
    expect(byPath.get('output_linear')!.consumers).toEqual([]);
    expect(design.output).toBe('output_linear');
  });

  it('derives bias and accumulator widths exactly', () => {
    const fc1 = design.layers.find((l) => l.path === 'encoder.0.ffn.fc1')!;
    // (x − z) and (w − z) are 9-bit; |product| ≤ 255² → 17 bits; bias 9 + 9 = 18 bits;
    // 16 products + bias: 16·65025 + 2^17 = 1,171,472 → 22 bits signed.
    expect(fc1.widths).toEqual({ weight: 8, bias: 18, product: 17, acc: 22, requantMultiplier: 16 });
    const fc2 = design.layers.find((l) => l.path === 'encoder.0.ffn.fc2')!;
    expect(fc2.widths.acc).toBe(24); // 64·65025 + 2^17 = 4,292,672 → 24 bits
    const scores = design.layers.find((l) => l.path === 'encoder.0.attn.scores')!;
    expect(scores.dims).toEqual({ mode: 'scores', heads: 1, rows: 24, cols: 24, inner: 16 });
    expect(scores.widths.bias).toBeUndefined();
  });

  it('fits the XC7S15 with everything on auto and records why', () => {
    for (const l of design.layers) {
      if (l.buffer) expect(l.buffer.reason).toMatch(/^auto: /);
      if (l.multiplier) expect(l.multiplier.reason).toMatch(/^auto: /);
    }
    const relu = design.layers.find((l) => l.kind === 'relu')!;
    expect(relu.buffer).toBeUndefined();
    expect(relu.output.bits).toBe(8);
    expect(relu.origins.outputBits).toBe('inherited');
  });

  it('is frozen', () => {
    expect(Object.isFrozen(design)).toBe(true);
    expect(Object.isFrozen(design.layers[3]!.output.shape)).toBe(true);
  });
});

describe('IR of a 2-layer, 4-head model', () => {
  const model = transformer({ window: 12, inputFeatures: 3, dModel: 32, heads: 4, ffnDim: 48, encoderLayers: 2, outputs: 2 });
  const design = resolveDesign({ device: 'xc7s50', model });
  const byPath = new Map(design.layers.map((l) => [l.path, l]));

  it('repeats the encoder with its own paths', () => {
    expect(design.layers).toHaveLength(1 + 2 + 2 * 14 + 2);
    expect(byPath.get('encoder.1.attn.q')!.inputs[0]!.from).toBe('encoder.0.ffn_norm');
    expect(byPath.get('pool')!.inputs[0]!.from).toBe('encoder.1.ffn_norm');
  });

  it('splits attention into heads of d_model / heads', () => {
    const scores = byPath.get('encoder.1.attn.scores')!;
    expect(scores.output.shape).toEqual([4, 12, 12]);
    expect(scores.dims).toEqual({ mode: 'scores', heads: 4, rows: 12, cols: 12, inner: 8 });
    const context = byPath.get('encoder.1.attn.context')!;
    expect(context.output.shape).toEqual([12, 32]);
    expect(context.dims).toEqual({ mode: 'context', heads: 4, rows: 12, cols: 8, inner: 12 });
    expect(byPath.get('encoder.0.attn.softmax')!.dims).toEqual({ rows: 48, cols: 12 });
    expect(byPath.get('encoder.0.ffn.fc1')!.output.shape).toEqual([12, 48]);
    expect(byPath.get('output_linear')!.output.shape).toEqual([1, 2]);
  });
});

describe('settings at three levels', () => {
  const design = resolveDesign(
    defineConfig({
      device: 'xc7s15',
      model: researchModel,
      defaults: { weightBits: 6, outputBits: 6, buffer: 'lutram', multiplier: 'lut' },
      kinds: { linear: { weightBits: 4, buffer: 'bram' }, softmax: { outputBits: 8 } },
      layers: { 'encoder.0.ffn.fc1': { weightBits: 3, outputBits: 5, buffer: 'registers', multiplier: 'dsp', weightStorage: 'lutram' } },
    }),
  );
  const byPath = new Map(design.layers.map((l) => [l.path, l]));

  it('lets the layer path win over the kind, and the kind over the defaults', () => {
    const fc1 = byPath.get('encoder.0.ffn.fc1')!;
    expect([fc1.widths.weight, fc1.output.bits, fc1.buffer!.storage, fc1.multiplier!.mapping, fc1.memories[0]!.storage]).toEqual([3, 5, 'registers', 'dsp', 'lutram']);
    expect(fc1.origins).toEqual({ weightBits: 'layers', outputBits: 'layers' });
    const q = byPath.get('encoder.0.attn.q')!;
    expect([q.widths.weight, q.output.bits, q.buffer!.storage, q.multiplier!.mapping]).toEqual([4, 6, 'bram', 'lut']);
    expect(q.origins).toEqual({ weightBits: 'kinds', outputBits: 'defaults' });
    const bn = byPath.get('encoder.0.attn_norm')!;
    expect([bn.widths.weight, bn.output.bits, bn.buffer!.storage]).toEqual([6, 6, 'lutram']);
    expect(byPath.get('encoder.0.attn.softmax')!.output.bits).toBe(8);
  });

  it('has each consumer read its producer\'s output width (mixed precision)', () => {
    const relu = byPath.get('encoder.0.ffn.relu')!;
    expect(relu.output.bits).toBe(5);
    const fc2 = byPath.get('encoder.0.ffn.fc2')!;
    expect(fc2.inputs[0]!.bits).toBe(5);
    // (x − z) is 6-bit, (w − z) is 5-bit: |p| ≤ 31·15 = 465 → 10 bits; 64·465 + 2^(6+5−1) → 16 bits
    expect(fc2.widths).toMatchObject({ bias: 6 + 5, product: 10, acc: 16 });
    const softmaxConsumer = byPath.get('encoder.0.attn.context')!;
    expect(softmaxConsumer.inputs.map((i) => i.bits)).toEqual([8, 6]);
  });
});

describe('auto placement respects the budget', () => {
  it('never puts more in BRAM or DSP than the budget allows', () => {
    for (const budget of [0.1, 0.25, 0.5, 1]) {
      const design = resolveDesign({ device: 'xc7s15', model: researchModel, budget });
      const { total } = estimateDesign(design);
      expect(total.bram18).toBeLessThanOrEqual(design.limits.bram18);
      expect(total.dsp).toBeLessThanOrEqual(design.limits.dsp);
      expect(total.bram18).toBeGreaterThan(0);
    }
  });

  it('keeps explicit choices even when they exceed the budget', () => {
    const design = resolveDesign({ device: 'xc7s15', model: researchModel, defaults: { buffer: 'bram', multiplier: 'dsp' }, budget: { dsp: 0.25 } });
    expect(design.layers.filter((l) => l.multiplier?.mapping === 'dsp')).toHaveLength(16);
    // every buffer but the 1-entry output (a register whatever was asked)
    expect(design.layers.filter((l) => l.buffer?.storage === 'bram')).toHaveLength(17);
    expect(design.layers.find((l) => l.path === 'output_linear')!.buffer).toMatchObject({ storage: 'registers', reason: 'one entry: synthesized as a register' });
  });
});

describe('general graphs', () => {
  it('describes an MLP and a classification Transformer without kiln changes', () => {
    const mlp = graph({ window: 1, features: 16, name: 'mlp' }, (g, x) => g.linear('fc2', g.relu('act', g.linear('fc1', x, { out: 32 })), { out: 4 }));
    expect(resolveDesign({ device: 'xc7s6', model: mlp }).layers.map((l) => `${l.path}:${l.kind}`)).toEqual(['input:input', 'fc1:linear', 'act:relu', 'fc2:linear']);

    const classifier = graph({ window: 128, features: 9, name: 'har' }, (g, x) => {
      const h = g.posenc('pe', g.linear('embed', x, { out: 16 }));
      const q = g.linear('q', h, { out: 16 });
      const k = g.linear('k', h, { out: 16 });
      const v = g.linear('v', h, { out: 16 });
      const a = g.softmax('attn', g.matmul('scores', q, k, { mode: 'scores', heads: 2 }));
      const ctx = g.linear('proj', g.matmul('ctx', a, v, { mode: 'context', heads: 2 }), { out: 16 });
      const y = g.layernorm('norm', g.add('residual', h, ctx));
      return g.softmax('probs', g.linear('classes', g.avgpool('pool', y), { out: 6 }));
    });
    const d = resolveDesign({ device: 'xc7s25', model: classifier });
    expect(d.name).toBe('har');
    expect(d.layers.at(-1)!.output.shape).toEqual([1, 6]);
    expect(d.layers.find((l) => l.path === 'scores')!.output.shape).toEqual([2, 128, 128]);
  });
});
