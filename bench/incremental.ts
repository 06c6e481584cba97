/**
 * Incremental builds and watch mode: full build vs the rebuild after changing one layer's weightBits, for the
 * default config (fpga.config.ts) and a larger model (4 encoder layers, d_model 64, 4 heads; window 24,
 * 7 inputs), and the save-to-report latency of `kiln watch`.
 *
 *   npm run bench:incremental             writes bench/results/incremental.{md,json}
 *   npm run bench:incremental -- --quick  fewer repetitions, nothing written
 *
 * Measured, each as the median of several repetitions:
 *   (the in-process figures come from bench/lib/in-process.mjs, run by plain node against dist/)
 *   - in-process full build: buildProject() into an empty folder, no previous build (a warm process);
 *   - in-process rebuild (watch-style): buildProject() with the previous build's cache after toggling one
 *     layer's weightBits (8 ↔ 4) in the config file, config reload included, without taking the lock
 *     (kiln watch holds it for its whole session);
 *   - CLI full build: `node bin/kiln.js build` into an empty folder (a new process, what a user waits for);
 *   - CLI one-shot rebuild: `node bin/kiln.js build` after the same edit, manifest and stored calibration on disk;
 *   - CLI floors: `node bin/kiln.js --version` (Node start-up and loading kiln's CLI) and `kiln build` with
 *     nothing changed (start-up, loading the config, resolving, estimating and planning, no writes);
 *   - watch latency: a real `kiln watch` child process; from just before the config file is written to the
 *     arrival of the last line of its report (the totals and fit verdict) on stderr.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { KILN_VERSION } from '../src/version.js';
import { machine } from './lib/machine.js';

const ROOT = join(import.meta.dirname, '..');
const BIN = join(ROOT, 'bin', 'kiln.js');
const QUICK = process.argv.includes('--quick');
const REPS = QUICK ? 3 : 9;
const CLI_REPS = QUICK ? 2 : 5;
const WATCH_REPS = QUICK ? 5 : 15;

interface Case {
  name: string;
  layers: number;
  /** Config text with the changed layer at the given weightBits. */
  config: (bits: number) => string;
  layer: string;
}

const DEFAULT_TEXT = readFileSync(join(ROOT, 'fpga.config.ts'), 'utf8');
function withLayer(text: string, layer: string, bits: number): string {
  const marker = 'weights: { seed: 1 },';
  if (!text.includes(marker)) throw new Error('fpga.config.ts changed shape: no "weights: { seed: 1 }," to anchor the edit');
  return text.replace(marker, `${marker}\n  layers: { '${layer}': { weightBits: ${bits} } },`);
}
const LARGE = (layer: string) => (bits: number) =>
  `import { defineConfig, transformer } from 'kiln-fpga';

export default defineConfig({
  device: 'xc7s100',
  model: transformer({ window: 24, inputFeatures: 7, dModel: 64, heads: 4, encoderLayers: 4 }),
  layers: { '${layer}': { weightBits: ${bits} } },
});
`;

const CASES: Case[] = [
  { name: 'default (d_model 16, 1 head, 1 encoder layer)', layers: 0, layer: 'encoder.0.ffn.fc1', config: (b) => withLayer(DEFAULT_TEXT, 'encoder.0.ffn.fc1', b) },
  { name: 'large (d_model 64, 4 heads, 4 encoder layers)', layers: 0, layer: 'encoder.0.ffn.fc1', config: LARGE('encoder.0.ffn.fc1') },
  { name: 'large, change in the last encoder layer', layers: 0, layer: 'encoder.3.ffn.fc1', config: LARGE('encoder.3.ffn.fc1') },
];

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const max = (xs: number[]) => Math.max(...xs);
const ms = (x: number) => `${x < 10 ? x.toFixed(1) : Math.round(x)} ms`;
const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

function newProject(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-bench-'));
  writeFileSync(join(dir, 'fpga.config.ts'), text);
  return dir;
}

function cli(args: string[], cwd: string): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8' });
  const t = performance.now() - t0;
  if (r.status !== 0 && r.status !== 1) throw new Error(`kiln ${args.join(' ')} exited ${r.status}:\n${r.stderr}`);
  return t;
}

interface CaseResult {
  name: string;
  layer: string;
  layers: number;
  files: number;
  fits: boolean;
  inProcessFullMs: number;
  inProcessRebuildMs: number;
  rebuildStages: Record<string, number>;
  rebuiltUnits: string[];
  filesWritten: number;
  cliFullMs: number;
  cliRebuildMs: number;
  cliStartMs: number;
  cliNoChangeMs: number;
  watchLatencyMs?: { median: number; max: number; samples: number[] };
}

/** Runs bench/lib/in-process.mjs in plain node (not under tsx) against dist/, and takes the medians. */
function inProcess(c: Case): Pick<CaseResult, 'layers' | 'files' | 'fits' | 'inProcessFullMs' | 'inProcessRebuildMs' | 'rebuildStages' | 'rebuiltUnits' | 'filesWritten'> {
  const dir = newProject(c.config(8));
  writeFileSync(join(dir, 'fpga.config.4.ts'), c.config(4));
  writeFileSync(join(dir, 'fpga.config.8.ts'), c.config(8));
  const r = spawnSync(process.execPath, [join(ROOT, 'bench', 'lib', 'in-process.mjs'), dir, c.layer, String(REPS)], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`in-process benchmark of ${c.name} failed:\n${r.stderr}`);
  const m = JSON.parse(r.stdout) as { full: number[]; rebuild: number[]; stages: Record<string, number[]>; layers: number; files: number; fits: boolean; rebuiltUnits: string[]; filesWritten: number };
  return {
    layers: m.layers,
    files: m.files,
    fits: m.fits,
    inProcessFullMs: median(m.full),
    inProcessRebuildMs: median(m.rebuild),
    rebuildStages: Object.fromEntries(Object.entries(m.stages).map(([k, v]) => [k, median(v)])),
    rebuiltUnits: m.rebuiltUnits,
    filesWritten: m.filesWritten,
  };
}

function oneShot(c: Case): Pick<CaseResult, 'cliFullMs' | 'cliRebuildMs' | 'cliStartMs' | 'cliNoChangeMs'> {
  const dir = newProject(c.config(8));
  cli(['build', '--out', join(dir, 'warmup')], dir);
  const full: number[] = [];
  for (let i = 0; i < CLI_REPS; i++) full.push(cli(['build', '--out', join(dir, `full-${i}`)], dir));
  cli(['build'], dir);
  const rebuild: number[] = [];
  for (let i = 0; i < CLI_REPS; i++) {
    writeFileSync(join(dir, 'fpga.config.ts'), c.config(i % 2 === 0 ? 4 : 8));
    rebuild.push(cli(['build'], dir));
  }
  const start: number[] = [];
  const noChange: number[] = [];
  for (let i = 0; i < CLI_REPS; i++) {
    start.push(cli(['--version'], dir));
    noChange.push(cli(['build'], dir));
  }
  return { cliFullMs: median(full), cliRebuildMs: median(rebuild), cliStartMs: median(start), cliNoChangeMs: median(noChange) };
}

/** Save-to-report latency of a real `kiln watch`: write the config, wait for the report's last line. */
async function watchLatency(c: Case): Promise<number[]> {
  const dir = newProject(c.config(8));
  mkdirSync(join(dir, 'build'), { recursive: true });
  const child = spawn(process.execPath, [BIN, 'watch'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
  let text = '';
  let waiter: { re: RegExp; from: number; resolve: (t: number) => void } | undefined;
  const check = () => {
    if (waiter && waiter.re.test(text.slice(waiter.from))) {
      const w = waiter;
      waiter = undefined;
      w.resolve(performance.now());
    }
  };
  child.stderr!.on('data', (b: Buffer) => {
    text += b.toString();
    check();
  });
  const waitFor = (re: RegExp, from: number) =>
    new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`kiln watch: no ${re} within 60 s:\n${text}`)), 60_000);
      waiter = { re, from, resolve: (t) => (clearTimeout(timer), resolve(t)) };
      check();
    });
  try {
    await waitFor(/press Ctrl-C to stop\n/, 0);
    const samples: number[] = [];
    for (let i = 0; i < WATCH_REPS; i++) {
      const from = text.length;
      const t0 = performance.now();
      writeFileSync(join(dir, 'fpga.config.ts'), c.config(i % 2 === 0 ? 4 : 8));
      const t1 = await waitFor(/\n {2}total .*: (fits|does NOT fit) [^\n]*\n/, from);
      samples.push(t1 - t0);
      // Let the watcher settle (its build's end check of the files) before the next save.
      await new Promise((r) => setTimeout(r, 150));
    }
    return samples;
  } finally {
    child.kill('SIGINT');
    await new Promise((r) => child.on('exit', r));
  }
}

function gitCommit(): string {
  const r = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' });
  const dirty = spawnSync('git', ['status', '--porcelain', '--', 'src'], { cwd: ROOT, encoding: 'utf8' }).stdout.trim() !== '';
  return `${r.stdout.trim() || 'unknown'}${dirty ? ' (with uncommitted changes in src/)' : ''}`;
}

const env = { ...machine(), kiln: KILN_VERSION, commit: gitCommit(), loadAverageBefore: loadavg().map((x) => Number(x.toFixed(2))) };
console.log(`kiln ${env.kiln} (${env.commit}); ${env.cpu}, ${env.cores} cores, ${env.memoryGiB} GiB; ${env.os}; Node ${env.node}, npm ${env.npm}`);
console.log(`repetitions: in-process ${REPS}, CLI ${CLI_REPS}, watch ${WATCH_REPS}; load average ${env.loadAverageBefore.join(' ')}\n`);

const results: CaseResult[] = [];
for (const c of CASES) {
  process.stdout.write(`${c.name}: in-process…`);
  const a = inProcess(c);
  process.stdout.write(' CLI…');
  const b = oneShot(c);
  let watch: CaseResult['watchLatencyMs'];
  if (c.layer === 'encoder.0.ffn.fc1') {
    process.stdout.write(' watch…');
    const samples = await watchLatency(c);
    watch = { median: median(samples), max: max(samples), samples: samples.map((x) => Number(x.toFixed(1))) };
  }
  console.log(' done');
  results.push({ name: c.name, layer: c.layer, ...a, ...b, ...(watch ? { watchLatencyMs: watch } : {}) });
}
const loadAfter = loadavg().map((x) => Number(x.toFixed(2)));

// ── table ──
const header = ['Model', 'Changed layer', 'Full (in-process)', 'Rebuild (in-process)', 'Ratio', 'Full (CLI)', 'Rebuild (CLI)', 'Ratio', 'CLI floor: start / no change', 'Watch rebuild / CLI full', 'Save→report (watch)'];
const rows = results.map((r) => [
  r.name,
  r.layer,
  ms(r.inProcessFullMs),
  ms(r.inProcessRebuildMs),
  pct(r.inProcessRebuildMs / r.inProcessFullMs),
  ms(r.cliFullMs),
  ms(r.cliRebuildMs),
  pct(r.cliRebuildMs / r.cliFullMs),
  `${ms(r.cliStartMs)} / ${ms(r.cliNoChangeMs)}`,
  pct(r.inProcessRebuildMs / r.cliFullMs),
  r.watchLatencyMs ? `${ms(r.watchLatencyMs.median)} (max ${ms(r.watchLatencyMs.max)})` : '-',
]);
const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
console.log('\n' + [header, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ')).join('\n'));

const def = results[0]!;
const targets = {
  rebuildAtMost10PercentInProcess: results.every((r) => r.inProcessRebuildMs <= 0.1 * r.inProcessFullMs),
  rebuildAtMost10PercentOfCliFull: results.every((r) => r.inProcessRebuildMs <= 0.1 * r.cliFullMs),
  rebuildAtMost10PercentCliOneShot: results.every((r) => r.cliRebuildMs <= 0.1 * r.cliFullMs),
  watchWithin200msDefault: def.watchLatencyMs !== undefined && def.watchLatencyMs.median <= 200,
  watchWithin200msDefaultEverySample: def.watchLatencyMs !== undefined && def.watchLatencyMs.max <= 200,
};
const yes = (b: boolean) => (b ? 'met' : 'NOT met');
console.log(`\ntargets: one-layer rebuild ≤ 10% of a full build: watch rebuild vs CLI full build ${yes(targets.rebuildAtMost10PercentOfCliFull)}; in-process vs in-process ${yes(targets.rebuildAtMost10PercentInProcess)}; CLI vs CLI ${yes(targets.rebuildAtMost10PercentCliOneShot)}`);
console.log(`         watch save→report ≤ 200 ms (default model): median ${yes(targets.watchWithin200msDefault)}, every sample ${yes(targets.watchWithin200msDefaultEverySample)}`);

if (!QUICK) {
  const json = { benchmark: 'incremental', environment: { ...env, loadAverageAfter: loadAfter }, repetitions: { inProcess: REPS, cli: CLI_REPS, watch: WATCH_REPS }, results, targets };
  const dir = join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'incremental.json'), JSON.stringify(json, null, 2) + '\n');
  const stageNames = Object.keys(results[0]!.rebuildStages).filter((k) => k !== 'total');
  const md = [
    '# Incremental builds and watch mode: benchmark',
    '',
    `Run with \`npm run bench:incremental\` on ${env.date.slice(0, 10)}: kiln ${env.kiln} (${env.commit}).`,
    `Machine: ${env.cpu}, ${env.cores} cores, ${env.memoryGiB} GiB; ${env.os}; Node ${env.node}, npm ${env.npm}.`,
    `Load average before/after: ${env.loadAverageBefore.join(' ')} / ${loadAfter.join(' ')} (other work was running on the machine, so expect noise).`,
    '',
    `Medians of ${REPS} (in-process), ${CLI_REPS} (CLI) and ${WATCH_REPS} (watch) repetitions. The change is one layer's weightBits toggled 8 ↔ 4 in`,
    'the config file. In-process (plain node, the built kiln in dist/): full is buildProject() into an empty folder in a warm process;',
    'rebuild is buildProject() with the previous build of the session and the lock already held (what `kiln watch` runs), config reload',
    'included. CLI: `node bin/kiln.js build` as a new process',
    '(full: empty folder; rebuild: manifest on disk); save→report: a real `kiln watch` process, from writing the config file to the',
    'arrival of the last line of its report (totals and fit verdict).',
    '',
    `| ${header.join(' | ')} |`,
    `|${header.map((_, i) => (i < 2 ? '---' : '---:')).join('|')}|`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
    '',
    'Where the in-process rebuild spends its time (medians, ms):',
    '',
    `| Model | Changed layer | ${stageNames.join(' | ')} | total | units rebuilt | files written |`,
    `|---|---|${stageNames.map(() => '---:').join('|')}|---:|---|---:|`,
    ...results.map((r) => `| ${r.name} | ${r.layer} | ${stageNames.map((k) => r.rebuildStages[k]!.toFixed(1)).join(' | ')} | ${r.rebuildStages.total!.toFixed(1)} | ${r.rebuiltUnits.join(', ')} | ${r.filesWritten} of ${r.files} |`),
    '',
    '## Targets',
    '',
    `- **Watch shows the new report within 200 ms of the save (default model): ${yes(targets.watchWithin200msDefault)}** — median ${ms(def.watchLatencyMs!.median)}, slowest of ${WATCH_REPS} saves ${ms(def.watchLatencyMs!.max)}. This includes the 60 ms quiet period (debounce) the watcher waits after a save.`,
    '- **A one-layer rebuild takes at most 10% of a full build**, per model and reading (the verdict is per row):',
    '',
    '  | Model | Changed layer | Watch rebuild / CLI full | In-process rebuild / full | One-shot CLI rebuild / full |',
    '  |---|---|---:|---:|---:|',
    ...results.map((r) => {
      const cell = (a: number, b: number) => `${ms(a)} / ${ms(b)} = ${pct(a / b)}: ${a <= 0.1 * b ? 'met' : '**NOT met**'}`;
      return `  | ${r.name} | ${r.layer} | ${cell(r.inProcessRebuildMs, r.cliFullMs)} | ${cell(r.inProcessRebuildMs, r.inProcessFullMs)} | ${cell(r.cliRebuildMs, r.cliFullMs)} |`;
    }),
    '',
    'Reading the ratios:',
    '',
    '- **Watch rebuild / CLI full** compares what `kiln watch` does after a save with what a user runs without it (`kiln build`, a',
    '  new process, a full build): the cost of a change as a user waits for it.',
    '- **In-process** compares the build work alone, both in a warm process. A rebuild has a floor that does not shrink with the',
    '  change: reloading the config, resolving and estimating the whole design (the fit verdict needs every layer), hashing every',
    "  unit's key inputs, checking the clean units' files on disk, writing the changed files and the manifest. For the default model,",
    '  whose whole warm build takes a few tens of milliseconds, that floor of a few milliseconds is more than 10% of it; for the',
    '  large model the rebuild is dominated by the real work (the changed layer, and @model rerunning the integer reference',
    '  model from the changed layer to the output: more when the change is in the first encoder layer than in the last).',
    '- **One-shot CLI** runs pay the process floor on both sides: the `--version` column is Node start-up plus loading kiln, and',
    '  the no-change column adds loading the config, resolving, estimating and planning. A one-layer rebuild saves the float',
    '  calibration (stored in `.kiln/calibration.json`), the emission and the writes of the unchanged units, but cannot go',
    '  below the no-change floor, which for the default model is most of a full build.',
    '',
  ].join('\n');
  writeFileSync(join(dir, 'incremental.md'), md);
  console.log(`\nwrote bench/results/incremental.md and incremental.json`);
}
