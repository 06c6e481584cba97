/**
 * The config worker: a child process that evaluates configs for kiln (src/dsl/sandbox.ts), so a config that
 * loops, never settles or allocates without bound can be stopped without taking kiln down, and no user code
 * runs in kiln's own process. It answers one request at a time with plain data (src/dsl/evaluate.ts), on its
 * message channel to kiln. Its argument is the memory limit in MB; its JavaScript heap has the same limit
 * (--max-old-space-size, set by kiln).
 */
import { Worker } from 'node:worker_threads';
import { diagnostic } from './diagnostics.js';
import { evaluateConfig, loadError, preload, type EvaluateResult } from './evaluate.js';
import type { ConfigEnv } from './types.js';

export interface EvaluateRequest {
  id: number;
  filepath: string;
  env: ConfigEnv;
}

export type WorkerMessage =
  | { type: 'ready' }
  /** What the config printed (kiln writes it to stderr, before the result that follows on the same channel). */
  | { type: 'output'; text: string }
  /** `dirty`: the config left timers or handles running, or changed the worker's state; start a fresh worker. */
  | { type: 'result'; id: number; result: EvaluateResult; dirty: boolean };

const memoryLimitMb = Number(process.argv[2]);
const send = (m: WorkerMessage) => {
  // (Once kiln is gone there is no one to tell.)
  if (process.connected) process.send!(m);
};

// What a config prints is a log: kiln writes it to its stderr, never to stdout (which carries --json output).
// It travels on the channel, ahead of the result, so none of it is lost when kiln exits right after the load.
const forward = ((chunk: string | Uint8Array, encoding?: unknown, done?: unknown) => {
  send({ type: 'output', text: typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString() });
  const callback = typeof encoding === 'function' ? encoding : done;
  if (typeof callback === 'function') (callback as () => void)();
  return true;
}) as typeof process.stdout.write;
process.stdout.write = forward;
process.stderr.write = forward;
let current: EvaluateRequest | undefined;

/**
 * The memory guard, a thread of its own: it runs while the config's code keeps this thread busy. During a load it
 * checks the process's resident memory (the heap, and ArrayBuffers outside it) every 25 ms and ends the process
 * when it has grown more than the limit since the load started, and when kiln is gone (an orphan would loop on).
 * kiln reads an end by SIGKILL that it did not send as the memory limit. Between loads it sleeps.
 */
const GUARD = `
const { workerData: { loadStart, limitMb, parent } } = require('node:worker_threads');
for (;;) {
  Atomics.wait(loadStart, 0, 0);
  const start = Atomics.load(loadStart, 0);
  if (start === 0) continue;
  if (process.ppid !== parent || process.memoryUsage.rss() / 1048576 - start > limitMb) process.kill(process.pid, 'SIGKILL');
  Atomics.wait(loadStart, 0, start, 25);
}
`;
/** The process's resident memory in MB when the load in progress started; 0 between loads. */
const loadStart = new Int32Array(new SharedArrayBuffer(4));
new Worker(GUARD, { eval: true, name: 'kiln config memory guard', workerData: { loadStart, limitMb: memoryLimitMb, parent: process.ppid }, resourceLimits: { maxOldGenerationSizeMb: 16 } }).unref();

function guard(running: boolean): void {
  Atomics.store(loadStart, 0, running ? Math.max(1, Math.round(process.memoryUsage.rss() / 1048576)) : 0);
  Atomics.notify(loadStart, 0);
}

/**
 * Timers, sockets, watchers and the like that a config may leave running, by kind, to see what a load added
 * (not the worker's own channel, nor one-off requests in flight: file requests, and writes such as the
 * messages that carry what the config printed).
 */
function resources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of process.getActiveResourcesInfo()) if (r !== 'MessagePort' && !/Req(Callback|Promise)?$|WriteWrap$|^ShutdownWrap$/.test(r)) counts.set(r, (counts.get(r) ?? 0) + 1);
  return counts;
}

function answer(req: EvaluateRequest, result: EvaluateResult, dirty: boolean): void {
  if (current !== req) return;
  current = undefined;
  guard(false);
  try {
    send({ type: 'result', id: req.id, result, dirty });
  } catch (err) {
    const d = diagnostic('KILN_E_CONFIG_LOAD', [], `the config holds a value kiln cannot copy: ${(err as Error).message}`, 'export plain data: numbers, strings, objects and arrays, and the model');
    send({ type: 'result', id: req.id, result: { ok: false, diagnostics: [d] }, dirty: true });
  }
}

// An error thrown later by the config's own callbacks (a timer, a rejected promise nobody awaited) fails the
// load it belongs to; between loads it means the worker is no longer clean, so it ends and kiln starts another.
const onStrayError = (err: unknown) => {
  if (current) answer(current, { ok: false, diagnostics: [...loadError(err, current.filepath).diagnostics] }, true);
  else process.exit(1);
};
process.on('uncaughtException', onStrayError);
process.on('unhandledRejection', onStrayError);
// Ctrl-C reaches the whole process group: kiln decides what stops (it ends this worker when it stops).
process.on('SIGINT', () => undefined);
// kiln is gone (or let go of this worker).
process.on('disconnect', () => process.exit(0));

await preload();
const baseline = resources();

process.on('message', (req: EvaluateRequest) => {
  current = req;
  guard(true);
  void evaluateConfig(req.filepath, req.env).then((result) => {
    let dirty = false;
    for (const [kind, n] of resources()) if (n > (baseline.get(kind) ?? 0)) dirty = true;
    answer(req, result, dirty);
  });
});
send({ type: 'ready' });
