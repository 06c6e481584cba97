/**
 * The CLI fuzzer (issue 9): fast-check generates configs (test/fuzz/generators.ts), each is run through
 * `kiln estimate` and `kiln build` by spawning the built binary (test/fuzz/runner.ts), and the CLI contract is
 * checked on every run: exit 0, 1 or 2; no internal error; one JSON document under --json; nothing written on
 * exit 2; within 5 s beyond the config timeout and 500 MB.
 *
 *   npm run fuzz                              10,000 cases, a random seed; writes bench/results/fuzz.{md,json}
 *   npm run fuzz -- --count 500 --seed 42     another count or seed
 *   npm run fuzz -- --only 1234 --seed 42     one case: its files, commands and results (writes nothing)
 *   npm run fuzz -- --jobs 2 --keep 20        cases at a time (default 2); keep the folders of 20 failing cases
 *   npm run fuzz -- --no-write                print only
 *   npm run fuzz -- --state DIR               resumable: keep the kiln snapshot and every result in DIR; run the
 *                                             same command again after an interruption to go on where it stopped
 *
 * kiln runs from a copy of bin/, dist/ and package.json taken at the start (node_modules linked), so a rebuild
 * of dist/ while the fuzzer runs cannot change the kiln it is testing; the fuzzer's generators and checks
 * (test/fuzz/) are copied with it and loaded from the copy. Exit code: 0 when no run failed other
 * than the known kiln bugs listed in test/fuzz/known-failures.ts, 1 otherwise.
 */
import { execSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import type { CaseResult, Category } from '../test/fuzz/runner.js';
import type { Distribution, Summary } from '../test/fuzz/summary.js';
import { machine } from './lib/machine.js';

const ROOT = join(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '10000' },
    seed: { type: 'string' },
    jobs: { type: 'string', default: '2' },
    only: { type: 'string' },
    keep: { type: 'string', default: '0' },
    'no-write': { type: 'boolean', default: false },
    'config-timeout': { type: 'string', default: '3' },
    state: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  process.stdout.write(`npm run fuzz -- [--count N] [--seed S] [--jobs J] [--only CASE] [--keep K] [--no-write] [--config-timeout SECONDS] [--state DIR]

  --count N           cases to run (default 10000)
  --seed S            the seed (default: a random one, printed)
  --jobs J            cases at a time (default 2)
  --only CASE         run one case and print its files, commands and results (writes nothing)
  --keep K            keep the project folders of K failing cases
  --no-write          print only; do not write bench/results/fuzz.{md,json}
  --config-timeout S  --config-timeout given to kiln (default 3)
  --state DIR         resumable run: DIR keeps the kiln snapshot, the parameters and every case's result. Run
                      the same command again after an interruption: it goes on with the same kiln, seed and
                      count (the other options are taken from DIR) and reports all sittings as one run
`);
  process.exit(0);
}
/** A resumable run's folder: its parameters, the kiln it tests, and one line per finished case. */
interface StateFile {
  seed: number;
  count: number;
  jobs: number;
  configTimeoutS: number;
  info: { kiln: string; commit: string | undefined; uncommittedSrcFiles: number; ghdl: string | undefined };
  sittings: { start: string; durationS: number; cases: number; loadAverage: { start: number[]; end: number[]; max1min: number } }[];
}
const stateDir = values.state !== undefined ? resolve(values.state) : undefined;
const statePath = stateDir && join(stateDir, 'run.json');
const resumed: StateFile | undefined = statePath && existsSync(statePath) ? (JSON.parse(readFileSync(statePath, 'utf8')) as StateFile) : undefined;

const count = resumed?.count ?? Number(values.count);
const seed = resumed?.seed ?? (values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31));
const jobs = resumed?.jobs ?? Number(values.jobs);
const configTimeoutS = resumed?.configTimeoutS ?? Number(values['config-timeout']);
for (const [name, v] of [['count', count], ['seed', seed], ['jobs', jobs], ['config-timeout', configTimeoutS]] as const) {
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${name} must be a non-negative number`);
}

function tryRun(cmd: string): string | undefined {
  try {
    return execSync(cmd, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], cwd: ROOT }).trim().split('\n')[0];
  } catch {
    return undefined;
  }
}

const work = stateDir ?? mkdtempSync(join(tmpdir(), 'kiln-fuzz-'));
if (stateDir) mkdirSync(stateDir, { recursive: true });
// A resumed run tests the kiln it started with, not the checkout as it is now.
// The fuzzer's own generators and checks are part of the snapshot, so a resumed run generates the same cases.
const snapshot = join(work, 'kiln');
if (!resumed) {
  mkdirSync(snapshot, { recursive: true });
  for (const part of ['bin', 'dist', 'package.json']) cpSync(join(ROOT, part), join(snapshot, part), { recursive: true });
  cpSync(join(ROOT, 'test', 'fuzz'), join(snapshot, 'fuzz'), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(snapshot, 'node_modules'), 'dir');
}
const kilnBin = join(snapshot, 'bin', 'kiln.js');
const fuzzModule = <T>(name: string) => import(pathToFileURL(join(snapshot, 'fuzz', `${name}.ts`)).href) as Promise<T>;
const { caseAt, isValidCase } = await fuzzModule<typeof import('../test/fuzz/generators.js')>('generators');
const { KNOWN_FAILURES } = await fuzzModule<typeof import('../test/fuzz/known-failures.js')>('known-failures');
const { CATEGORIES, measurementMethod, reproduction, runCase, runCases } = await fuzzModule<typeof import('../test/fuzz/runner.js')>('runner');
const { Collector } = await fuzzModule<typeof import('../test/fuzz/summary.js')>('summary');
const options = { kilnBin, workDir: join(work, 'cases'), jobs, configTimeoutS, keepFailures: Number(values.keep) };

if (values.only !== undefined) {
  const index = Number(values.only);
  const c = caseAt(seed, index);
  console.log(`case ${index} of seed ${seed}: ${c.family}; valid: ${isValidCase(c)}; expect ${JSON.stringify(c.expect)}\n`);
  console.log(reproduction(c, '', configTimeoutS, `node ${join(ROOT, 'bin', 'kiln.js')}`));
  const r = await runCase(index, c, { ...options, keepFailures: 1 });
  for (const run of r.runs) {
    console.log(`\n$ kiln ${run.args.join(' ')}\n→ ${run.killed ? 'killed' : `exit ${run.code ?? run.signal}`} in ${run.wallMs} ms, ${run.rssMB} MB; diagnostics: ${run.diagnostics.join(', ') || '-'}`);
    if (run.stderrHead.trim()) console.log(run.stderrHead.trim().split('\n').slice(0, 30).map((l) => `  ${l}`).join('\n'));
  }
  console.log(r.failures.length === 0 ? '\nno failures' : `\nfailures:\n${r.failures.map((f) => `  [${f.category}${f.known ? `, known: ${f.known}` : ''}] ${f.run}: ${f.message}`).join('\n')}`);
  console.log(`\nproject folder: ${r.dir}`);
  process.exit(r.failures.some((f) => f.known === undefined) ? 1 : 0);
}

const info = resumed?.info ?? {
  kiln: (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version,
  commit: tryRun('git rev-parse --short HEAD'),
  uncommittedSrcFiles: Number(tryRun('git status --porcelain -- src | wc -l') ?? 0),
  ghdl: tryRun('ghdl --version'),
};
const m = machine();
console.log(`kiln fuzz: ${count} cases, seed ${seed}, ${jobs} at a time, --config-timeout ${configTimeoutS}`);
console.log(`kiln ${info.kiln} (${info.commit ?? 'no git'}${info.uncommittedSrcFiles > 0 ? `, ${info.uncommittedSrcFiles} uncommitted files in src/` : ''}) from a snapshot in ${work}`);
console.log(`measurement: ${measurementMethod()}`);

const collector = new Collector(configTimeoutS);
// A resumed run replays the results it has (the cases themselves are regenerated from the seed).
const resultsPath = stateDir && join(stateDir, 'results.jsonl');
const alreadyDone = new Set<number>();
if (resumed && resultsPath && existsSync(resultsPath)) {
  for (const line of readFileSync(resultsPath, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    let stored: Omit<CaseResult, 'fuzzCase'>;
    try {
      stored = JSON.parse(line) as Omit<CaseResult, 'fuzzCase'>;
    } catch {
      continue; // the last line of an interrupted sitting may be cut short: that case runs again
    }
    if (alreadyDone.has(stored.index)) continue;
    alreadyDone.add(stored.index);
    collector.add({ ...stored, fuzzCase: caseAt(seed, stored.index) });
  }
  console.log(`resuming: ${alreadyDone.size} of ${count} cases done in ${resumed.sittings.length} earlier sitting(s)`);
}
const sittings = resumed?.sittings ?? [];
const sittingStart = new Date().toISOString();
function saveState(durationS: number, end: number[]): void {
  if (!statePath) return;
  const ran = collector.cases - alreadyDone.size;
  const thisSitting = ran > 0 ? [{ start: sittingStart, durationS: Math.round(durationS), cases: ran, loadAverage: { ...load, end } }] : [];
  const state: StateFile = { seed, count, jobs, configTimeoutS, info, sittings: [...sittings, ...thisSitting] };
  writeFileSync(statePath, JSON.stringify(state, null, 2) + '\n');
}
const t0 = performance.now();
// Other work on the machine slows kiln down: the load average is recorded next to the times.
const load = { start: loadavg().map((x) => Number(x.toFixed(2))), max1min: loadavg()[0]!, end: [] as number[] };
const loadTimer = setInterval(() => (load.max1min = Math.max(load.max1min, loadavg()[0]!)), 15_000);
loadTimer.unref();
const every = Math.max(1, Math.round(count / 100));
let lastPrint = 0;
function duration(seconds: number): string {
  const s = Math.round(seconds);
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

// Every case is generated once before any runs: a fuzzer bug that cannot generate a case should stop the run
// now, not show up as a failing case hours into it.
const ungenerated: string[] = [];
for (let i = 0; i < count; i++) {
  if (alreadyDone.has(i)) continue;
  try {
    caseAt(seed, i);
  } catch (err) {
    ungenerated.push(`case ${i}: ${String((err as Error)?.message ?? err).split('\n')[0]}`);
  }
}
if (ungenerated.length > 0) {
  console.error(`the generators cannot make ${ungenerated.length} of the ${count} cases (a fuzzer bug):\n  ${ungenerated.slice(0, 10).join('\n  ')}`);
  process.exit(2);
}
saveState(0, []);
await runCases(count, (i) => caseAt(seed, i), options, (r) => {
  collector.add(r);
  if (resultsPath) {
    // Passing cases keep only what the summary counts; failing ones keep their output for the examples.
    const failing = r.failures.some((f) => f.known === undefined);
    const runs = failing ? r.runs : r.runs.map((run) => ({ ...run, stdoutHead: '', stderrHead: '' }));
    appendFileSync(resultsPath, JSON.stringify({ index: r.index, runs, failures: r.failures, dir: r.dir }) + '\n');
    saveState((performance.now() - t0) / 1000, loadavg().map((x) => Number(x.toFixed(2))));
  }
  for (const f of r.failures.filter((x) => x.known === undefined)) console.log(`  FAIL case ${r.index} (${r.fuzzCase.family}) [${f.category}] ${f.run}: ${f.message.split('\n')[0]!.slice(0, 240)}`);
  const done = collector.cases;
  const now = performance.now();
  if (done % every === 0 || done === count || now - lastPrint > 60_000) {
    lastPrint = now;
    const elapsed = (now - t0) / 1000;
    const exits = collector.exitTotals();
    console.log(
      `[fuzz] ${done}/${count} cases (${Math.round((100 * done) / count)} %) · ${collector.runs} runs · exit 0/1/2: ${exits['0'] ?? 0}/${exits['1'] ?? 0}/${exits['2'] ?? 0} · failing cases ${collector.failingCases} · known-bug runs ${collector.knownRuns} · ${duration(elapsed)} elapsed, ~${duration((elapsed / Math.max(1, done - alreadyDone.size)) * (count - done))} left`,
    );
  }
}, alreadyDone);

const sittingS = (performance.now() - t0) / 1000;
clearInterval(loadTimer);
load.end = loadavg().map((x) => Number(x.toFixed(2)));
load.max1min = Number(load.max1min.toFixed(2));
saveState(sittingS, load.end);
// All sittings of a resumed run together.
const durationS = sittings.reduce((sum, s) => sum + s.durationS, 0) + sittingS;
const allSittings = [...sittings, { start: sittingStart, durationS: Math.round(sittingS), cases: collector.cases - alreadyDone.size, loadAverage: load }].filter((s) => s.cases > 0);
const summary = collector.summary();
const result = {
  schema: 'kiln-fuzz',
  date: m.date,
  machine: m,
  ...info,
  seed,
  count,
  jobs,
  configTimeoutS,
  limits: { wallSecondsBeyondConfigTimeout: 5, rssMB: 500, hardCapSeconds: 30 },
  measurement: measurementMethod(),
  loadAverage: load,
  sittings: allSittings,
  durationS: Math.round(durationS),
  ...summary,
};

const passed = summary.failingCases === 0;
const pcts = (d: Distribution | undefined, unit: string) => (d ? `p50 ${d.p50.toFixed(0)} · p90 ${d.p90.toFixed(0)} · p99 ${d.p99.toFixed(0)} · max ${d.max.toFixed(0)} ${unit}` : '-');
console.log(`\nwall time per run: ${pcts(summary.wallMs.all, 'ms')} (config did not time out: ${pcts(summary.wallMs['all, config did not time out'], 'ms')})`);
console.log(`peak RSS per run:  ${pcts(summary.rssMB.all, 'MB')}`);
console.log(`failures by category: ${CATEGORIES.map((c) => `${c} ${summary.failures[c].count}${summary.failures[c].known ? ` (+${summary.failures[c].known} known)` : ''}`).join(', ')}`);
console.log(`\n${passed ? 'PASS' : 'FAIL'}: ${count} cases, ${summary.runs} runs in ${duration(durationS)}; ${summary.failingCases} failing cases; known kiln bugs: ${summary.known.filter((k) => k.runs > 0).map((k) => `${k.id} (${k.runs} runs)`).join(', ') || 'none'}`);
if (!values['no-write']) {
  const dir = join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'fuzz.json'), JSON.stringify(result, null, 2) + '\n');
  writeFileSync(join(dir, 'fuzz.md'), markdown(result));
  console.log('wrote bench/results/fuzz.md and fuzz.json');
}
if (options.keepFailures === 0 && !stateDir) rmSync(work, { recursive: true, force: true });
else if (options.keepFailures > 0) console.log(`failing cases kept in ${options.workDir}`);
process.exit(passed ? 0 : 1);

// ───────────────────────────── the report ─────────────────────────────

function markdown(r: typeof result): string {
  const fmt = (n: number) => n.toLocaleString('en-US');
  const dist = (d: Distribution | undefined, unit: string, digits = 0) => (d ? `${d.n.toLocaleString('en-US')} | ${[d.p50, d.p90, d.p99, d.max].map((x) => `${x.toFixed(digits)} ${unit}`).join(' | ')}` : '- | - | - | - | -');
  const LABEL: Record<Category, string> = {
    internal: 'internal errors, stack traces, crashes',
    'exit-code': 'exit codes other than 0, 1, 2',
    json: '--json output not one valid document (or stdout without --json)',
    'write-on-error': 'writes on exit 2 (or by estimate)',
    time: `time over the limit (config timeout + 5 s)`,
    memory: 'memory over 500 MB',
    hang: 'hangs (killed at 30 s)',
    verdict: 'unexpected verdicts (valid config rejected, invalid accepted, wrong diagnostic)',
    report: 'inconsistent reports',
    'design-units': 'duplicate or missing VHDL design units',
    harness: 'fuzzer errors',
  };
  const lines: string[] = [];
  lines.push('# CLI fuzzer: results', '');
  lines.push(`Run with \`npm run fuzz\` on ${r.date.slice(0, 10)}: kiln ${r.kiln} (commit ${r.commit ?? '?'}${r.uncommittedSrcFiles > 0 ? `, with ${r.uncommittedSrcFiles} uncommitted files in src/ at the time` : ''}).`);
  lines.push(`Machine: ${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.memoryGiB} GiB; ${r.machine.os}; Node ${r.machine.node}; ${r.ghdl ?? 'GHDL not installed'}.`);
  lines.push(`Seed ${r.seed}, ${fmt(r.count)} cases, ${r.jobs} at a time, \`--config-timeout ${r.configTimeoutS}\`; ${fmt(r.runs)} kiln runs in ${duration(r.durationS)}.`);
  if (r.sittings.length > 1) {
    lines.push(`Run in ${r.sittings.length} sittings with \`--state\` (the same kiln snapshot, seed and count each time; an interrupted case ran again in full):`, '');
    for (const s of r.sittings) lines.push(`- ${s.start.slice(0, 16).replace('T', ' ')} UTC: ${fmt(s.cases)} cases in ${duration(s.durationS)}; load average at the start ${s.loadAverage.start.join(', ')}, at the end ${s.loadAverage.end.join(', ')}, highest 1-minute ${s.loadAverage.max1min}`);
    lines.push('', '(The fuzzer itself keeps ~2 cores busy.)', '');
  } else {
    lines.push(`Load average (1, 5, 15 min) at the start ${r.loadAverage.start.join(', ')}, at the end ${r.loadAverage.end.join(', ')}; highest 1-minute load seen ${r.loadAverage.max1min} (the fuzzer itself keeps ~2 busy).`, '');
  }
  lines.push(`**${r.failingCases === 0 ? 'PASS' : 'FAIL'}**: ${r.failingCases} failing cases.${r.known.some((k) => k.runs > 0) ? ` Known kiln bugs (test/fuzz/known-failures.ts; reported below, not counted as failures): ${r.known.filter((k) => k.runs > 0).map((k) => `\`${k.id}\` ${k.runs} runs in ${k.cases} cases`).join(', ')}.` : ''}`, '');
  lines.push('Reproduce a case with `npm run fuzz -- --seed SEED --only INDEX`. Checks, measurement and the generators are described in', '`test/fuzz/runner.ts` and `test/fuzz/generators.ts`.', '');
  lines.push('## Cases', '');
  lines.push(`${fmt(r.validCases)} of ${fmt(r.cases)} cases (${((100 * r.validCases) / Math.max(1, r.cases)).toFixed(1)} %) are valid configs (expected to exit 0 or 1 on every command).`, '');
  lines.push('| Generator | Cases |', '|---|---:|');
  for (const [k, v] of Object.entries(r.families)) lines.push(`| ${k} | ${fmt(v)} |`);
  lines.push('', '## Exit codes', '');
  const codes = [...new Set(Object.values(r.exitCodes).flatMap((x) => Object.keys(x)))].sort();
  lines.push(`| Run | ${codes.map((c) => `exit ${c}`).join(' | ')} |`, `|---|${codes.map(() => '---:').join('|')}|`);
  for (const [label, m] of Object.entries(r.exitCodes)) lines.push(`| ${label} | ${codes.map((c) => fmt(m[c] ?? 0)).join(' | ')} |`);
  lines.push('', `("previous build" is the valid earlier build made first in a share of the cases, so that exit 2 can be checked to leave it byte-identical.)`);
  lines.push('', '## Time and memory per run', '');
  lines.push(`Measurement: ${r.measurement}.`, '');
  lines.push('| Wall time | Runs | p50 | p90 | p99 | max |', '|---|---:|---:|---:|---:|---:|');
  for (const k of ['all', 'all, config did not time out', 'estimate', 'build', 'previous build']) lines.push(`| ${k} | ${dist(r.wallMs[k], 'ms')} |`);
  lines.push('', '| Peak RSS | Runs | p50 | p90 | p99 | max |', '|---|---:|---:|---:|---:|---:|');
  for (const k of ['all', 'estimate', 'build', 'previous build']) lines.push(`| ${k} | ${dist(r.rssMB[k], 'MB')} |`);
  lines.push('', `Runs over 5 s: ${fmt(r.over5s.all)} (of which ${fmt(r.over5s.all - r.over5s.withoutConfigTimeout)} are configs stopped at the ${r.configTimeoutS} s config timeout; the limit is the config timeout + 5 s).`);
  lines.push('', '## Failures by category', '');
  lines.push('| Category | Failing runs | Cases | Known-bug runs |', '|---|---:|---:|---:|');
  for (const c of CATEGORIES) {
    const f = r.failures[c];
    lines.push(`| ${LABEL[c]} | ${fmt(f.count)} | ${fmt(f.cases)} | ${fmt(f.known)} |`);
  }
  for (const c of CATEGORIES) {
    const f = r.failures[c];
    if (f.examples.length === 0) continue;
    lines.push('', `### ${LABEL[c]}: ${f.count} runs`, '');
    for (const e of f.examples) lines.push(...exampleLines(e));
  }
  lines.push('', '## Known kiln bugs', '');
  if (KNOWN_FAILURES.length === 0) lines.push('None listed.');
  for (const k of r.known) {
    lines.push(`### \`${k.id}\`: ${k.title}`, '', `Seen in ${fmt(k.runs)} runs of ${fmt(k.cases)} cases${k.runs === 0 ? ' (not seen in this run: fixed, or not generated this time)' : ''}.`, '', 'Minimal reproduction:', '', '```sh', k.reproduction.trim(), '```', '');
    if (k.examples[0]) lines.push('A fuzzer case that hit it:', '', ...exampleLines(k.examples[0]));
  }
  return lines.join('\n') + '\n';
}

function exampleLines(e: Summary['failures'][Category]['examples'][number]): string[] {
  return [`- case ${e.case} (\`${e.family}\`), \`${e.run}\`: ${e.message.split('\n')[0]!.slice(0, 400)}`, '', '  ```sh', ...e.reproduction.split('\n').map((l) => `  ${l}`), '  ```', '', '  Observed:', '', '  ```', ...e.observed.split('\n').map((l) => `  ${l.slice(0, 300)}`), '  ```', ''];
}
