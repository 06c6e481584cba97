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
 *
 * Between processes (one-shot `kiln build`), what is kept is each layer's float key and output range in
 * `<out>/.kiln/calibration.json`: the range is all that quantizing a layer needs of its float outputs, so a
 * layer whose key matches a stored one skips the float forward; its outputs are computed again only if a
 * layer downstream of it changed structure and needs them as its inputs.
 */
import { join } from 'node:path';
import { affineParams, quantizeAll, type AffineParams } from '../arith/index.js';
import { readTextIfExists } from './write.js';
import type { LayerNode, ResolvedDesign } from '../ir/types.js';
import { CALIBRATION_WINDOWS, KIND_SEMANTICS, quantizeLayer, syntheticWindows } from '../reference/index.js';
import { minMax } from '../reference/kinds/_shared.js';
import { createRng } from '../reference/rng.js';
import type { FloatBatch, FloatParams, KindSemantics, QuantizedModel, QuantLayer } from '../reference/types.js';
import { hashValue } from '../util/hash.js';
import { KILN_DIR, writeKilnFile } from './manifest.js';
import { arithmeticView } from './units.js';

interface FloatEntry {
  key: string;
  /** Absent for an entry read from disk until the layer is quantized. */
  params?: FloatParams;
  /** Absent for an entry read from disk until a layer downstream needs it as its input. */
  out?: FloatBatch;
  range: { min: number; max: number };
  /** The statistics its float forward recorded into its params (KindSemantics.statistics), kept for the store. */
  statistics?: Record<string, Float64Array>;
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

function statisticsOf(sem: KindSemantics, params: FloatParams): { statistics?: Record<string, Float64Array> } {
  if (!sem.statistics) return {};
  return { statistics: Object.fromEntries(sem.statistics.map((name) => [name, params[name] as Float64Array])) };
}

/** Returns the same QuantizedModel as quantizeModel(design), reusing what the cache holds. */
export function quantizeDesign(design: ResolvedDesign, cache: QuantizeCache = createQuantizeCache()): { model: QuantizedModel; stats: QuantizeStats } {
  const stats: QuantizeStats = { floatComputed: [], quantComputed: [] };
  const seed = design.weights.seed;
  const inputNode = design.layers[0]!;
  const [rows, cols] = [inputNode.output.shape[0]!, inputNode.output.shape[1]!];
  const calKey = `${seed}:${rows}x${cols}x${CALIBRATION_WINDOWS + 1}`;
  // (Every float key chains from the input layer's, which includes calKey: entries of another calibration
  // set simply stop matching.)
  if (cache.calibration?.key !== calKey) cache.calibration = { key: calKey, batch: syntheticWindows(rows, cols, CALIBRATION_WINDOWS + 1, seed) };
  const calibration = cache.calibration.batch;
  const keys = new Map<string, string>();
  const quant = new Map<string, AffineParams>();
  const layers = new Map<string, QuantLayer>();

  const nodes = new Map(design.layers.map((n) => [n.path, n]));
  const entries = new Map<string, FloatEntry>();
  /** The float forward of one layer, with fresh synthetic parameters (into which it records its statistics). */
  const runFloat = (node: LayerNode): { params: FloatParams; out: FloatBatch } => {
    const sem = KIND_SEMANTICS[node.kind];
    const params = sem.init(node, createRng(seed, node.path));
    const inputs = node.kind === 'input' ? [calibration] : node.inputs.map((i) => floatOutput(i.from));
    stats.floatComputed.push(node.path);
    return { params, out: sem.float(node, params, inputs) };
  };
  /** A layer's float outputs, computed (with those of its producers) when an entry from disk lacks them. */
  const floatOutput = (path: string): FloatBatch => {
    const entry = entries.get(path)!;
    entry.out ??= runFloat(nodes.get(path)!).out;
    return entry.out;
  };

  for (const node of design.layers) {
    const sem = KIND_SEMANTICS[node.kind];
    const key = floatKey(node, seed, node.inputs.map((i) => keys.get(i.from)!), node.kind === 'input' ? calKey : undefined);
    keys.set(node.path, key);
    let entry = cache.floats.get(node.path);
    // A stored entry without the statistics its kind records cannot stand in for the float forward.
    if (entry && !entry.params && sem.statistics?.some((name) => !entry!.statistics?.[name])) entry = undefined;
    if (entry?.key !== key) {
      const { params, out } = runFloat(node);
      entry = { key, params, out, range: minMax(out.data), ...statisticsOf(sem, params) };
      cache.floats.set(node.path, entry);
    }
    // An entry from the store: fresh synthetic parameters plus the statistics its float forward recorded.
    entry.params ??= { ...sem.init(node, createRng(seed, node.path)), ...entry.statistics };
    entries.set(node.path, entry);
    const inQ = node.inputs.map((i) => quant.get(i.from)!);
    const outQ = sem.fixedOutput?.(node, inQ) ?? affineParams(entry.range.min, entry.range.max, node.output.bits);
    quant.set(node.path, outQ);
    const sig = hashValue({ key, node: arithmeticView(node), inQ, outQ });
    let q = cache.quant.get(node.path);
    if (q?.sig !== sig) {
      const params = entry.params;
      q = { sig, layer: { path: node.path, kind: node.kind, inputs: inQ, output: outQ, params: quantizeLayer(node, () => sem.quantize(node, params, inQ, outQ)) } };
      cache.quant.set(node.path, q);
      stats.quantComputed.push(node.path);
    }
    layers.set(node.path, q.layer);
  }
  for (const path of [...cache.floats.keys()]) if (!layers.has(path)) cache.floats.delete(path);
  for (const path of [...cache.quant.keys()]) if (!layers.has(path)) cache.quant.delete(path);

  const inQ = quant.get(inputNode.path)!;
  const n = rows * cols;
  const sample = quantizeAll(calibration.data.subarray(CALIBRATION_WINDOWS * n), inQ);
  return { model: { source: 'synthetic', seed, layers, sampleInput: sample }, stats };
}

// ───────────────────────────── on disk ─────────────────────────────

export const CALIBRATION_FILE = `${KILN_DIR}/calibration.json`;
const CALIBRATION_SCHEMA = 'kiln-calibration-cache';

interface StoredCalibration {
  schema: typeof CALIBRATION_SCHEMA;
  /** The generator revision that computed it: float semantics live in the hashed code (src/reference). */
  generator: string;
  layers: Record<string, { key: string; min: number; max: number; statistics?: Record<string, number[]> }>;
}

/**
 * A cache holding the float keys and output ranges stored by an earlier build into `outDir`. Anything
 * unreadable, malformed or written by another generator gives an empty cache: it is only ever a shortcut,
 * and every entry is used only where its key matches the layer's key computed now.
 */
export function readQuantizeCache(outDir: string, generator: string): QuantizeCache {
  const cache = createQuantizeCache();
  let stored: Partial<StoredCalibration>;
  try {
    stored = JSON.parse(readTextIfExists(join(outDir, CALIBRATION_FILE)) ?? 'null') as Partial<StoredCalibration>;
  } catch {
    return cache;
  }
  if (stored?.schema !== CALIBRATION_SCHEMA || stored.generator !== generator || typeof stored.layers !== 'object' || stored.layers === null) return cache;
  for (const [path, e] of Object.entries(stored.layers)) {
    const ok = typeof e === 'object' && e !== null && typeof e.key === 'string' && /^[0-9a-f]{64}$/.test(e.key) && Number.isFinite(e.min) && Number.isFinite(e.max) && e.min <= e.max;
    const statistics = ok ? readStatistics(e.statistics) : undefined;
    if (ok && statistics !== null) cache.floats.set(path, { key: e.key, range: { min: e.min, max: e.max }, ...(statistics ? { statistics } : {}) });
  }
  return cache;
}

/** Stored statistics as Float64Arrays; undefined when there are none, null when they are malformed. */
function readStatistics(v: unknown): Record<string, Float64Array> | undefined | null {
  if (v === undefined) return undefined;
  if (typeof v !== 'object' || v === null) return null;
  const out: Record<string, Float64Array> = {};
  for (const [name, values] of Object.entries(v)) {
    if (!Array.isArray(values) || !values.every((x) => Number.isFinite(x))) return null;
    out[name] = Float64Array.from(values as number[]);
  }
  return out;
}

/** Stores the cache's float keys and ranges for the next process (atomically; only when they changed). */
export function writeQuantizeCache(outDir: string, cache: QuantizeCache, generator: string): void {
  const layers: StoredCalibration['layers'] = {};
  for (const [path, e] of cache.floats) {
    const statistics = e.statistics && Object.fromEntries(Object.entries(e.statistics).map(([name, values]) => [name, Array.from(values)]));
    layers[path] = { key: e.key, min: e.range.min, max: e.range.max, ...(statistics ? { statistics } : {}) };
  }
  const text = JSON.stringify({ schema: CALIBRATION_SCHEMA, generator, layers } satisfies StoredCalibration) + '\n';
  const path = join(outDir, CALIBRATION_FILE);
  if (readTextIfExists(path) !== text) writeKilnFile(path, text);
}
