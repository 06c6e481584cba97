/**
 * Synthetic quantized model: PyTorch-style random float parameters, calibrated like post-training
 * quantization (a float forward over synthetic time-series windows gives every tensor's range), then
 * quantized with the integer arithmetic of src/arith. Deterministic in (seed, layer path).
 */
import { affineParams, quantizeAll, type AffineParams } from '../arith/index.js';
import { fail, isKilnError } from '../dsl/diagnostics.js';
import type { LayerNode, ResolvedDesign } from '../ir/types.js';
import { KIND_SEMANTICS } from './kinds/index.js';
import { minMax } from './kinds/_shared.js';
import { createRng } from './rng.js';
import type { FloatBatch, FloatParams, QuantizedModel, QuantLayer } from './types.js';

/** Windows in the calibration batch. */
export const CALIBRATION_WINDOWS = 16;

/** Synthetic multivariate time series in [0, 1] (like min-max-scaled sensor data): one sinusoid per feature plus noise. */
export function syntheticWindows(rows: number, cols: number, windows: number, seed: number): FloatBatch {
  const rng = createRng(seed, 'input-data');
  const period = Array.from({ length: cols }, () => rng.uniform(6, 48));
  const amplitude = Array.from({ length: cols }, () => rng.uniform(0.15, 0.4));
  const data = new Float64Array(windows * rows * cols);
  for (let w = 0; w < windows; w++) {
    const start = rng.uniform(0, 1000);
    for (let t = 0; t < rows; t++)
      for (let c = 0; c < cols; c++) {
        const v = 0.5 + amplitude[c]! * Math.sin((2 * Math.PI * (start + t)) / period[c]!) + 0.05 * rng.normal();
        data[(w * rows + t) * cols + c] = Math.min(1, Math.max(0, v));
      }
  }
  return { samples: windows, data };
}

export function quantizeModel(design: ResolvedDesign): QuantizedModel {
  const seed = design.weights.seed;
  const inputNode = design.layers[0]!;
  const [rows, cols] = [inputNode.output.shape[0]!, inputNode.output.shape[1]!];
  const calibration = syntheticWindows(rows, cols, CALIBRATION_WINDOWS + 1, seed);
  const outputs = new Map<string, FloatBatch>();
  const quant = new Map<string, AffineParams>();
  const floatParams = new Map<string, FloatParams>();
  const layers = new Map<string, QuantLayer>();

  for (const node of design.layers) {
    const sem = KIND_SEMANTICS[node.kind];
    const params = sem.init(node, createRng(seed, node.path));
    floatParams.set(node.path, params);
    const inputs = node.kind === 'input' ? [calibration] : node.inputs.map((i) => outputs.get(i.from)!);
    const out = sem.float(node, params, inputs);
    outputs.set(node.path, out);
    const inQ = node.inputs.map((i) => quant.get(i.from)!);
    const outQ = sem.fixedOutput?.(node, inQ) ?? calibrated(node, out);
    quant.set(node.path, outQ);
    layers.set(node.path, { path: node.path, kind: node.kind, inputs: inQ, output: outQ, params: quantizeLayer(node, () => sem.quantize(node, params, inQ, outQ)) });
  }

  // The last window was held out of nothing in particular; it is the sample inference of the model.
  const inQ = quant.get(inputNode.path)!;
  const n = rows * cols;
  const sample = quantizeAll(calibration.data.subarray(CALIBRATION_WINDOWS * n), inQ);
  return { source: 'synthetic', seed, layers, sampleInput: sample };
}

/**
 * Runs a kind's parameter quantization; a factor it cannot represent (e.g. a requantization multiplier out of
 * range) becomes a diagnostic naming the layer instead of an internal error.
 */
export function quantizeLayer<T>(node: LayerNode, quantize: () => T): T {
  try {
    return quantize();
  } catch (err) {
    if (isKilnError(err)) throw err;
    return fail('KILN_E_UNSUPPORTED', ['model', node.path], `cannot quantize '${node.path}': ${(err as Error).message}`, 'change the widths of this layer or its neighbours');
  }
}

function calibrated(node: LayerNode, out: FloatBatch): AffineParams {
  const { min, max } = minMax(out.data);
  return affineParams(min, max, node.output.bits);
}
