/**
 * kiln's side of the config worker (src/dsl/config-worker.ts): a worker thread with a memory limit that
 * evaluates one config at a time under a time limit. A config that never settles, loops or allocates without
 * bound ends its worker, not kiln: the load fails with a diagnostic naming the file and the limit, and the next
 * load starts a fresh worker. Between loads the worker stays alive (unreferenced, so it never keeps a process
 * running), which keeps a reload in watch mode at a message round trip instead of a worker start.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { KilnError, type Diagnostic } from './diagnostics.js';
import type { EvaluateRequest, WorkerMessage } from './config-worker.js';
import type { EvaluateResult } from './evaluate.js';
import type { ConfigEnv } from './types.js';

/** Default limit of one config evaluation (`--config-timeout`). */
export const DEFAULT_CONFIG_TIMEOUT_MS = 10_000;
/** Old-generation heap of the config worker: a config describes a design; it needs little memory. */
export const CONFIG_MEMORY_MB = 256;
/** Starting the worker (loading kiln and the config loader into it) is not the config's time. */
const START_LIMIT_MS = 60_000;
/** setTimeout's largest delay; longer limits are this long. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The worker's entry. Built kiln (dist/) runs config-worker.js; from the TypeScript sources (tests, tsx) the
 * worker first registers tsx's loader, then imports config-worker.ts.
 */
function workerEntry(): URL {
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new URL('./config-worker.js', here);
  const require = createRequire(here);
  const pkg = require.resolve('tsx/package.json');
  const api = (JSON.parse(readFileSync(pkg, 'utf8')) as { exports: Record<string, { import: { default: string } }> }).exports['./esm/api']!.import.default;
  const boot = `import { register } from ${JSON.stringify(pathToFileURL(join(dirname(pkg), api)).href)};\nregister();\nawait import(${JSON.stringify(new URL('./config-worker.ts', here).href)});\n`;
  return new URL(`data:text/javascript,${encodeURIComponent(boot)}`);
}

interface Running {
  worker: Worker;
  /** Resolves when the worker has loaded kiln and listens; rejects if it fails to start. */
  ready: Promise<void>;
}

const loadFailure = (file: string, message: string, hint: string, code: Diagnostic['code'] = 'KILN_E_CONFIG_LOAD') =>
  new KilnError([{ code, severity: 'error', path: [], message: `loading ${file} ${message}`, hint }]);

const cancelled = (file: string) => loadFailure(file, 'was cancelled: kiln is stopping', 'nothing to do');

const seconds = (ms: number) => `${Number((ms / 1000).toFixed(3))} s`;

export interface SandboxOptions {
  /** Start a new worker as soon as one is discarded (watch mode), so the next load does not wait for it. */
  keepWarm?: boolean;
}

export class ConfigSandbox {
  #running: Running | undefined;
  #queue: Promise<unknown> = Promise.resolve();
  #closed = false;
  #nextId = 1;
  /** A load is in progress (the worker is referenced meanwhile). */
  #busy = false;
  /** Rejects the evaluation in progress (close()). */
  #abort: ((err: Error) => void) | undefined;
  readonly #keepWarm: boolean;

  constructor(options: SandboxOptions = {}) {
    this.#keepWarm = options.keepWarm ?? false;
  }

  /** Starts the worker now, so that a first load does not wait for it (it loads kiln meanwhile). */
  warm(): void {
    if (!this.#closed) this.#ensure();
  }

  /** Evaluates a config file in the worker within `timeoutMs` (loads are queued, one at a time). */
  evaluate(filepath: string, env: ConfigEnv, timeoutMs = DEFAULT_CONFIG_TIMEOUT_MS): Promise<EvaluateResult> {
    const run = this.#queue.then(() => this.#run(filepath, env, timeoutMs));
    this.#queue = run.catch(() => undefined);
    return run;
  }

  /** Ends the worker; a load in progress fails at once. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#abort?.(cancelled('the config'));
    const r = this.#running;
    this.#running = undefined;
    await r?.worker.terminate();
  }

  #ensure(): Running {
    if (this.#running) return this.#running;
    // (Not the process's own Node options: `--input-type` or a test runner's loaders do not apply to it.)
    const worker = new Worker(workerEntry(), { name: 'kiln config', execArgv: [], resourceLimits: { maxOldGenerationSizeMb: CONFIG_MEMORY_MB } });
    // Idle, the worker must not keep the process alive (an unref() before the thread is online has no effect).
    worker.unref();
    worker.once('online', () => {
      if (!this.#busy) worker.unref();
    });
    worker.on('message', (m: WorkerMessage) => m.type === 'output' && process.stderr.write(m.text));
    const running: Running = {
      worker,
      ready: new Promise<void>((resolve, reject) => {
        worker.on('message', (m: WorkerMessage) => m.type === 'ready' && resolve());
        worker.once('error', reject);
        worker.once('exit', (code) => reject(new Error(`the config worker exited (${code}) while starting`)));
      }),
    };
    running.ready.catch(() => undefined);
    // Errors while no load is running (a stray timer's exception) only end this worker.
    worker.on('error', () => undefined);
    worker.once('exit', () => {
      if (this.#running === running) this.#running = undefined;
    });
    this.#running = running;
    return running;
  }

  /** Stops a worker that timed out, crashed or is no longer clean; with keepWarm, starts its successor. */
  #discard(r: Running): void {
    if (this.#running === r) this.#running = undefined;
    void r.worker.terminate();
    if (this.#keepWarm && !this.#closed) this.#ensure();
  }

  async #run(filepath: string, env: ConfigEnv, timeoutMs: number): Promise<EvaluateResult> {
    if (this.#closed) throw cancelled(filepath);
    const r = this.#ensure();
    this.#busy = true;
    r.worker.ref();
    try {
      await waitFor(r.ready, START_LIMIT_MS).catch((err: unknown) => {
        if (this.#closed) throw cancelled(filepath);
        this.#discard(r);
        throw new Error(`the config worker did not start: ${(err as Error)?.message ?? String(err)}`);
      });
      return await new Promise<EvaluateResult>((resolve, reject) => {
        const id = this.#nextId++;
        const done = () => {
          clearTimeout(timer);
          r.worker.off('message', onMessage);
          r.worker.off('error', onError);
          r.worker.off('exit', onExit);
          r.worker.off('messageerror', onMessageError);
          this.#abort = undefined;
        };
        const fail = (err: Error) => {
          done();
          this.#discard(r);
          reject(err);
        };
        const onMessage = (m: WorkerMessage) => {
          if (m.type !== 'result' || m.id !== id) return;
          done();
          if (m.dirty) this.#discard(r);
          resolve(m.result);
        };
        const onError = (err: Error & { code?: string }) =>
          fail(
            err.code === 'ERR_WORKER_OUT_OF_MEMORY'
              ? loadFailure(filepath, `stopped: the config used more than ${CONFIG_MEMORY_MB} MB of memory`, 'a config describes a design and needs little memory; look for a loop that keeps allocating')
              : loadFailure(filepath, `failed: ${err.message}`, 'fix the error in the config file; kiln did not write anything'),
          );
        const onExit = (code: number) => fail(loadFailure(filepath, `stopped: the config ended its thread (process.exit(${code}))`, 'a config must not call process.exit()'));
        const onMessageError = (err: Error) => fail(loadFailure(filepath, `failed: kiln could not read what the config exported (${err.message})`, 'export plain data: numbers, strings, objects and arrays, and the model'));
        const timer = setTimeout(
          () =>
            fail(
              loadFailure(
                filepath,
                `did not finish within ${seconds(timeoutMs)}: the config (or its (env) => config function, or a Promise it exports) loops or never settles`,
                'look for an endless loop, a Promise that never resolves or a timer that keeps it waiting; --config-timeout SECONDS sets the limit',
                'KILN_E_CONFIG_TIMEOUT',
              ),
            ),
          Math.min(timeoutMs, MAX_TIMER_MS),
        );
        this.#abort = (err) => {
          done();
          reject(err);
        };
        r.worker.on('message', onMessage);
        r.worker.on('error', onError);
        r.worker.on('exit', onExit);
        r.worker.on('messageerror', onMessageError);
        r.worker.postMessage({ id, filepath, env } satisfies EvaluateRequest);
      });
    } finally {
      this.#busy = false;
      if (this.#running === r) r.worker.unref();
    }
  }
}

function waitFor<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`no answer within ${seconds(ms)}`)), ms)));
  return Promise.race([p, limit]).finally(() => clearTimeout(timer));
}

let shared: ConfigSandbox | undefined;

/** The process's config sandbox for one-shot loads (kiln build, estimate, sim, synth, and loadConfig()). */
export function sharedSandbox(): ConfigSandbox {
  return (shared ??= new ConfigSandbox());
}
