/**
 * The independent float oracle: the training side (models/*, PyTorch) wrote golden float outputs for test windows
 * next to the weights; kiln's float forward of the same weights, read from the safetensors file and from the ONNX
 * file, must match them within 1e-4 relative error. Also: kiln's windows and normalisation of the CSV equal the
 * training script's.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bindWeights, loadTensorFile } from '../../src/params/index.js';
import { transformer } from '../../src/index.js';
import { resolveDesign } from '../../src/ir/index.js';
import { floatForward } from '../../src/reference/index.js';
import { readCsvColumns } from '../../src/data/csv.js';
import { seriesDataset } from '../../src/data/series.js';
import { ROOT } from '../helpers.js';

interface Golden {
  transformer: Parameters<typeof transformer>[0];
  windows: number[][][];
  outputs: number[][];
  features?: string[];
  target?: string;
  normalization?: { mean: number[]; std: number[] };
  windowStartRows?: number[];
}

const golden = (model: string) => JSON.parse(readFileSync(join(ROOT, 'models', model, 'golden.json'), 'utf8')) as Golden;

/** Largest |kiln − oracle| / max(|oracle|, 1e-3) over every golden output. */
function worstRelativeError(model: string, file: string): number {
  const g = golden(model);
  const design = resolveDesign({ device: 'xc7s100', model: transformer(g.transformer) });
  const bound = bindWeights(design, loadTensorFile(join(ROOT, 'models', model, file)));
  const windows = { samples: g.windows.length, data: Float64Array.from(g.windows.flat(2)) };
  const out = floatForward(design, bound.params, windows).get(design.output)!.data;
  const expected = g.outputs.flat();
  expect(out.length).toBe(expected.length);
  return Math.max(...expected.map((e, i) => Math.abs(out[i]! - e) / Math.max(Math.abs(e), 1e-3)));
}

describe('float oracle', () => {
  for (const model of ['airbase-pm10', 'other-shape']) {
    for (const file of ['model.safetensors', 'model.onnx']) {
      it(`${model}/${file}: kiln's float forward equals the PyTorch outputs within 1e-4`, () => {
        expect(worstRelativeError(model, file)).toBeLessThan(1e-4);
      });
    }
  }

  it("kiln's windows and normalisation of the CSV are the training script's", () => {
    const g = golden('airbase-pm10');
    const text = readFileSync(join(ROOT, 'models', 'airbase-pm10', 'data.csv'), 'utf8');
    const { columns, rows } = readCsvColumns(text, 'data.csv', g.features!);
    const ds = seriesDataset(columns, rows, 'data.csv', { window: 24, features: g.features!, targets: [g.target!], horizon: 1, split: { train: 0.7, validation: 0.15 }, normalize: 'train' });
    ds.normalization.mean.forEach((m, i) => expect(m).toBeCloseTo(g.normalization!.mean[i]!, 9));
    ds.normalization.std.forEach((s, i) => expect(s).toBeCloseTo(g.normalization!.std[i]!, 9));
    // The golden windows are test-split windows starting at the recorded rows.
    const test = ds.splits.test;
    g.windowStartRows!.forEach((row, k) => {
      const w = row - test.rows[0];
      const mine = test.windows.data.subarray(w * 24 * 8, (w + 1) * 24 * 8);
      expect(Math.max(...g.windows[k]!.flat().map((v, i) => Math.abs(v - mine[i]!)))).toBeLessThan(1e-9);
    });
  });
});
