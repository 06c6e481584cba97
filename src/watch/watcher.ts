/**
 * The watch loop: build once, then watch the config, the local modules it imports (transitively) and the data
 * files it names; on a change (debounced), reload the config fresh, rebuild only the units that changed
 * (keeping the previous build's derived state in memory), and report. A config that throws or fails
 * validation is reported and the last good build stays in place; a change that lands during a build sets a
 * rerun flag. The output folder's lock is held for the whole session. Progress is a typed event stream.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildProject, type BuildCache, type BuildResult } from '../build/pipeline.js';
import { isKilnError, KilnError, type Diagnostic } from '../dsl/diagnostics.js';
import { findConfigFile } from '../dsl/load.js';
import type { TestbenchEntry } from '../emitters/vhdl/index.js';
import { simulate, type SimResult } from '../toolchain/simulate.js';
import { scanDependencies, type ConfigDependencies } from './deps.js';
import { acquireLock, type BuildLock } from '../build/lock.js';
import { KILN_DIR } from '../build/manifest.js';
import { TOP_UNIT } from '../build/units.js';

export type WatchEvent =
  /** A build starts: the first one, or after `changed` files changed. */
  | { type: 'build-start'; initial: boolean; changed: string[]; config: string; outDir: string }
  | { type: 'build-end'; initial: boolean; changed: string[]; result: BuildResult; ms: number }
  /** The config failed to load or validate (diagnostics), or the build failed (internal); the last good build stays. */
  | { type: 'build-error'; initial: boolean; changed: string[]; diagnostics: readonly Diagnostic[]; internal?: string; ms: number }
  /** The watched set: the config, its local modules, its data files (and paths awaited by unresolved imports). */
  | { type: 'watching'; config: string; modules: string[]; data: string[]; awaiting: string[]; first: boolean }
  | { type: 'sim-start'; testbenches: TestbenchEntry[] }
  | { type: 'sim-result'; result: SimResult; done: number; total: number }
  | { type: 'sim-end'; results: SimResult[] }
  | { type: 'close' };

export interface WatchOptions {
  configPath?: string;
  cwd?: string;
  outDir?: string;
  /**
   * Quiet period after the last change before rebuilding (default 60 ms, at least 55: chokidar drops a file's
   * repeated change events within 50 ms, so the build must read the files after that window).
   */
  debounceMs?: number;
  /** Limit for evaluating the config on each reload (`--config-timeout`); default 10 s. */
  configTimeoutMs?: number;
  /** Re-run GHDL for the testbenches of the rebuilt units (the model's when the top level changed). */
  sim?: boolean;
  jobs?: number;
  onEvent: (event: WatchEvent) => void;
}

/** chokidar throttles a path's change events to one per 50 ms. */
const MIN_DEBOUNCE_MS = 55;

/** What identifies a file's state cheaply (a missing file is a state too). */
function fingerprints(paths: Iterable<string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of paths) {
    try {
      const s = statSync(p);
      out.set(p, `${s.ino}:${s.size}:${s.mtimeMs}`);
    } catch {
      out.set(p, 'missing');
    }
  }
  return out;
}

export interface Watcher {
  readonly config: string;
  readonly outDir: string;
  /** Resolves after the first build and once the files are watched. */
  readonly ready: Promise<void>;
  /** The last successful build. */
  readonly last: () => BuildResult | undefined;
  /** Stops watching, waits for a running build, releases the lock. */
  close(): Promise<void>;
}

/** The testbenches to re-run after a build: those of rebuilt layers, plus the whole model's when the top level changed. */
export function testbenchesToSimulate(result: BuildResult): TestbenchEntry[] {
  const rebuilt = new Set(result.build.rebuilt.map((r) => r.unit));
  return result.testbenches.filter((t) => (t.kind === 'model' ? rebuilt.has(TOP_UNIT) : rebuilt.has(t.unit)));
}

export async function startWatch(options: WatchOptions): Promise<Watcher> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const config = findConfigFile(cwd, options.configPath);
  const outDir = options.outDir !== undefined ? resolve(cwd, options.outDir) : resolve(dirname(config), 'build');
  const debounceMs = Math.max(MIN_DEBOUNCE_MS, options.debounceMs ?? 60);
  const emit = options.onEvent;

  let chokidar: typeof import('chokidar');
  try {
    chokidar = await import('chokidar');
  } catch (err) {
    throw new KilnError([{ code: 'KILN_E_TOOL', severity: 'error', path: [], message: `kiln watch needs the chokidar package: ${(err as Error).message}`, hint: 'npm install chokidar@^5' }]);
  }

  const outExisted = existsSync(outDir);
  const kilnExisted = existsSync(join(outDir, KILN_DIR));
  const lock: BuildLock = await acquireLock(outDir, 'watch', cwd);
  const onExit = () => lock.releaseSync();
  process.once('exit', onExit);

  let cache: BuildCache | undefined;
  let last: BuildResult | undefined;
  let watched = new Set<string>();
  let closed = false;
  let running: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let pending = new Set<string>();
  let lastChange = 0;
  let firstWatching = true;

  // Two watchers: existing files (the config, its modules and data files), and the folders where awaited files
  // (an import that does not resolve yet, a deleted config) would appear: chokidar reports a file that does not
  // exist yet only late, but a folder's new entries at once.
  let files: import('chokidar').FSWatcher | undefined;
  let folders: import('chokidar').FSWatcher | undefined;
  let watchedFolders = new Set<string>();
  let awaited = new Set<string>();

  const onError = (err: unknown) => emit({ type: 'build-error', initial: false, changed: [], diagnostics: [], internal: `file watcher: ${(err as Error).message}`, ms: 0 });
  const start = async (paths: Set<string>, opts: { depth?: number }, on: (event: string, path: string) => void) => {
    const w = chokidar.watch([...paths], { ignoreInitial: true, persistent: true, ...opts });
    w.on('all', on).on('error', onError);
    await new Promise<void>((r) => w.once('ready', () => r()));
    return w;
  };
  const sync = (w: import('chokidar').FSWatcher, before: Set<string>, after: Set<string>) => {
    const remove = [...before].filter((p) => !after.has(p));
    const add = [...after].filter((p) => !before.has(p));
    if (remove.length > 0) w.unwatch(remove);
    if (add.length > 0) w.add(add);
  };
  /** Nearest existing folder of a path. */
  const existingFolder = (p: string): string => {
    let d = dirname(p);
    while (!existsSync(d) && dirname(d) !== d) d = dirname(d);
    return d;
  };

  const updateWatched = async () => {
    let deps: ConfigDependencies;
    try {
      deps = scanDependencies(config);
    } catch {
      deps = { modules: [], data: [], missing: [] };
    }
    const awaiting = deps.missing.flatMap((m) => m.candidates);
    const present = [config, ...deps.modules, ...deps.data].filter((p) => existsSync(p));
    awaited = new Set([...awaiting, ...(existsSync(config) ? [] : [config])]);
    const nextFiles = new Set(present);
    const nextFolders = new Set([...awaited].map(existingFolder));
    if (!files) files = await start(nextFiles, {}, (event, path) => (event === 'add' || event === 'change' || event === 'unlink' ? schedule(path) : undefined));
    else sync(files, watched, nextFiles);
    const onFolder = (event: string, path: string) => {
      const p = resolve(path);
      if ((event === 'add' || event === 'addDir') && [...awaited].some((a) => a === p || a.startsWith(p + sep))) schedule(p);
    };
    if (!folders) {
      if (nextFolders.size > 0) folders = await start(nextFolders, { depth: 0 }, onFolder);
    } else sync(folders, watchedFolders, nextFolders);
    watched = nextFiles;
    watchedFolders = folders ? nextFolders : new Set();
    emit({ type: 'watching', config, modules: deps.modules, data: deps.data, awaiting: [...awaited], first: firstWatching });
    firstWatching = false;
  };

  /** Files the build reads: the config and its dependencies (also before anything is watched). */
  const inputs = () => {
    try {
      const d = scanDependencies(config);
      return new Set([config, ...watched, ...d.modules, ...d.data, ...d.missing.flatMap((m) => m.candidates)]);
    } catch {
      return new Set([config, ...watched]);
    }
  };

  const runBuild = async (initial: boolean, changed: string[]) => {
    // Whatever changes from here on is built again, even if the watcher's events were throttled or missed.
    const before = fingerprints(inputs());
    emit({ type: 'build-start', initial, changed, config, outDir });
    const t0 = performance.now();
    let result: BuildResult | undefined;
    try {
      result = await buildProject({
        configPath: config,
        cwd,
        ...(options.outDir !== undefined ? { outDir } : {}),
        command: 'watch',
        lock: false,
        ...(options.configTimeoutMs !== undefined ? { configTimeoutMs: options.configTimeoutMs } : {}),
        ...(cache ? { cache } : {}),
      });
      cache = result.cache;
      last = result;
      emit({ type: 'build-end', initial, changed, result, ms: performance.now() - t0 });
    } catch (err) {
      if (isKilnError(err)) emit({ type: 'build-error', initial, changed, diagnostics: err.diagnostics, ms: performance.now() - t0 });
      else emit({ type: 'build-error', initial, changed, diagnostics: [], internal: (err as Error)?.stack ?? String(err), ms: performance.now() - t0 });
    }
    if (!closed) await updateWatched();
    for (const [path, state] of fingerprints(before.keys())) {
      if (state === before.get(path)) continue;
      pending.add(path);
      lastChange = performance.now();
    }
    if (result && options.sim && !closed) {
      const selected = testbenchesToSimulate(result);
      if (selected.length > 0) {
        emit({ type: 'sim-start', testbenches: selected });
        const results = await simulate(selected, {
          outDir: result.outDir,
          ...(options.jobs !== undefined ? { jobs: options.jobs } : {}),
          onResult: (r, done, total) => emit({ type: 'sim-result', result: r, done, total }),
        });
        emit({ type: 'sim-end', results });
      }
    }
  };

  const drain = async () => {
    while (!closed && pending.size > 0) {
      // Also between builds: read the files only after a quiet period (see debounceMs).
      const quiet = lastChange + debounceMs - performance.now();
      if (quiet > 0) {
        await new Promise((r) => setTimeout(r, quiet));
        continue;
      }
      const changed = [...pending].sort();
      pending = new Set();
      await runBuild(false, changed);
    }
  };

  const schedule = (path: string) => {
    if (closed) return;
    lastChange = performance.now();
    pending.add(resolve(path));
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      // A change during a build only marks a rerun: the loop picks it up when the build ends.
      if (!running) running = drain().finally(() => (running = undefined));
    }, debounceMs);
  };

  const ready = (async () => {
    running = runBuild(true, []);
    await running;
    running = undefined;
    // Changes seen during the first build.
    if (pending.size > 0 && !closed) running = drain().finally(() => (running = undefined));
  })();

  return {
    config,
    outDir,
    ready,
    last: () => last,
    async close() {
      if (closed) return;
      closed = true;
      if (timer) clearTimeout(timer);
      await ready.catch(() => undefined);
      await running?.catch(() => undefined);
      await files?.close();
      await folders?.close();
      await lock.release();
      process.removeListener('exit', onExit);
      if (!outExisted || !kilnExisted) {
        const { rmdir } = await import('node:fs/promises');
        if (!kilnExisted) await rmdir(join(outDir, KILN_DIR)).catch(() => undefined);
        if (!outExisted) await rmdir(outDir).catch(() => undefined);
      }
      emit({ type: 'close' });
    },
  };
}
