/**
 * quantizeModel with memory: the same computation as src/reference/quantize.ts, but the float calibration of
 * each layer (its synthetic float parameters and its float outputs over the calibration windows, the
 * expensive part) is kept between builds and reused while the layer's *structure* is unchanged, and so is its
 * QuantLayer while the layer and the quantization of its inputs and output are unchanged.
 *
 * Why this is exact: a layer's float parameters depend only on (seed, path, kind, dimensions) and its float
 * outputs only on those and its producers' float outputs; bit widths, storage and multipliers never enter the
 * float forward. So the float key is (seed, path, kind, dims, shapes, producers' float keys). A test checks
 * that the result equals quantizeModel() after every edit of a sequence (test/watch/quantize.test.ts).
 */
import { affineParams, quantize, type AffineParams } from '../arith/index.js';
import type { LayerNode, ResolvedDesign } from '../ir/types.js';
import { CALIBRATION_WINDOWS, KIND_SEMANTICS, quantizeLayer, syntheticWindows } from '../reference/index.js';
import { minMax } from '../reference/kinds/_shared.js';
import { createRng } from '../reference/rng.js';
import type { FloatBatch, FloatParams, QuantizedModel, QuantLayer } from '../reference/types.js';
import { hashValue } from './_hash.js';
import { arithmeticView } from './units.js';

interface FloatEntry {
  key: string;
  params: FloatParams;
  out: FloatBatch;
  range: { min: number; max: number };
}

/** Derived state kept between builds of one watch session. */
export interface QuantizeCache {
  calibration?: { key: string; batch: FloatBatch };
  floats: Map<string, FloatEntry>;
  quant: Map<string, { sig: string; layer: QuantLayer }>;
}

export interface QuantizeStats {
  /** Layers whose float calibration was (re)computed. */
  floatComputed: string[];
  /** Layers whose integer parameters were (re)computed. */
  quantComputed: string[];
}

export function createQuantizeCache(): QuantizeCache {
  return { floats: new Map(), quant: new Map() };
}

/** The layer's structure: everything its float parameters and float forward can depend on. */
function floatKey(node: LayerNode, seed: number, producers: readonly string[], calibration: string | undefined): string {
  return hashValue({
    seed,
    path: node.path,
    kind: node.kind,
    dims: node.dims,
    shape: node.output.shape,
    elements: node.output.elements,
    inputs: node.inputs.map((i, k) => ({ from: i.from, shape: i.shape, elements: i.elements, float: producers[k] })),
    calibration,
  });
}

/** Returns the same QuantizedModel as quantizeModel(design), reusing what the cache holds. */
export function quantizeDesign(design: ResolvedDesign, cache: QuantizeCache = createQuantizeCache()): { model: QuantizedModel; stats: QuantizeStats } {
  const stats: QuantizeStats = { floatComputed: [], quantComputed: [] };
  const seed = design.weights.seed;
  const inputNode = design.layers[0]!;
  const [rows, cols] = [inputNode.output.shape[0]!, inputNode.output.shape[1]!];
  const calKey = `${seed}:${rows}x${cols}x${CALIBRATION_WINDOWS + 1}`;
  if (cache.calibration?.key !== calKey) {
    cache.calibration = { key: calKey, batch: syntheticWindows(rows, cols, CALIBRATION_WINDOWS + 1, seed) };
    cache.floats.clear();
  }
  const calibration = cache.calibration.batch;
  const keys = new Map<string, string>();
  const outputs = new Map<string, FloatBatch>();
  const quant = new Map<string, AffineParams>();
  const layers = new Map<string, QuantLayer>();

  for (const node of design.layers) {
    const sem = KIND_SEMANTICS[node.kind];
    const key = floatKey(node, seed, node.inputs.map((i) => keys.get(i.from)!), node.kind === 'input' ? calKey : undefined);
    keys.set(node.path, key);
    let entry = cache.floats.get(node.path);
    if (entry?.key !== key) {
      const params = sem.init(node, createRng(seed, node.path));
      const inputs = node.kind === 'input' ? [calibration] : node.inputs.map((i) => outputs.get(i.from)!);
      const out = sem.float(node, params, inputs);
      entry = { key, params, out, range: minMax(out.data) };
      cache.floats.set(node.path, entry);
      stats.floatComputed.push(node.path);
    }
    outputs.set(node.path, entry.out);
    const inQ = node.inputs.map((i) => quant.get(i.from)!);
    const outQ = sem.fixedOutput?.(node, inQ) ?? affineParams(entry.range.min, entry.range.max, node.output.bits);
    quant.set(node.path, outQ);
    const sig = hashValue({ key, node: arithmeticView(node), inQ, outQ });
    let q = cache.quant.get(node.path);
    if (q?.sig !== sig) {
      q = { sig, layer: { path: node.path, kind: node.kind, inputs: inQ, output: outQ, params: quantizeLayer(node, () => sem.quantize(node, entry.params, inQ, outQ)) } };
      cache.quant.set(node.path, q);
      stats.quantComputed.push(node.path);
    }
    layers.set(node.path, q.layer);
  }
  for (const path of [...cache.floats.keys()]) if (!layers.has(path)) cache.floats.delete(path);
  for (const path of [...cache.quant.keys()]) if (!layers.has(path)) cache.quant.delete(path);

  const inQ = quant.get(inputNode.path)!;
  const n = rows * cols;
  const sample = Int32Array.from(calibration.data.subarray(CALIBRATION_WINDOWS * n), (v) => quantize(v, inQ));
  return { model: { source: 'synthetic', seed, layers, sampleInput: sample }, stats };
}
