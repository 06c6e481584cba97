/**
 * Finds and loads the user's config. cosmiconfig does the search (fpga.config.ts/.mts/.js/.mjs, then a
 * "fpga" key in package.json, from the working directory up to the project root); jiti loads the modules,
 * so a TypeScript config can import its own local helpers. `kiln-fpga` imports inside the config resolve to
 * the running kiln, so examples work without installing the package into themselves.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { cosmiconfig, type Loader } from 'cosmiconfig';
import { createJiti } from 'jiti';
import { diagnostic, fail, isKilnError, KilnError } from './diagnostics.js';
import { fastTransform, isFullTransformNeeded } from './transpile.js';
import type { ConfigEnv } from './types.js';

export const MODULE_NAME = 'fpga';
export const CONFIG_FILES = ['fpga.config.ts', 'fpga.config.mts', 'fpga.config.js', 'fpga.config.mjs'] as const;

export interface LoadedConfig {
  /** The exported value, after calling it with the env when it is a function. */
  readonly config: unknown;
  /** Absolute path of the file it came from. */
  readonly filepath: string;
  /** Text of that file, for locating diagnostics. */
  readonly source: string;
}

export interface LoadOptions {
  /** Explicit config path (`--config`); skips the search. */
  configPath?: string;
  /** Where the search starts. Default: the working directory. */
  cwd?: string;
  env?: ConfigEnv;
}

/** Path of kiln's own public entry, matching how this module runs (src under tests, dist when built). */
function kilnEntry(): string {
  const here = fileURLToPath(import.meta.url);
  return join(dirname(here), '..', here.endsWith('.ts') ? 'index.ts' : 'index.js');
}

/**
 * The running kiln's own public module, handed to configs as `kiln-fpga`: a config (and every helper it imports)
 * is re-evaluated fresh on each load, but kiln itself is not, which keeps a reload in watch mode at a few
 * milliseconds instead of re-transpiling kiln every time, and gives the config the very same module instance.
 */
let kilnModule: Promise<unknown> | undefined;

/**
 * Loads one config module with jiti; errors carry the file that failed so they can name it. The fast
 * transform (sucrase, src/dsl/transpile.ts) is tried first; a module it refuses makes the whole config load
 * again with jiti's default transform (Babel), which handles everything.
 */
const importModule: Loader = async (filepath) => {
  kilnModule ??= import('../index.js');
  const virtualModules = { 'kiln-fpga': await kilnModule };
  const load = (fast: boolean) =>
    createJiti(pathToFileURL(filepath).href, {
      alias: { 'kiln-fpga': kilnEntry() },
      virtualModules,
      moduleCache: false,
      fsCache: false,
      interopDefault: true,
      ...(fast ? { transform: fastTransform } : {}),
    }).import(filepath, { default: true });
  try {
    try {
      return await load(true);
    } catch (err) {
      if (!isFullTransformNeeded(err)) throw err;
      return await load(false);
    }
  } catch (err) {
    throw loadError(err, filepath);
  }
};

export async function loadConfig(options: LoadOptions = {}): Promise<LoadedConfig> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const env: ConfigEnv = options.env ?? { command: 'build', mode: 'production' };
  const explorer = cosmiconfig(MODULE_NAME, {
    searchPlaces: [...CONFIG_FILES, 'package.json'],
    searchStrategy: 'project',
    cache: false,
    loaders: { '.ts': importModule, '.mts': importModule, '.js': importModule, '.mjs': importModule },
  });

  let found: { config: unknown; filepath: string } | null;
  try {
    if (options.configPath !== undefined) {
      const p = resolve(cwd, options.configPath);
      if (!existsSync(p)) fail('KILN_E_CONFIG_NOT_FOUND', [], `config file not found: ${p}`, '--config takes a path to fpga.config.ts (or .mts/.js/.mjs/.json)');
      found = await explorer.load(p);
    } else {
      found = await explorer.search(cwd);
    }
  } catch (err) {
    if (isKilnError(err)) throw err;
    throw loadError(err, options.configPath ? resolve(cwd, options.configPath) : cwd);
  }
  if (!found) {
    fail('KILN_E_CONFIG_NOT_FOUND', [], `no ${CONFIG_FILES.join(', ')} or "fpga" key in package.json found from ${cwd} up to the project root`, 'create fpga.config.ts or pass --config PATH');
  }
  const source = readFileSync(found.filepath, 'utf8');
  let config = found.config;
  // cosmiconfig treats an empty export as "no config"; a function export receives the env.
  if (typeof config === 'function') {
    try {
      config = await (config as (e: ConfigEnv) => unknown)(env);
    } catch (err) {
      throw loadError(err, found.filepath);
    }
  }
  return { config, filepath: found.filepath, source };
}

function loadError(err: unknown, file: string): KilnError {
  if (isKilnError(err)) return err;
  const e = err as { message?: string; stack?: string } | undefined;
  const text = e?.message ?? String(err);
  const message = text.split('\n')[0]!.trim();
  const loc = locateError(text, file) ?? locateError(e?.stack, file);
  const d = diagnostic('KILN_E_CONFIG_LOAD', [], `loading ${file} failed: ${message}`, 'fix the error in the config file; kiln did not write anything');
  return new KilnError([loc ? { ...d, loc } : d]);
}

/** The first `file:line:column` naming the config or a local module it imports (not kiln, not node_modules). */
function locateError(text: string | undefined, file: string): { file: string; line: number; column: number } | undefined {
  if (!text) return undefined;
  const re = /(?:file:\/\/)?(\/[^\s:()]+\.(?:ts|mts|cts|js|mjs|cjs|json)):(\d+):(\d+)/g;
  const kilnRoot = dirname(dirname(kilnEntry()));
  for (const m of text.matchAll(re)) {
    const f = m[1]!;
    if (f.includes('/node_modules/') || (f.startsWith(kilnRoot) && !file.startsWith(kilnRoot))) continue;
    return { file: f, line: Number(m[2]), column: Number(m[3]) };
  }
  return undefined;
}
