/**
 * The watch loop: build once, then watch the config, the local modules it imports (transitively) and the data
 * files it names; on a change (debounced), reload the config fresh, rebuild only the units that changed
 * (keeping the previous build's derived state in memory), and report. A config that throws, fails validation
 * or does not finish evaluating within its time limit is reported and the last good build stays in place; a
 * change that lands during a build sets a rerun flag. The output folder's lock is held for the whole session,
 * and the config is evaluated in one long-lived config worker (src/dsl/sandbox.ts), replaced only after it
 * timed out or crashed. Progress is a typed event stream.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { buildProject, type BuildCache, type BuildResult } from '../build/pipeline.js';
import { checkOutputFolder } from '../build/out-dir.js';
import { isKilnError, type Diagnostic } from '../dsl/diagnostics.js';
import { findConfigFile } from '../dsl/load.js';
import { ConfigSandbox } from '../dsl/sandbox.js';
import type { TestbenchEntry } from '../emitters/vhdl/index.js';
import { simulate, type SimResult } from '../toolchain/simulate.js';
import { scanDependencies, type ConfigDependencies } from './deps.js';
import { FolderWatch } from './folders.js';
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
  /** Something the user should know that does not stop watching (a folder that cannot be watched). */
  | { type: 'warning'; message: string }
  | { type: 'sim-start'; testbenches: TestbenchEntry[] }
  | { type: 'sim-result'; result: SimResult; done: number; total: number }
  | { type: 'sim-end'; results: SimResult[] }
  | { type: 'close' };

export interface WatchOptions {
  configPath?: string;
  cwd?: string;
  outDir?: string;
  /** Quiet period after the last change before rebuilding (default 60 ms): an editor's save may take several writes. */
  debounceMs?: number;
  /**
   * Interval of the safety net (default 1000 ms; 0: off): the watched files' fingerprints are compared with those
   * the last build read, so a change whose event was lost (a network file system, no inotify watches left) is
   * still built.
   */
  pollMs?: number;
  /** Limit for evaluating the config on each reload (`--config-timeout`); default 10 s. */
  configTimeoutMs?: number;
  /** Build into a non-empty folder that holds no earlier kiln build, and rebuild everything first (`--force`). */
  force?: boolean;
  /** Re-run GHDL for the testbenches of the rebuilt units (the model's when the top level changed). */
  sim?: boolean;
  jobs?: number;
  onEvent: (event: WatchEvent) => void;
}

/** What identifies a file's state cheaply (a missing file is a state too). */
function fingerprints(paths: Iterable<string>): Map<string, string> {
  const out = new Map<string, string>();
  for (const p of paths) {
    try {
      const s = statSync(p);
      out.set(p, `${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`);
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
  /**
   * Resolves once no build is running or due and the watched files are as the last build read them (tests and
   * benchmarks wait for it; it never resolves while a change goes unnoticed).
   */
  idle(): Promise<void>;
  /** Stops watching, cancels a config evaluation in progress, waits for a running build, releases the lock. */
  close(): Promise<void>;
}

/** The testbenches to re-run after a build: those of rebuilt layers, plus the whole model's when the top level changed. */
export function testbenchesToSimulate(result: BuildResult): TestbenchEntry[] {
  const rebuilt = new Set(result.build.rebuilt.map((r) => r.unit));
  return result.testbenches.filter((t) => (t.kind === 'model' ? rebuilt.has(TOP_UNIT) : rebuilt.has(t.unit)));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function startWatch(options: WatchOptions): Promise<Watcher> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const config = findConfigFile(cwd, options.configPath);
  const outDir = options.outDir !== undefined ? resolve(cwd, options.outDir) : resolve(dirname(config), 'build');
  const debounceMs = Math.max(1, options.debounceMs ?? 60);
  const pollMs = options.pollMs ?? 1000;
  const emit = options.onEvent;

  const outExisted = existsSync(outDir);
  const kilnExisted = existsSync(join(outDir, KILN_DIR));
  checkOutputFolder(outDir, { force: options.force === true, cwd });
  const lock: BuildLock = await acquireLock(outDir, 'watch', cwd);
  const onExit = () => lock.releaseSync();
  process.once('exit', onExit);
  // One worker for the session: a reload is a message to it, not a new process.
  const sandbox = new ConfigSandbox({ keepWarm: true });
  sandbox.warm();

  let cache: BuildCache | undefined;
  let last: BuildResult | undefined;
  let closed = false;
  let running: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;
  let pending = new Set<string>();
  let lastChange = 0;
  let firstWatching = true;
  /** The inputs as the last build found them when it started (what it read, or newer). */
  let seen = new Map<string, string>();

  const folders = new FolderWatch({ onChange: (p) => schedule(p), onProblem: (message) => emit({ type: 'warning', message }) });

  /** Files the build reads: the config and its dependencies, and the paths awaited by unresolved imports. */
  const dependencies = (): ConfigDependencies => {
    try {
      return scanDependencies(config);
    } catch {
      return { modules: [], data: [], missing: [] };
    }
  };
  const inputsOf = (deps: ConfigDependencies) => new Set([config, ...deps.modules, ...deps.data, ...deps.missing.flatMap((m) => m.candidates)]);

  const updateWatched = () => {
    const deps = dependencies();
    const awaiting = deps.missing.flatMap((m) => m.candidates);
    const present = [config, ...deps.modules, ...deps.data].filter((p) => existsSync(p));
    const awaited = [...awaiting, ...(existsSync(config) ? [] : [config])];
    folders.set(present, awaited);
    emit({ type: 'watching', config, modules: deps.modules, data: deps.data, awaiting: awaited, first: firstWatching });
    firstWatching = false;
  };

  const runBuild = async (initial: boolean, changed: string[], force: boolean) => {
    // Whatever changes from here on is built again, even if its event was lost.
    seen = fingerprints(inputsOf(dependencies()));
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
        sandbox,
        ...(options.configTimeoutMs !== undefined ? { configTimeoutMs: options.configTimeoutMs } : {}),
        ...(force ? { force: true } : {}),
        ...(cache ? { cache } : {}),
      });
      cache = result.cache;
      last = result;
      if (!closed) emit({ type: 'build-end', initial, changed, result, ms: performance.now() - t0 });
    } catch (err) {
      // Stopping cancels a config evaluation in progress: that is not an error to report.
      if (!closed) {
        if (isKilnError(err)) emit({ type: 'build-error', initial, changed, diagnostics: err.diagnostics, ms: performance.now() - t0 });
        else emit({ type: 'build-error', initial, changed, diagnostics: [], internal: (err as Error)?.stack ?? String(err), ms: performance.now() - t0 });
      }
    }
    if (closed) return;
    updateWatched();
    noticeChanges();
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

  /** Inputs whose fingerprint differs from what the last build saw: built next, whether or not an event came. */
  const noticeChanges = (): boolean => {
    let any = false;
    for (const [path, state] of fingerprints(seen.keys())) {
      if (state === seen.get(path)) continue;
      pending.add(path);
      lastChange = performance.now();
      any = true;
    }
    return any;
  };

  const drain = async () => {
    while (!closed && pending.size > 0) {
      // Read the files only after a quiet period (see debounceMs), also between builds.
      const quiet = lastChange + debounceMs - performance.now();
      if (quiet > 0) {
        await sleep(quiet);
        continue;
      }
      const changed = [...pending].sort();
      pending = new Set();
      await runBuild(false, changed, false);
    }
  };
  const startDrain = () => {
    if (!running && !closed) running = drain().finally(() => (running = undefined));
  };

  const schedule = (path: string) => {
    if (closed) return;
    lastChange = performance.now();
    pending.add(resolve(path));
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = undefined;
      // A change during a build only marks a rerun: the loop picks it up when the build ends.
      startDrain();
    }, debounceMs);
  };

  // The safety net: folders that were replaced are watched again, and lost events are made up for.
  const poll =
    pollMs > 0
      ? setInterval(() => {
          if (closed || running || timer) return;
          folders.check();
          if (noticeChanges()) startDrain();
        }, pollMs).unref()
      : undefined;

  const ready = (async () => {
    running = runBuild(true, [], options.force === true);
    await running;
    running = undefined;
    // Changes seen during the first build.
    if (pending.size > 0) startDrain();
  })();

  return {
    config,
    outDir,
    ready,
    last: () => last,
    async idle() {
      await ready;
      for (;;) {
        if (closed) return;
        if (running) await running;
        else if (timer || pending.size > 0) await sleep(5);
        else if ([...fingerprints(seen.keys())].every(([p, state]) => seen.get(p) === state)) return;
        else await sleep(5);
      }
    },
    async close() {
      if (closed) return;
      closed = true;
      if (timer) clearTimeout(timer);
      if (poll) clearInterval(poll);
      folders.close();
      // Ends a config evaluation in progress (a config that loops would otherwise hold the build up to its limit).
      await sandbox.close();
      await ready.catch(() => undefined);
      await running?.catch(() => undefined);
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
