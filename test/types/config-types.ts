/**
 * Type tests for the config DSL, checked by `tsc -p test/types` (see types.test.ts). Every
 * `@ts-expect-error` must match a real error (otherwise tsc reports an unused directive), and every line
 * without one must compile.
 */
import { defineConfig, graph, transformer, type LayerPath, type TransformerPath } from '../../src/index.js';
import { KINDS, type KindDefinitions } from '../../src/kinds/index.js';

const model = transformer({ window: 24, inputFeatures: 7, dModel: 16, ffnDim: 64, encoderLayers: 2 });

// Valid paths compile, at every level.
defineConfig({
  device: 'xc7s15',
  model,
  defaults: { weightBits: 8, outputBits: 8 },
  kinds: { softmax: { outputBits: 6 }, linear: { multiplier: 'dsp' } },
  layers: {
    'encoder.0.ffn.fc1': { weightBits: 4, buffer: 'bram' },
    'encoder.1.attn.q': { weightStorage: 'lutram' },
    output_linear: { outputBits: 16 },
  },
});

defineConfig({
  device: 'xc7s15',
  model,
  layers: {
    // @ts-expect-error misspelled layer path
    'encoder.0.ffn.fc11': { weightBits: 4 },
  },
});

defineConfig({
  device: 'xc7s15',
  model,
  layers: {
    // @ts-expect-error encoder index out of range (encoderLayers: 2)
    'encoder.2.ffn.fc1': { weightBits: 4 },
  },
});

// @ts-expect-error bit width 17 is not a BitWidth
defineConfig({ device: 'xc7s15', model, defaults: { weightBits: 17 } });
// @ts-expect-error bit width 1
defineConfig({ device: 'xc7s15', model, defaults: { outputBits: 1 } });
// @ts-expect-error bit width 4.5
defineConfig({ device: 'xc7s15', model, defaults: { outputBits: 4.5 } });
// @ts-expect-error unknown device
defineConfig({ device: 'xc7s16', model });
// @ts-expect-error unknown storage
defineConfig({ device: 'xc7s15', model, defaults: { buffer: 'dram' } });
// @ts-expect-error 'logic' is a weight storage, not a buffer storage
defineConfig({ device: 'xc7s15', model, defaults: { buffer: 'logic' } });
// @ts-expect-error unknown multiplier mapping
defineConfig({ device: 'xc7s15', model, defaults: { multiplier: 'carry' } });
// @ts-expect-error unknown layer kind
defineConfig({ device: 'xc7s15', model, kinds: { gelu: { outputBits: 8 } } });
// @ts-expect-error missing model
defineConfig({ device: 'xc7s15' });
// @ts-expect-error unknown top-level key
defineConfig({ device: 'xc7s15', model, precision: {} });
// @ts-expect-error unknown transformer option
transformer({ window: 24, inputFeatures: 7, dModel: 16, dff: 64 });

// Graph-builder layers named with literals are typed paths too.
const mlp = graph({ window: 24, features: 7 }, (g, x) => {
  const h = g.relu('act', g.linear('fc1', x, { out: 32 }));
  return g.linear('fc2', h, { out: 1 });
});
type MlpPath = LayerPath<typeof mlp>;
const mlpPaths: MlpPath[] = ['input', 'fc1', 'act', 'fc2'];
void mlpPaths;
defineConfig({ device: 'xc7s6', model: mlp, layers: { fc1: { weightBits: 4 }, fc2: { outputBits: 16 } } });
// @ts-expect-error 'fc3' is not a layer of the MLP
defineConfig({ device: 'xc7s6', model: mlp, layers: { fc3: { weightBits: 4 } } });

// The function form is typed as well.
defineConfig(() => ({ device: 'xc7s15', model, layers: { 'encoder.1.ffn.fc2': { weightBits: 6 } } }));

// Path unions: exact for literal layer counts, template fallback for a runtime number.
const p1: TransformerPath<1> = 'encoder.0.attn.scores';
// @ts-expect-error a 1-layer model has no encoder.1
const p2: TransformerPath<1> = 'encoder.1.attn.scores';
const n = Number('3');
const wide = transformer({ window: 8, inputFeatures: 2, dModel: 8, encoderLayers: n });
defineConfig({ device: 'xc7s15', model: wide, layers: { 'encoder.7.ffn.fc1': { weightBits: 4 } } });
void p1;
void p2;

// The kinds registry is complete: a kind of the vocabulary without an entry does not compile.
const { relu: _relu, ...withoutRelu } = KINDS;
// @ts-expect-error every layer kind needs a registry entry
export const incomplete: KindDefinitions = withoutRelu;
// ...and a kind's slices are typed by its own dimensions: linear's plan reads linear dimensions only.
// @ts-expect-error softmax layers have no inFeatures
export const wrongDims = (n: Parameters<typeof KINDS.softmax.rules.widths>[0]) => n.inFeatures;
