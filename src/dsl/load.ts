/**
 * Finds and loads the user's config. The search looks for fpga.config.ts/.mts/.js/.mjs, then a "fpga" key in
 * package.json, from the working directory up to the project root (the first folder with a package.json).
 * A config module is evaluated in the config worker (src/dsl/sandbox.ts) under a time and memory limit and
 * comes back as plain data with its model recipe already replayed (src/dsl/transfer.ts); JSON configs (and the
 * package.json key) are data already and are read here.
 */
import { readFileSync, statSync } from 'node:fs';
import { basename, dirname, extname, join, resolve } from 'node:path';
import { diagnostic, fail, KilnError, type SourceLocation } from './diagnostics.js';
import { ConfigSandbox, DEFAULT_CONFIG_TIMEOUT_MS, sharedSandbox } from './sandbox.js';
import { decodeConfig } from './transfer.js';
import type { ConfigEnv } from './types.js';

export { DEFAULT_CONFIG_TIMEOUT_MS } from './sandbox.js';

export const MODULE_NAME = 'fpga';
export const CONFIG_FILES = ['fpga.config.ts', 'fpga.config.mts', 'fpga.config.js', 'fpga.config.mjs'] as const;
/** What `--config` may name: modules (evaluated in the config worker) and JSON. */
const MODULE_EXTENSIONS = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'];

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
  /** Limit for evaluating the config (`--config-timeout`); default 10 s. */
  timeoutMs?: number;
  /** The worker to evaluate it in (watch mode keeps its own); default: the process's shared one. */
  sandbox?: ConfigSandbox;
}

const isFile = (p: string) => {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
};

/**
 * The config file: `configPath` when given (it must exist), else the search. Only a package.json the search
 * reaches is read, and one that cannot be read or parsed stops it with a KILN_E_IO diagnostic (it might hold the
 * config); with `--config`, package.json files play no part.
 */
export function findConfigFile(cwd: string, configPath?: string): string {
  if (configPath !== undefined) {
    const p = resolve(cwd, configPath);
    if (!isFile(p)) {
      let folder = false;
      try {
        folder = statSync(p).isDirectory();
      } catch {
        /* missing */
      }
      fail('KILN_E_CONFIG_NOT_FOUND', [], folder ? `--config names a folder, not a file: ${p}` : `config file not found: ${p}`, '--config takes a path to fpga.config.ts (or .mts/.js/.mjs/.json)');
    }
    return p;
  }
  for (let dir = resolve(cwd); ; dir = dirname(dir)) {
    for (const name of CONFIG_FILES) if (isFile(join(dir, name))) return join(dir, name);
    const pkg = join(dir, 'package.json');
    if (isFile(pkg)) {
      if (readPackageJson(pkg)[MODULE_NAME] !== undefined) return pkg;
      break; // the project root
    }
    if (dirname(dir) === dir) break;
  }
  return fail('KILN_E_CONFIG_NOT_FOUND', [], `no ${CONFIG_FILES.join(', ')} or "fpga" key in package.json found from ${cwd} up to the project root`, 'create fpga.config.ts or pass --config PATH');
}

function readText(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    throw new KilnError([diagnostic('KILN_E_IO', [], `cannot read ${what} ${file}: ${(err as Error).message}`, 'check that the file exists and is readable')]);
  }
}

function readPackageJson(pkg: string): Record<string, unknown> {
  const text = readText(pkg, 'the package.json the config search reached,');
  try {
    const v = JSON.parse(text) as unknown;
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch (err) {
    const d = diagnostic('KILN_E_IO', [], `cannot read ${pkg} while searching for the config: it is not valid JSON (${(err as Error).message})`, 'fix its JSON, or pass --config PATH to name the config file (package.json is then not read)');
    const loc = jsonErrorLocation(text, pkg, err);
    throw new KilnError([loc ? { ...d, loc } : d]);
  }
}

/** The line and column of a JSON.parse error ("… at position 57"). */
function jsonErrorLocation(text: string, file: string, err: unknown): SourceLocation | undefined {
  const m = /at position (\d+)/.exec((err as Error).message ?? '');
  if (!m) return undefined;
  const before = text.slice(0, Number(m[1]));
  return { file, line: before.split('\n').length, column: before.length - before.lastIndexOf('\n') };
}

function parseJsonConfig(file: string, source: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch (err) {
    const d = diagnostic('KILN_E_CONFIG_LOAD', [], `loading ${file} failed: not valid JSON (${(err as Error).message})`, 'fix the JSON; kiln did not write anything');
    const loc = jsonErrorLocation(source, file, err);
    throw new KilnError([loc ? { ...d, loc } : d]);
  }
  if (basename(file) !== 'package.json') return value;
  const config = (value as Record<string, unknown> | null)?.[MODULE_NAME];
  if (config === undefined) fail('KILN_E_CONFIG_NOT_FOUND', [], `${file} has no "${MODULE_NAME}" key`, 'add "fpga": { ... } to it, or pass --config PATH');
  return config;
}

export async function loadConfig(options: LoadOptions = {}): Promise<LoadedConfig> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const env: ConfigEnv = options.env ?? { command: 'build', mode: 'production' };
  const filepath = findConfigFile(cwd, options.configPath);
  const ext = extname(filepath);
  if (ext === '.json') {
    const source = readText(filepath, 'the config');
    return { config: parseJsonConfig(filepath, source), filepath, source };
  }
  if (!MODULE_EXTENSIONS.includes(ext)) {
    fail('KILN_E_CONFIG_LOAD', [], `kiln cannot load a config file of type '${ext || basename(filepath)}': ${filepath}`, `name a ${[...MODULE_EXTENSIONS, '.json'].join(', ')} file`);
  }
  const result = await (options.sandbox ?? sharedSandbox()).evaluate(filepath, env, options.timeoutMs ?? DEFAULT_CONFIG_TIMEOUT_MS);
  if (!result.ok) throw new KilnError(result.diagnostics);
  // Read after the evaluation, as the worker read it (for locating diagnostics).
  const source = readText(filepath, 'the config');
  return { config: decodeConfig(result.config), filepath, source };
}
