/**
 * The float calibration kept between processes (one-shot `kiln build`): each layer's float key and output range
 * in `<out>/.kiln/calibration.json`. The range is all that quantizing a layer needs of its float outputs, so a
 * layer whose key matches a stored one skips the float forward (src/reference/quantize.ts); its outputs are
 * computed again only if a layer downstream of it changed structure and needs them as its inputs.
 */
import { join } from 'node:path';
import { createQuantizeCache, type QuantizeCache } from '../reference/index.js';
import { KILN_DIR, writeKilnFile } from './manifest.js';
import { readTextIfExists } from './write.js';

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
