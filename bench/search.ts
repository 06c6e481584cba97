/**
 * Quality and speed of `kiln search` on the default (trained) model: its front against uniform precision at
 * every width, random search with the same number of accuracy evaluations, and, on a reduced space (five layers'
 * weightBits from {4, 6, 8}, everything else as configured), the exhaustive front. Fronts are compared by the
 * hypervolume they dominate over (validation RMSE, LUT), every figure from all validation windows, and by whether
 * one front weakly dominates each point of the other.
 *
 *   npm run bench:search [-- --evaluations N --seed S --no-write]
 *
 * Writes bench/results/search.{md,json}.
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadInputs } from '../src/build/inputs.js';
import { loadConfig } from '../src/dsl/load.js';
import { resolveDesign } from '../src/ir/index.js';
import { baseCandidate, dominates, hypervolume, nondominated, placeWithinBudget, settingsOf, ResourceModel, runSearch, Search, setupSearch, type Candidate, type SearchPoint, type SearchSetup, type SearchSpace } from '../src/search/index.js';
import { layerVariants } from '../src/ir/resolve.js';
import { createRng } from '../src/util/rng.js';
import { machine } from './lib/machine.js';

const ROOT = join(import.meta.dirname, '..');
const { values } = parseArgs({ options: { evaluations: { type: 'string', default: '300' }, seed: { type: 'string', default: '1' }, 'no-write': { type: 'boolean', default: false } } });
const evaluations = Number(values.evaluations);
const seed = Number(values.seed);

const loaded = await loadConfig({ cwd: ROOT, env: { command: 'search', mode: 'production' } });
const design = resolveDesign(loaded.config);
const inputs = loadInputs(design, dirname(loaded.filepath), ROOT);
const fresh = () => setupSearch(loaded.config as Parameters<typeof setupSearch>[0], inputs.sources, inputs.data?.dataset);

type Figures = { rmse: number; lut: number; fits: boolean };
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

/** Scored on all validation windows, as the reports give them. */
function full(setup: SearchSetup, points: readonly SearchPoint[]): Figures[] {
  return points.map((p) => ({ rmse: setup.finalAccuracy.evaluate(setup.resources.nodes(p.candidate)).rmse, lut: p.cost.lut, fits: p.cost.fits }));
}
const frontOf = (xs: Figures[]) => nondominated(xs.filter((x) => x.fits).map((x) => [x.rmse, x.lut])).map((i) => xs.filter((x) => x.fits)[i]!);

// 0. Estimates a second as a candidate changes: a random walk of single-gene changes over the default model's
//    space (a warm cache, as in a search: most layers' estimates are looked up), and the same with a cold cache
//    (every layer the change touches rebuilt and estimated).
function estimateRate(warm: boolean): number {
  const s = fresh();
  const walk = createRng(seed, warm ? 'walk-warm' : 'walk-cold');
  const c = Uint8Array.from(s.space.genes, () => 0).map((_, g) => s.space.genes[g]!.options.length - 1);
  const step = () => {
    const g = walk.int(0, s.space.genes.length - 1);
    c[g] = walk.int(0, s.space.genes[g]!.options.length - 1);
    return s.resources.cost(c).fits;
  };
  if (warm) for (let i = 0; i < 20_000; i++) step();
  const runs = warm ? 200_000 : 5_000;
  const t0 = cpuMs();
  let fit = 0;
  for (let i = 0; i < runs; i++) if (step()) fit++;
  void fit;
  return runs / ((cpuMs() - t0) / 1000);
}
const warmRate = estimateRate(true);
const coldRate = estimateRate(false);
console.log(`estimates: ${Math.round(warmRate)} per second as a candidate changes (warm), ${Math.round(coldRate)} from a cold cache`);

// 1. kiln search
let setup = fresh();
let t = cpuMs();
const result = runSearch(setup, { seed, evaluations });
const searchCpu = cpuMs() - t;
const kiln = result.front.map((p) => ({ rmse: p.accuracy.rmse, lut: p.cost.lut, fits: p.cost.fits }));
const uniform = result.uniform.map((u) => ({ bits: u.bits, rmse: u.point.accuracy.rmse, lut: u.point.cost.lut, fits: u.point.cost.fits }));
console.log(`kiln search: ${result.evaluations} evaluations, front ${kiln.length}, ${(searchCpu / 1000).toFixed(1)} s CPU`);

// 2. random search: the same number of distinct width vectors, each placed within the budget like kiln's
setup = fresh();
t = cpuMs();
const rng = createRng(seed, 'bench-random');
const random = new Search(setup.space, setup.resources, setup.accuracy, { evaluations });
const randomPoints: SearchPoint[] = [];
for (let tries = 0; randomPoints.length < evaluations && tries < evaluations * 20; tries++) {
  const c = Uint8Array.from(setup.space.genes, (g) => rng.int(0, g.options.length - 1));
  const p = random.score(placeWithinBudget(setup.space, c, (x) => setup.resources.cost(x)));
  if (!p) break;
  if (!randomPoints.includes(p)) randomPoints.push(p);
}
const sampledRandomFront = nondominated(randomPoints.filter((p) => p.cost.fits).map((p) => [p.accuracy.rmse, p.cost.lut])).map((i) => randomPoints.filter((p) => p.cost.fits)[i]!);
const randomFront = frontOf(full(setup, sampledRandomFront));
const randomCpu = cpuMs() - t;
console.log(`random search: ${randomPoints.length} points, front ${randomFront.length}, ${(randomCpu / 1000).toFixed(1)} s CPU`);

// 3. the reduced space: five layers' weightBits from {4, 6, 8}; exhaustive, and kiln's search on it
const REDUCED_LAYERS = ['input_linear', 'encoder.0.attn.q', 'encoder.0.attn.v', 'encoder.0.ffn.fc1', 'encoder.0.ffn.fc2'];
/** The reduced space: those genes only; every other setting as kiln's placement puts it for the configured widths. */
function reduced(space: SearchSpace, resources: ResourceModel): SearchSpace {
  const placed = placeWithinBudget(space, baseCandidate(space), (x) => resources.cost(x));
  const keep = space.genes.flatMap((g, i) => (g.setting === 'weightBits' && REDUCED_LAYERS.includes(g.path) ? [i] : []));
  const genes = keep.map((i) => ({ ...space.genes[i]!, options: [4, 6, 8] }));
  const layerGenes = space.layerGenes.map((_, layer) => genes.flatMap((g, i) => (g.layer === layer ? [i] : [])));
  return { ...space, genes, layerGenes, precisionGenes: genes.map((_, i) => i), base: space.base.map((_, layer) => settingsOf(space, placed, layer)) };
}
setup = fresh();
const small = reduced(setup.space, setup.resources);
const smallModel = new ResourceModel(small, layerVariants(loaded.config));
t = cpuMs();
const exhaustive = new Search(small, smallModel, setup.finalAccuracy, { evaluations: 3 ** small.genes.length });
const all: Figures[] = [];
for (let k = 0; k < 3 ** small.genes.length; k++) {
  const c: Candidate = Uint8Array.from(small.genes, (_, i) => Math.floor(k / 3 ** i) % 3);
  const p = exhaustive.score(c)!;
  all.push({ rmse: p.accuracy.rmse, lut: p.cost.lut, fits: p.cost.fits });
}
const exhaustiveFront = frontOf(all);
const exhaustiveCpu = cpuMs() - t;
const smallSearch = new Search(small, smallModel, setup.accuracy, { seed, evaluations: 40 }, setup.finalAccuracy).run();
const smallFront = smallSearch.front.map((p) => ({ rmse: p.accuracy.rmse, lut: p.cost.lut, fits: p.cost.fits }));
console.log(`reduced space: ${all.length} candidates exhaustively (${(exhaustiveCpu / 1000).toFixed(1)} s CPU), front ${exhaustiveFront.length}; kiln search on it with 40 evaluations: front ${smallFront.length}`);

// Scores
// The region that matters: up to 1.5 times the configured model's error, and the LUT budget.
const reference = [1.5 * result.base.accuracy.rmse, design.limits.lut];
const hv = (xs: readonly { rmse: number; lut: number }[]) => hypervolume(xs.map((x) => [x.rmse, x.lut]), reference);
const covers = (front: readonly Figures[], other: readonly { rmse: number; lut: number; fits: boolean }[]) => {
  const fitting = other.filter((o) => o.fits);
  const covered = fitting.filter((o) => front.some((f) => dominates([f.rmse, f.lut], [o.rmse, o.lut]) || (f.rmse <= o.rmse && f.lut <= o.lut)));
  return { covered: covered.length, of: fitting.length };
};
const smallRef = [1.5 * result.base.accuracy.rmse, design.limits.lut];
const hvSmall = (xs: readonly Figures[]) => hypervolume(xs.map((x) => [x.rmse, x.lut]), smallRef);
const summary = {
  estimatesPerSecond: { warm: Math.round(warmRate), cold: Math.round(coldRate) },
  kiln: { hypervolume: hv(kiln), points: kiln.length, cpuSeconds: searchCpu / 1000, evaluations: result.evaluations },
  uniform: { hypervolume: hv(uniform.filter((u) => u.fits)), points: uniform.length, coveredByKiln: covers(kiln, uniform) },
  random: { hypervolume: hv(randomFront), points: randomFront.length, cpuSeconds: randomCpu / 1000, coveredByKiln: covers(kiln, randomFront), kilnCoveredByRandom: covers(randomFront, kiln) },
  reduced: { candidates: all.length, exhaustiveHypervolume: hvSmall(exhaustiveFront), exhaustivePoints: exhaustiveFront.length, searchHypervolume: hvSmall(smallFront), searchEvaluations: smallSearch.evaluations, searchCoveredByExhaustive: covers(exhaustiveFront, smallFront) },
};

const m = machine();
const pct = (a: number, b: number) => `${((a / b) * 100).toFixed(1)} %`;
const md = [
  '# `kiln search` against uniform, random and exhaustive search (npm run bench:search)',
  '',
  `Run ${m.date.slice(0, 16).replace('T', ' ')} UTC on ${m.cpu}, ${m.cores} cores, ${m.os}, Node ${m.node}. The default model (trained, airbase PM10), seed ${seed}, ${evaluations} accuracy evaluations each for kiln and random search. Objectives: validation RMSE (all ${inputs.data?.dataset.splits.validation.windows.samples} windows; searches score candidates on a 128-window sample, fronts are scored again on all) and LUT; every point within the XC7S15 budget. Hypervolume over (RMSE, LUT) up to (${reference[0]!.toFixed(3)}, ${reference[1]}): larger is better.`,
  '',
  `Resource estimates (config to fit verdict) as a candidate changes one gene at a time: ${Math.round(warmRate).toLocaleString('en-US')} per second with the per-layer cache warm, ${Math.round(coldRate).toLocaleString('en-US')} per second from a cold cache (CPU time; the issue's target is 100,000).`,
  '',
  '| Method | Front points | Hypervolume | vs kiln | CPU |',
  '|---|---:|---:|---:|---:|',
  `| kiln search | ${summary.kiln.points} | ${summary.kiln.hypervolume.toFixed(1)} | 100 % | ${summary.kiln.cpuSeconds.toFixed(1)} s |`,
  `| uniform widths (${uniform.map((u) => u.bits).join(', ')}) | ${uniform.length} | ${summary.uniform.hypervolume.toFixed(1)} | ${pct(summary.uniform.hypervolume, summary.kiln.hypervolume)} | - |`,
  `| random search, same evaluations | ${summary.random.points} | ${summary.random.hypervolume.toFixed(1)} | ${pct(summary.random.hypervolume, summary.kiln.hypervolume)} | ${summary.random.cpuSeconds.toFixed(1)} s |`,
  '',
  `- Uniform points weakly dominated by kiln's front: ${summary.uniform.coveredByKiln.covered} of ${summary.uniform.coveredByKiln.of}.`,
  `- Random search's front points weakly dominated by kiln's: ${summary.random.coveredByKiln.covered} of ${summary.random.coveredByKiln.of}; kiln's dominated by random's: ${summary.random.kilnCoveredByRandom.covered} of ${summary.random.kilnCoveredByRandom.of}.`,
  `- Reduced space (weightBits of ${REDUCED_LAYERS.join(', ')} from {4, 6, 8}; ${all.length} candidates): the exhaustive front has ${summary.reduced.exhaustivePoints} points, hypervolume ${summary.reduced.exhaustiveHypervolume.toFixed(2)}; kiln's search on the same space with ${summary.reduced.searchEvaluations} evaluations reaches ${summary.reduced.searchHypervolume.toFixed(2)} (${pct(summary.reduced.searchHypervolume, summary.reduced.exhaustiveHypervolume)}).`,
  '',
  '## Fronts (validation RMSE, LUT)',
  '',
  `- kiln: ${kiln.map((x) => `(${x.rmse.toFixed(4)}, ${x.lut})`).join(' ')}`,
  `- uniform: ${uniform.map((x) => `${x.bits}-bit (${x.rmse.toFixed(4)}, ${x.lut}${x.fits ? '' : ', over'})`).join(' ')}`,
  `- random: ${randomFront.map((x) => `(${x.rmse.toFixed(4)}, ${x.lut})`).join(' ')}`,
  '',
  "The research's own loop samples with Optuna (TPE and NSGA-II) and synthesizes every candidate. There is no TypeScript port of TPE here; kiln's last phase is NSGA-II over the same genome, on the estimator and the integer model instead of synthesis.",
  '',
].join('\n');
console.log(md);
if (!values['no-write']) {
  writeFileSync(join(ROOT, 'bench', 'results', 'search.md'), md);
  writeFileSync(join(ROOT, 'bench', 'results', 'search.json'), JSON.stringify({ machine: m, seed, evaluations, summary, fronts: { kiln, uniform, random: randomFront, exhaustive: exhaustiveFront, reducedSearch: smallFront } }, null, 1) + '\n');
}
