/**
 * The estimator's hold-out (issue 12): whole models of random shapes (bench/lib/holdout-models.ts) that no
 * rule or factor was derived from, synthesized with kiln's flow (each layer alone and the flattened top
 * level), the first few also simulated in GHDL for cycles, and scored once against the targets:
 * BRAM18, DSP and LUTRAM exact on every model and ≥ 99 % of layers; whole-model LUT and FF median ≤ 3 %, max
 * ≤ 8 %; per-layer LUT and FF median ≤ 5 %, p90 ≤ 12 %; cycles equal to GHDL.
 *
 *   npm run bench:holdout -- --seed S --count N [--simulate K] [--state DIR]
 *
 * A committed hold-out is scored once: commit its seed before any refit, and never fit to it. The run refuses to
 * replace a committed result (holdout.json in the results folder) of another seed unless given --replace. --state DIR keeps each model's
 * result, so a run of hours can stop and go on.
 */
import { execSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import type { ResourceName } from '../src/dsl/index.js';
import { estimateDesign } from '../src/estimator/index.js';
import type { ErrorBands } from '../src/estimator/error-bands.js';
import { ghdlVersion } from '../src/toolchain/ghdl.js';
import { simulate } from '../src/toolchain/simulate.js';
import { yosysVersion } from '../src/toolchain/yosys.js';
import { holdoutModel, MAX_ESTIMATED_LUT } from './lib/holdout-models.js';
import { machine } from './lib/machine.js';
import { synthesizeModel } from './lib/synth-model.js';

const ROOT = join(import.meta.dirname, '..');
const RESULTS = join(ROOT, 'bench', 'results');
const BANDS_MODULE = join(ROOT, 'src', 'estimator', 'error-bands.generated.ts');
type Counts = Record<ResourceName, number>;

export interface ModelResult {
  index: number;
  label: string;
  estimate: Counts;
  synthesized: Counts;
  layers: { unit: string; kind: string; estimate: Counts; synthesized: Counts }[];
  /** Layer testbenches run in GHDL: whether every layer's cycles equal the plan's. */
  cycles?: { layers: number; equal: boolean; differing: string[] };
  synthSeconds: number;
  refused: string[];
}

const pick = (c: Counts): Counts => ({ lut: c.lut, ff: c.ff, lutram: c.lutram, bram18: c.bram18, dsp: c.dsp });
const errPct = (e: number, s: number) => (s === 0 ? (e === 0 ? 0 : 100) : ((e - s) / s) * 100);
function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return 0;
  const at = (s.length - 1) * q;
  const lo = Math.floor(at);
  return s[lo]! + (s[Math.min(lo + 1, s.length - 1)]! - s[lo]!) * (at - lo);
}

async function scoreModel(seed: number, index: number, simulateIt: boolean, jobs: number): Promise<ModelResult> {
  const m = holdoutModel(seed, index, (d) => estimateDesign(d).total.lut);
  const name = `h${String(index).padStart(2, '0')}`;
  const s = await synthesizeModel(name, m.config, { jobs, log: (line) => console.log(line) });
  const est = estimateDesign(s.design);
  const byPath = new Map(est.layers.map((l) => [l.path, l]));
  const top = s.units.find((u) => u.kind === 'model')!;
  const layers = s.units.filter((u) => u.kind !== 'model').map((u) => ({ unit: u.unit, kind: u.kind, estimate: pick(byPath.get(u.unit)!), synthesized: pick(u.counts!) }));
  let cycles: ModelResult['cycles'];
  if (simulateIt) {
    const results = await simulate(s.testbenches.filter((tb) => tb.kind !== 'model'), { outDir: s.outDir, jobs });
    const differing = results.filter((r) => r.status !== 'pass' || r.cycles !== r.expectedCycles).map((r) => `${r.unit}: ${r.status}, ${r.cycles} cycles, ${r.expectedCycles} planned`);
    cycles = { layers: results.length, equal: differing.length === 0, differing };
  }
  rmSync(s.outDir, { recursive: true, force: true });
  return { index, label: m.label, estimate: pick(est.total), synthesized: pick(top.counts!), layers, ...(cycles ? { cycles } : {}), synthSeconds: Math.round(s.seconds), refused: [...m.refused] };
}

export function score(results: readonly ModelResult[]) {
  const exact = (k: 'bram18' | 'dsp' | 'lutram') => ({
    models: results.filter((r) => r.estimate[k] === r.synthesized[k]).length,
    layers: results.reduce((n, r) => n + r.layers.filter((l) => l.estimate[k] === l.synthesized[k]).length, 0),
  });
  const layerCount = results.reduce((n, r) => n + r.layers.length, 0);
  const whole = (k: 'lut' | 'ff') => results.map((r) => Math.abs(errPct(r.estimate[k], r.synthesized[k])));
  const perLayer = (k: 'lut' | 'ff') => results.flatMap((r) => r.layers.map((l) => Math.abs(errPct(l.estimate[k], l.synthesized[k]))));
  const dist = (xs: number[]) => ({ median: quantile(xs, 0.5), p90: quantile(xs, 0.9), max: xs.length ? Math.max(...xs) : 0 });
  const simulated = results.filter((r) => r.cycles);
  const s = {
    models: results.length,
    layers: layerCount,
    exact: { bram18: exact('bram18'), dsp: exact('dsp'), lutram: exact('lutram') },
    wholeModel: { lut: dist(whole('lut')), ff: dist(whole('ff')) },
    perLayer: { lut: dist(perLayer('lut')), ff: dist(perLayer('ff')) },
    cycles: { models: simulated.length, layers: simulated.reduce((n, r) => n + r.cycles!.layers, 0), equal: simulated.every((r) => r.cycles!.equal) },
  };
  const targets = {
    enoughModels: s.models >= 30,
    exactModels: (['bram18', 'dsp', 'lutram'] as const).every((k) => s.exact[k].models === s.models),
    exactLayers: (['bram18', 'dsp', 'lutram'] as const).every((k) => s.exact[k].layers >= 0.99 * s.layers),
    wholeModelLut: s.wholeModel.lut.median <= 3 && s.wholeModel.lut.max <= 8,
    wholeModelFf: s.wholeModel.ff.median <= 3 && s.wholeModel.ff.max <= 8,
    perLayerLut: s.perLayer.lut.median <= 5 && s.perLayer.lut.p90 <= 12,
    perLayerFf: s.perLayer.ff.median <= 5 && s.perLayer.ff.p90 <= 12,
    cycles: s.cycles.models >= Math.min(10, s.models) && s.cycles.equal,
  };
  return { ...s, targets };
}

/** The figures users see in their reports (src/estimator/error-bands.ts), from a scored run. */
export function errorBands(run: { seed: number; commit?: string; machine: { date: string }; tools: Record<string, string | undefined>; summary: ReturnType<typeof score> }): ErrorBands {
  const s = run.summary;
  const one = (x: number) => Math.round(x * 10) / 10;
  const band = (k: 'lut' | 'ff') => ({ layerMedianPct: one(s.perLayer[k].median), layerP90Pct: one(s.perLayer[k].p90), modelMedianPct: one(s.wholeModel[k].median), modelMaxPct: one(s.wholeModel[k].max) });
  const share = (n: number, of: number) => (of === 0 ? 0 : one((n / of) * 100));
  const exact = (by: 'layers' | 'models', of: number) => ({ bram18: share(s.exact.bram18[by], of), dsp: share(s.exact.dsp[by], of), lutram: share(s.exact.lutram[by], of) });
  return {
    source: { seed: run.seed, models: s.models, layers: s.layers, date: run.machine.date.slice(0, 10), ...(run.commit ? { commit: run.commit } : {}), tools: `${run.tools.ghdl?.split(' (')[0] ?? '?'}; ${run.tools.yosys?.split(' (')[0] ?? '?'}` },
    lut: band('lut'),
    ff: band('ff'),
    exactLayersPct: exact('layers', s.layers),
    exactModelsPct: exact('models', s.models),
  };
}

export function errorBandsModule(bands: ErrorBands): string {
  return [
    `// Generated by bench/holdout.ts from the committed hold-out run (seed ${bands.source.seed}); do not edit.`,
    "import type { ErrorBands } from './error-bands.js';",
    '',
    `export const ERROR_BANDS: ErrorBands | undefined = ${JSON.stringify(bands, null, 2)};`,
    '',
  ].join('\n');
}

function markdown(r: { seed: number; commit?: string; machine: ReturnType<typeof machine>; tools: Record<string, string | undefined>; results: ModelResult[]; summary: ReturnType<typeof score> }): string {
  const f = (x: number) => `${x.toFixed(1)} %`;
  const s = r.summary;
  const lines = ['# Estimator hold-out (npm run bench:holdout)', ''];
  lines.push(`Seed **${r.seed}**, ${s.models} models (${s.layers} layers), kiln commit ${r.commit ?? '?'}; run ${r.machine.date} on ${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.os}, Node ${r.machine.node}; ${r.tools.ghdl}; ${r.tools.yosys}.`);
  lines.push(`Models are drawn by \`bench/lib/holdout-models.ts\` (up to ${MAX_ESTIMATED_LUT.toLocaleString('en-US')} estimated LUTs); they are scored once and never fitted to.`, '');
  lines.push('| Target | Result | Met |', '|---|---|---|');
  const t = s.targets;
  const yes = (b: boolean) => (b ? 'yes' : '**no**');
  for (const k of ['bram18', 'dsp', 'lutram'] as const) lines.push(`| ${k.toUpperCase()} exact: every model, ≥ 99 % of layers | ${s.exact[k].models} / ${s.models} models, ${s.exact[k].layers} / ${s.layers} layers | ${yes(s.exact[k].models === s.models && s.exact[k].layers >= 0.99 * s.layers)} |`);
  for (const k of ['lut', 'ff'] as const) {
    lines.push(`| whole-model ${k.toUpperCase()}: median ≤ 3 %, max ≤ 8 % | median ${f(s.wholeModel[k].median)}, max ${f(s.wholeModel[k].max)} | ${yes(k === 'lut' ? t.wholeModelLut : t.wholeModelFf)} |`);
    lines.push(`| per-layer ${k.toUpperCase()}: median ≤ 5 %, p90 ≤ 12 % | median ${f(s.perLayer[k].median)}, p90 ${f(s.perLayer[k].p90)} (max ${f(s.perLayer[k].max)}) | ${yes(k === 'lut' ? t.perLayerLut : t.perLayerFf)} |`);
  }
  lines.push(`| cycles equal to GHDL (≥ 10 models simulated) | ${s.cycles.models} models, ${s.cycles.layers} layers: ${s.cycles.equal ? 'all equal' : 'DIFFER'} | ${yes(t.cycles)} |`);
  lines.push(`| at least 30 models | ${s.models} | ${yes(t.enoughModels)} |`, '');
  lines.push('| # | Model | LUT est / syn | FF est / syn | LUTRAM | BRAM18 | DSP | Cycles |', '|---:|---|---:|---:|---:|---:|---:|---|');
  for (const m of r.results) {
    const c = (k: ResourceName) => `${m.estimate[k]} / ${m.synthesized[k]}${k === 'lut' || k === 'ff' ? ` (${errPct(m.estimate[k], m.synthesized[k]) >= 0 ? '+' : ''}${errPct(m.estimate[k], m.synthesized[k]).toFixed(1)} %)` : m.estimate[k] === m.synthesized[k] ? '' : ' ✗'}`;
    lines.push(`| ${m.index} | ${m.label} | ${c('lut')} | ${c('ff')} | ${c('lutram')} | ${c('bram18')} | ${c('dsp')} | ${m.cycles ? (m.cycles.equal ? `equal (${m.cycles.layers} layers)` : `DIFFER: ${m.cycles.differing.join('; ')}`) : '-'} |`);
  }
  const misses = r.results.flatMap((m) => m.layers.flatMap((l) => (['bram18', 'dsp', 'lutram'] as const).filter((k) => l.estimate[k] !== l.synthesized[k]).map((k) => `| ${m.index} | ${l.unit} (${l.kind}) | ${k} | ${l.estimate[k]} | ${l.synthesized[k]} |`)));
  lines.push('', `## Layers whose BRAM18, DSP or LUTRAM count differs: ${misses.length}`, '');
  if (misses.length) lines.push('| # | Layer | resource | estimate | synthesized |', '|---:|---|---|---:|---:|', ...misses);
  const refused = r.results.flatMap((m) => m.refused.map((x) => `- model ${m.index}: ${x}`));
  lines.push('', `## Draws refused before a model was accepted: ${refused.length}`, '', ...refused);
  return lines.join('\n') + '\n';
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { seed: { type: 'string' }, count: { type: 'string', default: '30' }, simulate: { type: 'string', default: '10' }, jobs: { type: 'string', default: '2' }, state: { type: 'string' }, replace: { type: 'boolean', default: false }, 'no-write': { type: 'boolean', default: false } } });
  const seed = values.seed !== undefined ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
  const count = Number(values.count);
  const simulateFirst = Number(values.simulate);
  const jobs = Number(values.jobs);
  const committed = join(RESULTS, 'holdout.json');
  if (!values['no-write'] && existsSync(committed) && !values.replace) {
    const old = JSON.parse(readFileSync(committed, 'utf8')) as { seed: number };
    if (old.seed !== seed) {
      console.error(`the committed hold-out (${committed}) holds seed ${old.seed}: a hold-out is scored once. Pass --replace to score a new seed (after committing the old result), or --no-write.`);
      process.exit(2);
    }
  }
  console.log(`hold-out: seed ${seed}, ${count} models, the first ${simulateFirst} simulated`);
  const statePath = values.state ? join(resolve(values.state), `holdout-${seed}.jsonl`) : undefined;
  if (values.state) mkdirSync(resolve(values.state), { recursive: true });
  const done = new Map<number, ModelResult>();
  if (statePath && existsSync(statePath)) for (const line of readFileSync(statePath, 'utf8').split('\n')) if (line.trim()) { const r = JSON.parse(line) as ModelResult; done.set(r.index, r); }
  for (let i = 0; i < count; i++) {
    if (done.has(i)) continue;
    const r = await scoreModel(seed, i, i < simulateFirst, jobs);
    done.set(i, r);
    if (statePath) appendFileSync(statePath, JSON.stringify(r) + '\n');
    console.log(`[holdout] ${i + 1}/${count} ${r.label}: LUT ${r.estimate.lut}/${r.synthesized.lut}, FF ${r.estimate.ff}/${r.synthesized.ff}, BRAM18 ${r.estimate.bram18}/${r.synthesized.bram18}, DSP ${r.estimate.dsp}/${r.synthesized.dsp}, LUTRAM ${r.estimate.lutram}/${r.synthesized.lutram}`);
  }
  const results = [...done.values()].filter((r) => r.index < count).sort((a, b) => a.index - b.index);
  const summary = score(results);
  let commit: string | undefined;
  try {
    commit = execSync('git rev-parse --short HEAD', { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    commit = undefined;
  }
  const out = { schema: 'kiln-holdout', seed, count, commit, machine: machine(), tools: { ghdl: ghdlVersion(), yosys: yosysVersion() }, results, summary };
  const md = markdown(out);
  console.log(md.split('\n').slice(0, 16).join('\n'));
  if (!values['no-write']) {
    writeFileSync(committed, JSON.stringify(out, null, 1) + '\n');
    writeFileSync(join(RESULTS, 'holdout.md'), md);
    writeFileSync(BANDS_MODULE, errorBandsModule(errorBands(out)));
    console.log(`wrote holdout.md and holdout.json in ${RESULTS}, and the error bands reports show in ${BANDS_MODULE}`);
  }
}
