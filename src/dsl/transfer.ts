/**
 * A config crosses the process boundary between the config worker (src/dsl/config-worker.ts) and kiln as plain
 * data. Functions cannot be copied, so the worker replays the model's recipe (`model.describe()`) itself and
 * sends its result: the GraphSpec, or the diagnostics the recipe threw. Everything else that cannot be
 * copied (functions, symbols, promises, weak collections) is sent as a placeholder, and kiln's process puts
 * back a stand-in of the same type, so `resolveDesign()` sees the same kinds of values as before and reports
 * them with the same messages ("got a function"), without ever running user code in kiln's process.
 */
import { types } from 'node:util';
import { diagnostic, isKilnError, KilnError, type Diagnostic } from './diagnostics.js';
import type { GraphSpec, Model } from './model.js';

/** Key of a placeholder object; no config could contain it by accident. */
const TAG = '\u0000kiln';

type Placeholder =
  | { [TAG]: 'function'; name: string }
  | { [TAG]: 'symbol'; description: string | undefined }
  /** A value that cannot be copied and that kiln never reads into (a Promise, a WeakMap…). */
  | { [TAG]: 'opaque' }
  | { [TAG]: 'model'; name: unknown; spec?: GraphSpec; diagnostics?: Diagnostic[] };

type Field = readonly (string | number)[];

/** Where the worker looks up the source location of an error thrown by user code (the recipe). */
export type StackLocator = (err: unknown) => Diagnostic['loc'] | undefined;

/** Deeper than this, a config is not a description of a design (and the copy would need unbounded stack). */
export const MAX_CONFIG_DEPTH = 1000;

/**
 * What a config may hold, in MB of data as kiln counts it (8 bytes a value or array element, a string's length,
 * the bytes of typed arrays and ArrayBuffers). A config describes a design; its data is copied to kiln and must
 * not take kiln's own memory (large data belongs in files: weights.file, data). Checked before each copy.
 */
export const MAX_CONFIG_DATA_MB = 64;
const MAX_CONFIG_DATA_BYTES = MAX_CONFIG_DATA_MB * 2 ** 20;
/** What kiln counts for one value, key or element. */
const VALUE_BYTES = 8;

/** Where a value sits in the config, built only when a diagnostic needs its field path. */
interface At {
  parent: At | undefined;
  key: string | number;
}
const fieldOf = (at: At | undefined): Field => {
  const out: (string | number)[] = [];
  for (let a = at; a; a = a.parent) out.push(a.key);
  return out.reverse();
};

/**
 * Worker side: the config value as structured-cloneable data. Reads every field (getters run here, under the
 * worker's limits) and replays the model recipe. Throws KilnError when reading a field throws, when the config
 * is not an object (an array, a typed array…), is nested deeper than MAX_CONFIG_DEPTH or holds more than
 * MAX_CONFIG_DATA_MB of data.
 */
export function encodeConfig(config: unknown, locate: StackLocator): unknown {
  const builtin = config !== null && typeof config === 'object' ? builtinKind(config) : undefined;
  // Refused before it is copied: spreading a Uint8Array(2 ** 30) or a new Array(2 ** 31) alone takes gigabytes.
  if (builtin) {
    throw new KilnError([diagnostic('KILN_E_CONFIG_SHAPE', [], `the config must export an object (or a function returning one), got ${builtin}`, 'export default defineConfig({ device: ..., model: ... })')]);
  }
  return withModuleMap(config, encodeData(config, locate), locate);
}

/**
 * A built-in object that is not a plain object, as a config error names it ("an array", "a Map"): what a config
 * must not be. Type checks only; no user code runs.
 */
function builtinKind(v: object): string | undefined {
  if (Array.isArray(v)) return 'an array';
  if (types.isTypedArray(v)) return 'a typed array';
  if (types.isAnyArrayBuffer(v)) return 'an ArrayBuffer';
  if (types.isDataView(v)) return 'a DataView';
  if (types.isMap(v)) return 'a Map';
  if (types.isSet(v)) return 'a Set';
  if (types.isWeakMap(v) || types.isWeakSet(v) || v instanceof WeakRef) return 'a weak reference';
  if (types.isDate(v)) return 'a Date';
  if (types.isRegExp(v)) return 'a RegExp';
  if (types.isBoxedPrimitive(v)) return 'a boxed primitive';
  if (types.isGeneratorObject(v)) return 'a generator';
  return undefined;
}

/** encodeConfig() for any value (the config, or the spec a model recipe returns). */
function encodeData(config: unknown, locate: StackLocator): unknown {
  const seen = new Map<object, unknown>();
  let budget = MAX_CONFIG_DATA_BYTES;
  /** Counts `bytes` of data at `at`; the config is refused once it holds more than MAX_CONFIG_DATA_MB. */
  const spend = (bytes: number, at: At | undefined) => {
    budget -= bytes;
    if (budget >= 0) return;
    const field = fieldOf(at).slice(0, 1);
    throw new KilnError([
      diagnostic(
        'KILN_E_CONFIG_SHAPE',
        field,
        `the config holds more than ${MAX_CONFIG_DATA_MB} MB of data${field.length > 0 ? ' under this field' : ''}`,
        'a config describes a design: keep large data (weights, time series) in files and name them (weights.file, data)',
      ),
    ]);
  };
  /** A getter or proxy trap of the config that throws is the config's error, named by its field. */
  const readFailed = (err: unknown, at: At | undefined): KilnError => {
    if (isKilnError(err)) return err;
    const d = diagnostic('KILN_E_CONFIG_LOAD', fieldOf(at), `reading this field threw: ${errorMessage(err)}`, 'fix the getter (or proxy) in the config');
    const loc = locate(err);
    return new KilnError([loc ? { ...d, loc } : d]);
  };
  const encode = (v: unknown, at: At | undefined, depth: number): unknown => {
    if (typeof v === 'function') return { [TAG]: 'function', name: v.name };
    if (typeof v === 'symbol') return { [TAG]: 'symbol', description: v.description };
    if (typeof v === 'string') spend(v.length, at);
    if (v === null || typeof v !== 'object') return v;
    if (seen.has(v)) return seen.get(v);
    spend(VALUE_BYTES, at);
    if (depth > MAX_CONFIG_DEPTH) {
      throw new KilnError([diagnostic('KILN_E_CONFIG_SHAPE', fieldOf(at).slice(0, 1), `the config is nested more than ${MAX_CONFIG_DEPTH} levels deep under this field`, 'a config describes a design: plain settings and the model')]);
    }
    if (at?.key === 'model' && at.parent === undefined && isModelLike(v)) {
      const out = replayModel(v, locate);
      seen.set(v, out);
      return out;
    }
    if (types.isPromise(v) || types.isWeakMap(v) || types.isWeakSet(v) || types.isGeneratorObject(v) || types.isExternal(v) || v instanceof WeakRef) {
      return { [TAG]: 'opaque' };
    }
    // Copied as they are by the structured clone (no user code inside).
    if (types.isTypedArray(v) || types.isAnyArrayBuffer(v) || types.isDataView(v) || types.isDate(v) || types.isRegExp(v) || types.isBoxedPrimitive(v)) {
      if (!types.isProxy(v)) {
        // (A view is copied with all of its buffer.)
        if (types.isTypedArray(v) || types.isDataView(v)) spend(v.buffer.byteLength, at);
        else if (types.isAnyArrayBuffer(v)) spend(v.byteLength, at);
        return v;
      }
    }
    if (types.isMap(v)) {
      const out = new Map<unknown, unknown>();
      seen.set(v, out);
      let entries: [unknown, unknown][];
      try {
        entries = [...v.entries()];
      } catch (err) {
        throw readFailed(err, at);
      }
      spend(entries.length * 2 * VALUE_BYTES, at);
      for (const [k, x] of entries) out.set(encode(k, at, depth + 1), encode(x, { parent: at, key: String(k) }, depth + 1));
      return out;
    }
    if (types.isSet(v)) {
      const out = new Set<unknown>();
      seen.set(v, out);
      let values: unknown[];
      try {
        values = [...v.values()];
      } catch (err) {
        throw readFailed(err, at);
      }
      spend(values.length * VALUE_BYTES, at);
      for (const x of values) out.add(encode(x, at, depth + 1));
      return out;
    }
    if (Array.isArray(v)) {
      const out: unknown[] = [];
      seen.set(v, out);
      let length: number;
      try {
        length = v.length;
      } catch (err) {
        throw readFailed(err, at);
      }
      // Counted before the copy: a holey new Array(2 ** 31) is refused at once, not after filling the heap.
      spend(length * VALUE_BYTES, at);
      for (let i = 0; i < length; i++) {
        let x: unknown;
        try {
          x = v[i];
        } catch (err) {
          throw readFailed(err, { parent: at, key: i });
        }
        // (Most elements of a large array are numbers: no path object for them.)
        if (typeof x === 'string') spend(x.length, at);
        out.push(x !== null && (typeof x === 'object' || typeof x === 'function' || typeof x === 'symbol') ? encode(x, { parent: at, key: i }, depth + 1) : x);
      }
      return out;
    }
    const out: Record<string, unknown> = {};
    seen.set(v, out);
    let keys: string[];
    try {
      keys = Object.keys(v);
    } catch (err) {
      throw readFailed(err, at);
    }
    spend(keys.length * VALUE_BYTES, at);
    for (const key of keys) {
      spend(key.length, at);
      let x: unknown;
      try {
        x = (v as Record<string, unknown>)[key];
      } catch (err) {
        throw readFailed(err, { parent: at, key });
      }
      out[key] = encode(x, { parent: at, key }, depth + 1);
    }
    return out;
  };
  return encode(config, undefined, 0);
}

/**
 * `weights.map` may be a function from a kiln layer path to the module path of its tensors in the weights file:
 * it is user code, so it runs here, once per layer of the replayed model, and travels as the record it makes.
 */
function withModuleMap(config: unknown, encoded: unknown, locate: StackLocator): unknown {
  // Only a function the config set as weights.map, as the copy has it (its own field of a plain object): not
  // Array.prototype.map of `weights: []`, which resolveDesign reports as a wrong type.
  const weights = (encoded as { weights?: unknown } | null)?.weights;
  const copied = isPlainRecord(weights) && Object.prototype.hasOwnProperty.call(weights, 'map') ? weights.map : undefined;
  if (copied === null || typeof copied !== 'object' || !isPlaceholder(copied) || copied[TAG] !== 'function') return encoded;
  const map = (config as { weights: { map: unknown } }).weights.map;
  const model = (encoded as { model?: Placeholder } | null)?.model;
  if (typeof map !== 'function' || !model || !(TAG in model) || model[TAG] !== 'model' || !model.spec) return encoded;
  const record: Record<string, unknown> = {};
  for (const layer of model.spec.layers) {
    try {
      record[layer.path] = (map as (path: string) => unknown)(layer.path);
    } catch (err) {
      const d = diagnostic('KILN_E_CONFIG_LOAD', ['weights', 'map'], `weights.map threw for layer '${layer.path}': ${errorMessage(err)}`, 'it maps a kiln layer path to the module path of its tensors');
      const loc = locate(err);
      throw new KilnError([loc ? { ...d, loc } : d]);
    }
  }
  (encoded as { weights: Record<string, unknown> }).weights.map = record;
  return encoded;
}

function isModelLike(v: object): v is Model {
  return (v as { kind?: unknown }).kind === 'kiln-model' && typeof (v as { describe?: unknown }).describe === 'function';
}

/** Runs the recipe; its result or its errors travel, with the source location of the call that failed. */
function replayModel(model: Model, locate: StackLocator): Placeholder {
  const name = typeof model.name === 'function' || typeof model.name === 'symbol' || (typeof model.name === 'object' && model.name !== null) ? undefined : model.name;
  try {
    const spec = model.describe();
    // A hand-made model could return anything; copy it like config data (shape errors are resolveDesign's).
    return { [TAG]: 'model', name, spec: encodeData(spec, locate) as GraphSpec };
  } catch (err) {
    const loc = locate(err);
    const diagnostics = isKilnError(err)
      ? err.diagnostics.map((d) => (d.loc || !loc ? d : { ...d, loc }))
      : [{ ...diagnostic('KILN_E_CONFIG_LOAD', ['model'], `the model recipe threw: ${errorMessage(err)}`), ...(loc ? { loc } : {}) }];
    return { [TAG]: 'model', name, diagnostics: diagnostics.map((d) => ({ ...d, path: [...d.path] })) };
  }
}

export function errorMessage(err: unknown): string {
  const m = (err as { message?: unknown } | undefined)?.message;
  return typeof m === 'string' ? m : String(err);
}

/**
 * Main side: the value the config exported, with stand-ins for what could not be copied. The model becomes a
 * Model whose describe() returns the replayed spec (or throws the replayed diagnostics), so resolveDesign()
 * takes it unchanged. Rewrites the (freshly cloned) data in place, keeping shared and circular references.
 */
export function decodeConfig(data: unknown): unknown {
  const done = new Set<object>();
  const decode = (v: unknown): unknown => {
    if (v === null || typeof v !== 'object') return v;
    if (isPlaceholder(v)) return standIn(v);
    if (done.has(v)) return v;
    done.add(v);
    if (v instanceof Map) {
      for (const [k, x] of [...v.entries()]) {
        v.delete(k);
        v.set(decode(k), decode(x));
      }
    } else if (v instanceof Set) {
      for (const x of [...v.values()]) {
        const d = decode(x);
        if (d !== x) {
          v.delete(x);
          v.add(d);
        }
      }
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i++) {
        const x: unknown = v[i];
        if (x !== null && typeof x === 'object') v[i] = decode(x);
      }
    } else if (Object.getPrototypeOf(v) === Object.prototype) {
      const o = v as Record<string, unknown>;
      for (const key of Object.keys(o)) o[key] = decode(o[key]);
    }
    return v;
  };
  return decode(data);
}

function isPlaceholder(v: object): v is Placeholder {
  return Object.prototype.hasOwnProperty.call(v, TAG);
}

/** An object as the copy makes one from a config's object (not an array, Map or other built-in). */
function isPlainRecord(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype && !isPlaceholder(v);
}

function standIn(p: Placeholder): unknown {
  switch (p[TAG]) {
    case 'function': {
      // Never called by kiln; its type is what resolveDesign reports ("got a function").
      const f = function configFunction(): never {
        throw new Error('a function of the config cannot run outside the config worker');
      };
      Object.defineProperty(f, 'name', { value: p.name });
      return f;
    }
    case 'symbol':
      return Symbol(p.description);
    case 'opaque':
      return {};
    case 'model': {
      const { spec, diagnostics } = p;
      const model: Model = {
        kind: 'kiln-model',
        name: p.name as string,
        describe(): GraphSpec {
          if (diagnostics) throw new KilnError(diagnostics);
          return spec!;
        },
      };
      return model;
    }
  }
}
