/**
 * Runs generated testbenches with GHDL (in parallel, each in its own work library) and reads their verdict:
 * pass/fail, the first mismatches with their indices, and the measured cycles, which must equal the
 * estimator's.
 */
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import type { TestbenchEntry } from '../emitters/vhdl/index.js';
import { runGhdl } from './ghdl.js';

export interface Mismatch {
  index: number;
  expected: number;
  got: number;
}

export interface SimResult {
  unit: string;
  kind: TestbenchEntry['kind'];
  /**
   * pass: every output equal and cycles as estimated; fail: a mismatch, wrong cycle count, timeout, or a layer
   * test whose expected outputs on recorded windows mostly saturate; error: GHDL could not build or run it.
   */
  status: 'pass' | 'fail' | 'error';
  /** Outputs compared (every window's). */
  outputs: number;
  /** Runs: input windows of the whole model; a layer's recorded runs and its full-range random run. */
  windows: number;
  mismatches: number;
  firstMismatches: Mismatch[];
  /** Cycles of the first run (each run's is checked against the estimate). */
  cycles?: number;
  expectedCycles: number;
  durationMs: number;
  /** Why it did not pass. */
  message?: string;
  /**
   * Layer testbenches: expected outputs of the recorded runs at a bound of the output width (not its 0), when
   * more than half are (the test then fails although every output matched).
   */
  saturated?: { outputs: number; of: number };
}

export interface SimulateOptions {
  outDir: string;
  jobs?: number;
  /** Time limit per testbench, all GHDL phases together (default SIM_TIME_LIMIT_MS). */
  timeoutMs?: number;
  onStart?: (tb: TestbenchEntry) => void;
  onResult?: (r: SimResult, done: number, total: number) => void;
}

/** Default time limit of one testbench (analysis, elaboration and run). */
export const SIM_TIME_LIMIT_MS = 600_000;

/** Simulated cycles from which a compiled GHDL back end's slower elaboration pays off. */
export const COMPILED_BACKEND_CYCLES = 200_000;

export async function simulate(testbenches: readonly TestbenchEntry[], o: SimulateOptions): Promise<SimResult[]> {
  const jobs = Math.max(1, Math.min(o.jobs ?? availableParallelism(), testbenches.length));
  const results: SimResult[] = new Array(testbenches.length);
  let next = 0;
  let finished = 0;
  const worker = async () => {
    while (next < testbenches.length) {
      const i = next++;
      o.onStart?.(testbenches[i]!);
      results[i] = await simulateOne(testbenches[i]!, o);
      finished++;
      o.onResult?.(results[i]!, finished, testbenches.length);
    }
  };
  await Promise.all(Array.from({ length: jobs }, worker));
  return results;
}

async function simulateOne(tb: TestbenchEntry, o: SimulateOptions): Promise<SimResult> {
  const outDir = resolve(o.outDir);
  const r = await runGhdl({
    workDir: join(outDir, 'sim', 'work', tb.top),
    files: tb.sources.map((s) => join(outDir, s)),
    top: tb.top,
    generics: Object.fromEntries(Object.entries(tb.vectors).map(([k, v]) => [k, join(outDir, v)])),
    timeoutMs: o.timeoutMs ?? SIM_TIME_LIMIT_MS,
    // Long runs (the whole model) go to a compiled back end when one is installed.
    compiled: tb.expectedCycles * tb.windows >= COMPILED_BACKEND_CYCLES,
  });
  if (r.timedOut) {
    const limit = (o.timeoutMs ?? SIM_TIME_LIMIT_MS) / 1000;
    return { ...parseSimOutput(tb, r.stdout + r.stderr, false, r.phase, r.durationMs), status: 'error', message: `GHDL ${r.phase === 'run' ? 'simulation' : r.phase === 'analyse' ? 'analysis' : 'elaboration'} ran past the time limit of ${limit} s and was stopped (raise it with --time-limit SECONDS)` };
  }
  return parseSimOutput(tb, r.stdout + r.stderr, r.ok, r.phase, r.durationMs);
}

/** Reads the KILN_* lines a kiln testbench prints. */
export function parseSimOutput(tb: TestbenchEntry, text: string, ok: boolean, phase: string, durationMs: number): SimResult {
  const runs = [...text.matchAll(/KILN_CYCLES (\d+)/g)].map((m) => Number(m[1]));
  const windows = tb.windows ?? 1;
  const firstMismatches = [...text.matchAll(/KILN_MISMATCH index (\d+) expected (-?\d+) got (-?\d+)/g)].map((m) => ({
    index: Number(m[1]),
    expected: Number(m[2]),
    got: Number(m[3]),
  }));
  const failed = /KILN_RESULT FAIL (\d+)/.exec(text);
  const passed = /KILN_RESULT PASS/.test(text);
  const base = {
    unit: tb.unit,
    kind: tb.kind,
    outputs: tb.outputs * windows,
    windows,
    mismatches: failed ? Number(failed[1]) : 0,
    firstMismatches,
    expectedCycles: tb.expectedCycles,
    durationMs,
    ...(runs.length > 0 ? { cycles: runs[0]! } : {}),
  };
  if (phase !== 'run') {
    const firstError = text.split('\n').find((l) => /error|:\d+:\d+:/.test(l)) ?? text.trim().split('\n')[0] ?? '';
    return { ...base, status: 'error', message: `GHDL ${phase} failed: ${firstError.trim()}` };
  }
  if (failed) return { ...base, status: 'fail', message: `${failed[1]} of ${base.outputs} outputs differ from the reference model` };
  if (/KILN_TIMEOUT/.test(text)) return { ...base, status: 'fail', message: 'no done before the time limit' };
  const saturated = /KILN_SATURATED (\d+) of (\d+) expected outputs of the recorded runs sit at the bounds of the (\d+)-bit output/.exec(text);
  if ((!ok || !passed) && !saturated) {
    const line = text.split('\n').find((l) => /failure|error/.test(l)) ?? '';
    return { ...base, status: 'fail', message: `simulation failed: ${line.trim()}` };
  }
  const off = runs.findIndex((c) => c !== tb.expectedCycles);
  if (off >= 0 || runs.length !== windows) {
    const what = off >= 0 ? `measured ${runs[off]} cycles${windows > 1 ? ` in run ${off}` : ''}, the estimator says ${tb.expectedCycles}` : `${runs.length} of ${windows} runs ran`;
    return { ...base, status: 'fail', message: what };
  }
  if (saturated) {
    // Every output equal and every cycle count as estimated, but the layer saturates on the recorded windows.
    return {
      ...base,
      status: 'fail',
      saturated: { outputs: Number(saturated[1]), of: Number(saturated[2]) },
      message: `${saturated[1]} of ${saturated[2]} expected outputs on recorded test windows sit at the bounds of the ${saturated[3]}-bit output: the layer saturates on real data, so this test proves little (widen its output or check its calibration)`,
    };
  }
  return { ...base, status: 'pass' };
}
