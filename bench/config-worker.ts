/**
 * What evaluating the config in the config worker (src/dsl/sandbox.ts) costs, against evaluating it on kiln's
 * own thread (what kiln did before: src/dsl/evaluate.ts called directly), for the default fpga.config.ts.
 *
 *   npm run bench:config-worker             writes bench/results/config-worker.{md,json}
 *   npm run bench:config-worker -- --quick  fewer repetitions, nothing written
 *
 * Measured against the built kiln (dist/), each as the median of several repetitions:
 *   - one-shot, cold: a new node process loads the config once, from its first import to the config's data:
 *     on its own thread (importing the loader, jiti, sucrase and kiln, then evaluating), or through a new worker
 *     (starting it, which loads the same modules into the worker, then one request). This is the worker's cost
 *     on a one-shot command's critical path when nothing else overlaps it; the CLI starts the worker before it
 *     loads its own modules, so part of it overlaps (see the CLI row);
 *   - CLI: `node bin/kiln.js estimate` of the default config, end to end (one-shot, with that overlap);
 *   - reload, warm: the same config evaluated again and again in one process (what kiln watch does on every
 *     save): on the thread, or as a request to the long-lived worker (a message round trip and the copy of the
 *     data); alternating between two versions of the config so each load really re-reads it.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { KILN_VERSION } from '../src/version.js';
import { machine } from './lib/machine.js';

const ROOT = join(import.meta.dirname, '..');
const QUICK = process.argv.includes('--quick');
const COLD_REPS = QUICK ? 5 : 21;
const WARM_REPS = QUICK ? 50 : 400;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const ms = (x: number) => `${x < 10 ? x.toFixed(2) : x.toFixed(1)} ms`;

const dir = mkdtempSync(join(tmpdir(), 'kiln-bench-worker-'));
const text = readFileSync(join(ROOT, 'fpga.config.ts'), 'utf8');
writeFileSync(join(dir, 'fpga.config.ts'), text);
if (!text.includes('clockMHz: 100,')) throw new Error('fpga.config.ts changed shape: no "clockMHz: 100," to vary');
writeFileSync(join(dir, 'a.config.ts'), text.replace('clockMHz: 100,', 'clockMHz: 90,'));
writeFileSync(join(dir, 'b.config.ts'), text);
const dist = (rel: string) => JSON.stringify(new URL(`../dist/${rel}`, import.meta.url).href);
const env = JSON.stringify({ command: 'estimate', mode: 'production' });

/** Runs an ES module script in a fresh plain node process (not under tsx); it prints one JSON value. */
function node(script: string): unknown {
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`benchmark script failed:\n${r.stderr}`);
  return JSON.parse(r.stdout);
}

const coldThread = `const t0 = performance.now();
const { evaluateConfig } = await import(${dist('dsl/evaluate.js')});
const r = await evaluateConfig(${JSON.stringify(join(dir, 'fpga.config.ts'))}, ${env});
if (!r.ok) throw new Error(JSON.stringify(r));
process.stdout.write(JSON.stringify(performance.now() - t0));`;
const coldWorker = `const t0 = performance.now();
const { ConfigSandbox } = await import(${dist('dsl/sandbox.js')});
const s = new ConfigSandbox();
const r = await s.evaluate(${JSON.stringify(join(dir, 'fpga.config.ts'))}, ${env});
if (!r.ok) throw new Error(JSON.stringify(r));
process.stdout.write(JSON.stringify(performance.now() - t0));
await s.close();`;
const warm = `const { evaluateConfig, preload } = await import(${dist('dsl/evaluate.js')});
const { ConfigSandbox } = await import(${dist('dsl/sandbox.js')});
const files = [${JSON.stringify(join(dir, 'a.config.ts'))}, ${JSON.stringify(join(dir, 'b.config.ts'))}];
await preload();
const s = new ConfigSandbox();
for (const f of files) { await evaluateConfig(f, ${env}); await s.evaluate(f, ${env}); }
const thread = [], worker = [];
for (let i = 0; i < ${WARM_REPS}; i++) {
  const f = files[i % 2];
  let t = performance.now();
  if (!(await evaluateConfig(f, ${env})).ok) throw new Error('load failed');
  thread.push(performance.now() - t);
  t = performance.now();
  if (!(await s.evaluate(f, ${env})).ok) throw new Error('load failed');
  worker.push(performance.now() - t);
}
await s.close();
process.stdout.write(JSON.stringify({ thread, worker }));`;

const info = { ...machine(), kiln: KILN_VERSION, loadAverageBefore: loadavg().map((x) => Number(x.toFixed(2))) };
console.log(`kiln ${info.kiln}; ${info.cpu}, ${info.cores} cores; Node ${info.node}; load average ${info.loadAverageBefore.join(' ')}`);

// Warm-up (file system cache), not measured.
node(coldThread);
node(coldWorker);
const thread: number[] = [];
const worker: number[] = [];
for (let i = 0; i < COLD_REPS; i++) {
  thread.push(node(coldThread) as number);
  worker.push(node(coldWorker) as number);
}
const cli: number[] = [];
for (let i = 0; i < COLD_REPS; i++) {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [join(ROOT, 'bin', 'kiln.js'), 'estimate'], { cwd: dir, encoding: 'utf8' });
  cli.push(performance.now() - t0);
  if (r.status !== 0) throw new Error(`kiln estimate failed:\n${r.stderr}`);
}
const reload = node(warm) as { thread: number[]; worker: number[] };

const results = {
  oneShotThreadMs: median(thread),
  oneShotWorkerMs: median(worker),
  oneShotOverheadMs: median(worker) - median(thread),
  cliEstimateMs: median(cli),
  reloadThreadMs: median(reload.thread),
  reloadWorkerMs: median(reload.worker),
  reloadOverheadMs: median(reload.worker) - median(reload.thread),
};
const loadAfter = loadavg().map((x) => Number(x.toFixed(2)));
const rows = [
  ['one-shot, cold (new process, first load)', ms(results.oneShotThreadMs), ms(results.oneShotWorkerMs), ms(results.oneShotOverheadMs)],
  ['reload, warm (watch mode, per save)', ms(results.reloadThreadMs), ms(results.reloadWorkerMs), ms(results.reloadOverheadMs)],
];
const table = [
  '| Load of fpga.config.ts | On kiln\'s thread | In the config worker | Worker overhead |',
  '|---|---:|---:|---:|',
  ...rows.map((r) => `| ${r.join(' | ')} |`),
].join('\n');
console.log(`\n${table}\n\nkiln estimate (CLI, end to end, worker started before the CLI loads): ${ms(results.cliEstimateMs)}`);

if (!QUICK) {
  const md = `# Config worker: benchmark

Run with \`npm run bench:config-worker\` on ${new Date().toISOString().slice(0, 10)}: kiln ${info.kiln}.
Machine: ${info.cpu}, ${info.cores} cores, ${info.memoryGiB} GiB; ${info.os}; Node ${info.node}.
Load average before/after: ${info.loadAverageBefore.join(' ')} / ${loadAfter.join(' ')}.

Medians of ${COLD_REPS} fresh processes (one-shot) and ${WARM_REPS} loads in one process (reload), the default
fpga.config.ts, built kiln (dist/). One-shot: from a new process's first import to the config's data, evaluated
on the process's own thread (what kiln did before the worker) or through a new config worker (its start
included). Reload: the same config (two versions, alternately) evaluated again in a warm process, on the thread
or as a request to the long-lived worker that \`kiln watch\` keeps.

${table}

\`kiln estimate\` end to end (a new process; the CLI starts the worker first, so its start overlaps with
loading the command line): ${ms(results.cliEstimateMs)}.

The config worker is a child process (src/dsl/sandbox.ts: a thread could not be stopped while allocating, and
its out-of-memory abort ended kiln), so the one-shot overhead is mostly a second Node process starting and
loading kiln's DSL into it; the modules the loader needs (jiti, sucrase) are loaded once either way, in the
worker instead of in kiln's process. Where the machine has a core to spare, the CLI overlaps that with loading
its own modules. A reload costs a message round trip and copying the config's data (the replayed model's
GraphSpec) on top of the load itself.
`;
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'results', 'config-worker.md'), md);
  writeFileSync(join(ROOT, 'bench', 'results', 'config-worker.json'), JSON.stringify({ env: { ...info, loadAverageAfter: loadAfter }, coldReps: COLD_REPS, warmReps: WARM_REPS, results }, null, 2) + '\n');
  console.log('\nwrote bench/results/config-worker.md and .json');
}
