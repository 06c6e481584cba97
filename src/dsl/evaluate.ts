/**
 * Inside the config worker (src/dsl/config-worker.ts): loads one config module with jiti, so a TypeScript
 * config can import its own local helpers, calls its `(env) => config` function, awaits what it exports, and
 * turns the result into plain data (src/dsl/transfer.ts). `kiln-fpga` imports inside the config resolve to the
 * worker's own copy of kiln, so examples work without installing the package into themselves. Errors become
 * diagnostics located in the user's source (src/dsl/source-positions.ts).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createJiti, type TransformOptions, type TransformResult } from 'jiti';
import { diagnostic, isKilnError, KilnError, type Diagnostic, type SourceLocation } from './diagnostics.js';
import { clearSourceMaps, originalPosition } from './source-positions.js';
import { encodeConfig, errorMessage } from './transfer.js';
import { fastTransform, isFullTransformNeeded, loadSucrase, recordingTransform } from './transpile.js';
import type { ConfigEnv } from './types.js';

export type EvaluateResult = { ok: true; config: unknown } | { ok: false; diagnostics: Diagnostic[] };

/** Path of kiln's own public entry, matching how this module runs (src under tests, dist when built). */
function kilnEntry(): string {
  const here = fileURLToPath(import.meta.url);
  return join(dirname(here), '..', here.endsWith('.ts') ? 'index.ts' : 'index.js');
}

/** kiln's own code (src/ or dist/): never the place to blame for an error. */
const KILN_CODE = dirname(kilnEntry()) + sep;

/**
 * The worker's own kiln public module, handed to configs as `kiln-fpga`: a config (and every helper it imports)
 * is evaluated fresh on each load, but kiln itself is not, which keeps a reload in watch mode at a few
 * milliseconds instead of re-transpiling kiln every time.
 */
let kilnModule: Promise<object> | undefined;
let babel: ((opts: TransformOptions) => TransformResult) | undefined;

/**
 * Built kiln loads only the DSL up front (defineConfig, transformer, graph, the vocabularies); the rest of its
 * public API (the device database, resolveDesign, estimateDesign) is loaded when a config first reads it,
 * synchronously (require() of an ES module, Node ≥ 20.19). That spares each worker start ~25 ms for a config
 * that only describes a design. From the TypeScript sources (tests) everything is loaded up front.
 */
async function publicModule(): Promise<object> {
  if (import.meta.url.endsWith('.ts')) return import('../index.js');
  const dsl: object = await import('./index.js');
  let full: Record<string | symbol, unknown> | undefined;
  const everything = () => (full ??= createRequire(import.meta.url)('../index.js') as Record<string | symbol, unknown>);
  return new Proxy(
    { ...dsl },
    {
      get: (t, k) => (k in t ? Reflect.get(t, k) : everything()[k]),
      has: (t, k) => k in t || k in everything(),
      ownKeys: () => Reflect.ownKeys(everything()),
      getOwnPropertyDescriptor: (t, k) => Reflect.getOwnPropertyDescriptor(t, k) ?? (k in everything() ? { value: everything()[k], enumerable: true, configurable: true, writable: false } : undefined),
    },
  );
}

/** Loads what a config load needs up front (the worker does so while it starts, before any request). */
export async function preload(): Promise<void> {
  kilnModule ??= publicModule();
  loadSucrase();
  await kilnModule;
}

/**
 * Loads one config module with jiti and returns its exports. The fast transform (sucrase,
 * src/dsl/transpile.ts) is tried first; a module it refuses makes the whole config load again with jiti's
 * default transform (Babel), which handles everything.
 */
async function importModule(filepath: string): Promise<Record<string, unknown>> {
  kilnModule ??= publicModule();
  const virtualModules = { 'kiln-fpga': await kilnModule };
  const load = (fast: boolean) => {
    const options = { alias: { 'kiln-fpga': kilnEntry() }, virtualModules, moduleCache: false, fsCache: false, interopDefault: false };
    // jiti's default transform (Babel), wrapped to keep each module's source map.
    babel ??= recordingTransform(createJiti(filepath, { fsCache: false }).options.transform as (o: TransformOptions) => TransformResult);
    const jiti = createJiti(pathToFileURL(filepath).href, { ...options, sourceMaps: !fast, transform: fast ? fastTransform : babel });
    // Always through the transform: jiti.import() hands an .mjs file to Node's own loader, which caches it
    // (a reload in watch mode would see the old file) and resolves `kiln-fpga` from the config's folder.
    // The exports come as they are (no interopDefault): jiti's interop proxy forwards `then` of a thenable
    // default export, and awaiting the module would then resolve it in place of the module. (The transforms
    // give imports their own default interop.)
    return jiti.evalModule(readFileSync(filepath, 'utf8'), { filename: filepath, async: true, forceTranspile: true }) as Promise<Record<string, unknown>>;
  };
  try {
    return await load(true);
  } catch (err) {
    if (!isFullTransformNeeded(err)) throw err;
    clearSourceMaps();
    return await load(false);
  }
}

/**
 * The config a module exports: its default export, or what a CommonJS module assigned to `module.exports`.
 * A module with only named exports (or none) is an error of its own, not an empty config.
 */
function exportedConfig(mod: unknown, filepath: string): unknown {
  // module.exports = (env) => config, or = a Promise: the config itself, like a default export.
  if (typeof mod === 'function' || typeof (mod as { then?: unknown } | null)?.then === 'function') return mod;
  const exports = mod as Record<string, unknown>;
  const hasDefault = Object.getOwnPropertyDescriptor(exports, 'default') !== undefined;
  if (hasDefault) return exports.default;
  let source = '';
  try {
    source = readFileSync(filepath, 'utf8');
  } catch {
    /* located without it */
  }
  // An ES module (flagged by the transform, or written with `export`) never assigns module.exports.
  const esm = Object.getOwnPropertyDescriptor(exports, '__esModule')?.value === true || ESM_EXPORT.test(source);
  const named = Object.keys(exports).filter((k) => k !== '__esModule');
  if (!esm && named.length > 0) return exports; // module.exports = { … }
  const at = ESM_EXPORT.exec(source);
  const loc = at ? offsetLocation(source, filepath, at.index + at[0].indexOf('export')) : { file: filepath, line: 1, column: 1 };
  throw new KilnError([
    {
      ...diagnostic(
        'KILN_E_CONFIG_LOAD',
        [],
        `the config has no default export${named.length > 0 ? ` (it exports ${named.map((n) => `'${n}'`).join(', ')})` : ''}`,
        'export default defineConfig({ device: ..., model: ... })',
      ),
      loc,
    },
  ]);
}

/** An `export` statement at the start of a line. */
const ESM_EXPORT = /^\s*export\b/m;

/** Loads the config file, calls its function export with `env`, awaits it, and returns it as plain data. */
export async function evaluateConfig(filepath: string, env: ConfigEnv): Promise<EvaluateResult> {
  clearSourceMaps();
  try {
    let config = exportedConfig(await importModule(filepath), filepath);
    // A Promise export, and a function export (called with the env), may each need waiting for.
    config = await config;
    if (typeof config === 'function') config = await (config as (e: ConfigEnv) => unknown)(env);
    return { ok: true, config: encodeConfig(config, (err) => stackLocation(err, filepath)) };
  } catch (err) {
    return { ok: false, diagnostics: [...loadError(err, filepath).diagnostics] };
  }
}

export function loadError(err: unknown, file: string): KilnError {
  if (isKilnError(err)) return err;
  const parse = parseError(err, file);
  if (parse) return parse;
  const text = errorMessage(err);
  const message = text.split('\n')[0]!.trim();
  const loc = stackLocation(err, file);
  const d = diagnostic('KILN_E_CONFIG_LOAD', [], `loading ${file} failed: ${message}`, 'fix the error in the config file; kiln did not write anything');
  return new KilnError([loc ? { ...d, loc } : d]);
}

/**
 * A syntax error, as jiti reports Babel's: `<code>: <message> \n <file>:<line>:<column>` with a 0-based column
 * in the original source. "expected ','" and the like are placed right after the token the missing one should
 * follow (a missing comma at the end of line 11 is reported there, not at the start of line 12).
 */
function parseError(err: unknown, configFile: string): KilnError | undefined {
  const m = /^\w+: ([^\n]*?) ?\n (\/.+):(\d+):(\d+)\s*$/.exec(errorMessage(err));
  if (!m) return undefined;
  const file = m[2]!;
  let message = m[1]!.trim().replace(/\s*\(\d+:\d+\)$/, '');
  let loc: SourceLocation = { file, line: Number(m[3]), column: Number(m[4]) + 1 };
  const expected = /expected ("[^"]+"|'[^']+')$/.exec(message);
  if (expected) {
    try {
      const source = readFileSync(file, 'utf8');
      loc = offsetLocation(source, file, previousTokenEnd(source, locationOffset(source, loc)));
      message = `expected ${expected[1]}`;
    } catch {
      /* keep the parser's position */
    }
  }
  return new KilnError([{ ...diagnostic('KILN_E_CONFIG_LOAD', [], `loading ${configFile} failed: syntax error: ${message}`, 'fix the syntax error; kiln did not write anything'), loc }]);
}

/** The first frame of an error's stack (or position in its message) in the config or a local module it imports, in the user's coordinates. */
export function stackLocation(err: unknown, file: string): SourceLocation | undefined {
  const e = err as { message?: unknown; stack?: unknown } | undefined;
  for (const text of [e?.message, e?.stack]) {
    if (typeof text !== 'string') continue;
    const re = /(?:file:\/\/)?(\/[^\s:()]+\.(?:ts|mts|cts|js|mjs|cjs|json)):(\d+):(\d+)/g;
    for (const m of text.matchAll(re)) {
      const f = m[1]!;
      if (f.includes('/node_modules/') || (f.startsWith(KILN_CODE) && !file.startsWith(KILN_CODE))) continue;
      return { file: f, ...originalPosition(f, Number(m[2]), Number(m[3])) };
    }
  }
  return undefined;
}

function locationOffset(source: string, loc: { line: number; column: number }): number {
  let offset = 0;
  for (let line = 1; line < loc.line; line++) {
    const next = source.indexOf('\n', offset);
    if (next < 0) break;
    offset = next + 1;
  }
  return Math.min(source.length, offset + loc.column - 1);
}

function offsetLocation(source: string, file: string, offset: number): SourceLocation {
  const before = source.slice(0, offset);
  return { file, line: before.split('\n').length, column: offset - before.lastIndexOf('\n') };
}

/** Offset just after the last token before `offset`, skipping whitespace and comments. */
function previousTokenEnd(source: string, offset: number): number {
  let i = offset;
  for (;;) {
    while (i > 0 && /\s/.test(source[i - 1]!)) i--;
    if (source.slice(i - 2, i) === '*/') {
      const open = source.lastIndexOf('/*', i - 2);
      if (open >= 0) {
        i = open;
        continue;
      }
    }
    const lineStart = source.lastIndexOf('\n', i - 1) + 1;
    const comment = lineCommentStart(source.slice(lineStart, i));
    if (comment < 0) return i;
    i = lineStart + comment;
  }
}

/** Where a `//` comment starts in one line of code (outside string literals), or -1. */
function lineCommentStart(line: string): number {
  let quote: string | undefined;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === '"' || c === "'" || c === '`') quote = c;
    else if (c === '/' && line[i + 1] === '/') return i;
  }
  return -1;
}
