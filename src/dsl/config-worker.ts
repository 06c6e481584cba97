/**
 * The config worker: a worker thread that evaluates configs for kiln (src/dsl/sandbox.ts), so a config that
 * loops, never settles or allocates without bound can be stopped without taking kiln down, and no user code
 * runs on kiln's own thread. It answers one request at a time with plain data (src/dsl/evaluate.ts).
 */
import { parentPort } from 'node:worker_threads';
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
  /** What the config printed (kiln writes it to stderr, before the result that follows on the same port). */
  | { type: 'output'; text: string }
  /** `dirty`: the config left timers or handles running, or changed the worker's state; start a fresh worker. */
  | { type: 'result'; id: number; result: EvaluateResult; dirty: boolean };

const port = parentPort!;
// What a config prints is a log: kiln writes it to its stderr, never to stdout (which carries --json output).
// It travels on the port, ahead of the result, so none of it is lost when kiln exits right after the load
// (a worker's own stdio reaches the main thread asynchronously).
const forward = ((chunk: string | Uint8Array, encoding?: unknown, done?: unknown) => {
  port.postMessage({ type: 'output', text: typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString() } satisfies WorkerMessage);
  const callback = typeof encoding === 'function' ? encoding : done;
  if (typeof callback === 'function') (callback as () => void)();
  return true;
}) as typeof process.stdout.write;
process.stdout.write = forward;
process.stderr.write = forward;
let current: EvaluateRequest | undefined;

/**
 * Timers, sockets, watchers and the like that a config may leave running, by kind, to see what a load added
 * (not the worker's own port, nor one-off file requests in flight).
 */
function resources(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of process.getActiveResourcesInfo()) if (r !== 'MessagePort' && !/Req(Callback|Promise)?$/.test(r)) counts.set(r, (counts.get(r) ?? 0) + 1);
  return counts;
}

function answer(req: EvaluateRequest, result: EvaluateResult, dirty: boolean): void {
  if (current !== req) return;
  current = undefined;
  const message: WorkerMessage = { type: 'result', id: req.id, result, dirty };
  try {
    port.postMessage(message);
  } catch (err) {
    const d = diagnostic('KILN_E_CONFIG_LOAD', [], `the config holds a value kiln cannot copy: ${(err as Error).message}`, 'export plain data: numbers, strings, objects and arrays, and the model');
    port.postMessage({ type: 'result', id: req.id, result: { ok: false, diagnostics: [d] }, dirty: true } satisfies WorkerMessage);
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

await preload();
const baseline = resources();

port.on('message', (req: EvaluateRequest) => {
  current = req;
  void evaluateConfig(req.filepath, req.env).then((result) => {
    let dirty = false;
    for (const [kind, n] of resources()) if (n > (baseline.get(kind) ?? 0)) dirty = true;
    answer(req, result, dirty);
  });
});
port.postMessage({ type: 'ready' } satisfies WorkerMessage);
