/**
 * kiln's side of the config worker (src/dsl/config-worker.ts): a child process with a memory limit that
 * evaluates one config at a time under a time limit. A config that never settles, loops or allocates without
 * bound ends its worker, not kiln: the load fails with a diagnostic naming the file and the limit, and the next
 * load starts a fresh worker. Between loads the worker stays alive (unreferenced, so it never keeps a process
 * running), which keeps a reload in watch mode at a message round trip instead of a worker start.
 *
 * A process, not a thread: some allocations cannot be interrupted (Array.prototype.fill over a huge array ignores
 * a thread's termination), and when a V8 heap runs out V8 aborts the whole process it lives in; a process exit
 * also waits for every thread to end. Only a process of its own keeps such a config from taking kiln down.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { KilnError, type Diagnostic } from './diagnostics.js';
import type { EvaluateRequest, WorkerMessage } from './config-worker.js';
import type { EvaluateResult } from './evaluate.js';
import type { ConfigEnv } from './types.js';

/** Default limit of one config evaluation (`--config-timeout`). */
export const DEFAULT_CONFIG_TIMEOUT_MS = 10_000;
/**
 * Memory of the config worker: its JavaScript heap, and how far its resident memory (ArrayBuffers included) may
 * grow during a load. A config describes a design; it needs little memory.
 */
export const CONFIG_MEMORY_MB = 256;
/** Starting the worker (loading kiln and the config loader into it) is not the config's time. */
const START_LIMIT_MS = 60_000;
/** setTimeout's largest delay; longer limits are this long. */
const MAX_TIMER_MS = 2 ** 31 - 1;
/** How long an ended worker's stderr may take to arrive (it tells whether V8 ran out of heap). */
const STDERR_GRACE_MS = 200;
/** What kiln keeps of the worker's stderr: V8's last words are short. */
const STDERR_TAIL_CHARS = 4096;

/**
 * How to start the worker. Built kiln (dist/) runs config-worker.js; from the TypeScript sources (tests, tsx) the
 * worker first registers tsx's loader, then runs config-worker.ts.
 */
function workerCommand(): { module: string; execArgv: string[] } {
  const here = import.meta.url;
  const execArgv = [`--max-old-space-size=${CONFIG_MEMORY_MB}`];
  if (!here.endsWith('.ts')) return { module: fileURLToPath(new URL('./config-worker.js', here)), execArgv };
  const tsx = pathToFileURL(createRequire(here).resolve('tsx/esm')).href;
  return { module: fileURLToPath(new URL('./config-worker.ts', here)), execArgv: [...execArgv, '--import', tsx] };
}

/** How a worker ended: its exit code, or the signal that ended it, and the end of what it wrote to stderr. */
interface WorkerEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

interface Running {
  child: ChildProcess;
  /** Resolves when the worker has loaded kiln and listens; rejects if it fails to start. */
  ready: Promise<void>;
  /** Resolves when the worker has ended (and its stderr is read). */
  ended: Promise<WorkerEnd>;
}

/** Workers still running: kiln ends them when it exits (an unreferenced busy worker would outlive it). */
const live = new Set<ChildProcess>();
let exitHookInstalled = false;

function track(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const c of live) c.kill('SIGKILL');
  });
}

function setReferenced(child: ChildProcess, referenced: boolean): void {
  // The process handle, its message channel and its stderr pipe each keep the event loop alive on their own.
  const handles = [child, child.channel, child.stderr] as ({ ref?: () => void; unref?: () => void } | null | undefined)[];
  for (const h of handles) (referenced ? h?.ref : h?.unref)?.call(h);
}

const loadFailure = (file: string, message: string, hint: string, code: Diagnostic['code'] = 'KILN_E_CONFIG_LOAD') =>
  new KilnError([{ code, severity: 'error', path: [], message: `loading ${file} ${message}`, hint }]);

const cancelled = (file: string) => loadFailure(file, 'was cancelled: kiln is stopping', 'nothing to do');

const outOfMemory = (file: string) =>
  loadFailure(file, `stopped: the config used more than ${CONFIG_MEMORY_MB} MB of memory`, 'a config describes a design and needs little memory; look for a loop that keeps allocating');

/** Why a worker ended in the middle of a load, as the config's error. */
function endFailure(file: string, end: WorkerEnd): KilnError {
  // SIGKILL that kiln did not send: the worker's memory guard (or the system's out-of-memory killer).
  if (end.signal === 'SIGKILL' || /heap out of memory/.test(end.stderr)) return outOfMemory(file);
  if (end.signal) return loadFailure(file, `stopped: the config's process ended with ${end.signal}`, 'kiln did not write anything; run the config with node alone to see why it crashes');
  return loadFailure(file, `stopped: the config ended its process (process.exit(${end.code}))`, 'a config must not call process.exit()');
}

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
    if (!r) return;
    // Held referenced until it has ended: an awaited close() must settle even when nothing else keeps the
    // process alive (an idle worker is unreferenced).
    setReferenced(r.child, true);
    r.child.kill('SIGKILL');
    // (A worker that never started has no end to wait for.)
    if (r.child.pid !== undefined) await r.ended;
  }

  #ensure(): Running {
    if (this.#running) return this.#running;
    const { module, execArgv } = workerCommand();
    // Not kiln's own Node options (NODE_OPTIONS, a test runner's loaders): they do not apply to the worker.
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    // stdout is not kiln's (it carries --json output): the worker forwards what a config prints as messages.
    const child = fork(module, [String(CONFIG_MEMORY_MB)], { execArgv, env, serialization: 'advanced', stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
    track(child);
    let stderr = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (text: string) => (stderr = (stderr + text).slice(-STDERR_TAIL_CHARS)));
    const stderrEnded = new Promise<void>((resolve) => child.stderr!.once('close', resolve));
    // Idle, the worker must not keep the process alive (a load references it while it runs).
    setReferenced(child, false);
    child.on('message', (m: WorkerMessage) => m.type === 'output' && process.stderr.write(m.text));
    // Failing to send a request (the worker just ended) is reported by its end.
    child.on('error', () => undefined);
    const running: Running = {
      child,
      ready: new Promise<void>((resolve, reject) => {
        child.on('message', (m: WorkerMessage) => m.type === 'ready' && resolve());
        child.once('error', reject);
        child.once('exit', (code, signal) => reject(new Error(`it ended (${signal ?? code}) while starting${stderr ? `: ${stderr.trim().split('\n')[0]}` : ''}`)));
      }),
      ended: new Promise<WorkerEnd>((resolve) =>
        child.once('exit', (code, signal) => {
          // (A process the config started may hold the pipe open: stderr gets a moment, not a promise.)
          const grace = setTimeout(() => resolve({ code, signal, stderr }), STDERR_GRACE_MS);
          void stderrEnded.then(() => {
            clearTimeout(grace);
            resolve({ code, signal, stderr });
          });
        }),
      ),
    };
    running.ready.catch(() => undefined);
    child.once('exit', () => {
      if (this.#running === running) this.#running = undefined;
    });
    this.#running = running;
    return running;
  }

  /** Stops a worker that timed out, crashed or is no longer clean; with keepWarm, starts its successor. */
  #discard(r: Running): void {
    if (this.#running === r) this.#running = undefined;
    r.child.kill('SIGKILL');
    if (this.#keepWarm && !this.#closed) this.#ensure();
  }

  async #run(filepath: string, env: ConfigEnv, timeoutMs: number): Promise<EvaluateResult> {
    if (this.#closed) throw cancelled(filepath);
    const r = this.#ensure();
    // Referenced while a load runs: kiln waits for its answer.
    setReferenced(r.child, true);
    try {
      await waitFor(r.ready, START_LIMIT_MS).catch((err: unknown) => {
        if (this.#closed) throw cancelled(filepath);
        this.#discard(r);
        throw new Error(`the config worker did not start: ${(err as Error)?.message ?? String(err)}`);
      });
      return await new Promise<EvaluateResult>((resolve, reject) => {
        const id = this.#nextId++;
        let settled = false;
        const done = () => {
          settled = true;
          clearTimeout(timer);
          r.child.off('message', onMessage);
          this.#abort = undefined;
        };
        const fail = (err: Error) => {
          if (settled) return;
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
        r.child.on('message', onMessage);
        void r.ended.then((end) => fail(endFailure(filepath, end)));
        r.child.send({ id, filepath, env } satisfies EvaluateRequest);
      });
    } finally {
      if (this.#running === r) setReferenced(r.child, false);
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
