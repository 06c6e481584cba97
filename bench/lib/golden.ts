/**
 * The estimator's golden figures: every layer's estimate of a few models, committed in
 * test/estimator/golden.json and compared exactly by test/estimator/golden.test.ts, so that a change to a
 * coefficient, a counting rule or a plan shows up without tools. `npm run bench:calibrate` rewrites the file
 * after a refit (with the new factors); `npm run bench:calibrate -- --golden` rewrites it alone, after a
 * deliberate change to the structural model.
 */
import { graph, transformer, type KilnConfig } from '../../src/index.js';
import { estimateDesign, type Calibration, type Cost } from '../../src/estimator/index.js';
import { resolveDesign } from '../../src/ir/index.js';

export const GOLDEN_FILE = 'test/estimator/golden.json';

/** Shapes spread over the kinds, storages, mappings and widths (not tuned to anything). */
export const GOLDEN_MODELS: Record<string, KilnConfig> = {
  'default shape, 8-bit': { device: 'xc7s15', model: transformer({ window: 24, inputFeatures: 8, dModel: 16, ffnDim: 64 }) },
  'd24 h2, 6-bit, lutram, LUT multipliers': { device: 'xc7s50', model: transformer({ window: 12, inputFeatures: 7, dModel: 24, heads: 2, ffnDim: 96 }), defaults: { weightBits: 6, outputBits: 6, buffer: 'lutram', multiplier: 'lut' } },
  'd32 h4 L2, layer norm, mixed widths': {
    device: 'xc7s50',
    model: transformer({ window: 20, inputFeatures: 5, dModel: 32, heads: 4, ffnDim: 48, encoderLayers: 2, norm: 'layernorm' }),
    defaults: { weightBits: 5, outputBits: 7, weightStorage: 'bram' },
    layers: { 'encoder.1.ffn.fc1': { weightBits: 3, buffer: 'registers' } },
  },
  'graph MLP, 12-bit': {
    device: 'xc7s25',
    model: graph({ window: 9, features: 3, name: 'mlp' }, (g, x) => g.linear('forecast', g.relu('act', g.linear('hidden', x, { out: 40 })), { out: 2 })),
    defaults: { weightBits: 12, outputBits: 12 },
  },
};

export type GoldenLayer = Cost & { path: string; cycles: number };

export function goldenEstimates(calibration?: Calibration): Record<string, { layers: GoldenLayer[]; top: Omit<GoldenLayer, 'path' | 'cycles'>; total: Omit<GoldenLayer, 'path'> }> {
  return Object.fromEntries(
    Object.entries(GOLDEN_MODELS).map(([name, config]) => {
      const e = estimateDesign(resolveDesign(config), calibration);
      const pick = ({ lut, ff, lutram, bram18, dsp }: Omit<GoldenLayer, 'path' | 'cycles'>) => ({ lut, ff, lutram, bram18, dsp });
      return [name, { layers: e.layers.map((l) => ({ path: l.path, ...pick(l), cycles: l.cycles })), top: pick(e.top), total: { ...pick(e.total), cycles: e.total.cycles } }];
    }),
  );
}
