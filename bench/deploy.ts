/**
 * Deployability study (issue 13): which Transformer shapes fit the smallest Spartan-7 parts
 *   - with uniform 8-bit precision and the configuration's default storage ('auto');
 *   - with the best uniform width (every layer at one width, memories and multipliers placed within the budget);
 *   - with `kiln search` (per-layer widths, storage and multiplier mapping);
 * the last two at no more than 5 % RMSE loss against the float model on the validation split.
 *
 * Grid: d_model 8, 16, 24, 32, 48, 64; heads 1, 2, 4 (all divide); 1 and 2 encoder layers (FFN 4·d_model,
 * window 24, 8 input stations: the default model's data); on the XC7S6, XC7S15 and XC7S25. Each shape is
 * trained on the PM10 series with the default model's recipe (models/airbase-pm10/train.py --shape, seeded and
 * deterministic), so accuracy is a real forecast's, not a synthetic network's.
 *
 * The three largest shapes that only the search makes deployable are confirmed end to end through the CLI:
 * `kiln search`, `kiln search --write` of the most accurate point within the loss, `kiln build`, `kiln synth`
 * (every synthesized total within the device) and `kiln sim` (every testbench bit-exact, cycles as estimated).
 *
 *   npm run bench:deploy                               everything; writes bench/results/deploy.{md,json}
 *   npm run bench:deploy -- --models DIR               trained shapes and finished cells (default /tmp/kiln-deploy-models;
 *                                                      trains missing shapes; run again after an interruption to go on)
 *   npm run bench:deploy -- --evaluations N            accuracy evaluations per search (default 150)
 *   npm run bench:deploy -- --no-confirm --no-write    the study only, printed
 *   npm run bench:deploy -- --only d8-h1-l1,d16-h2-l2  some shapes (with --no-write)
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadInputs } from '../src/build/inputs.js';
import { transformer, type KilnConfig } from '../src/index.js';
import { resolveDesign } from '../src/ir/index.js';
import { estimateDesign } from '../src/estimator/index.js';
import { baseCandidate, placeWithinBudget, runSearch, setupSearch, uniformPrecision } from '../src/search/index.js';
import { machine } from './lib/machine.js';

const ROOT = join(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    models: { type: 'string', default: join(tmpdir(), 'kiln-deploy-models') },
    evaluations: { type: 'string', default: '150' },
    'no-confirm': { type: 'boolean', default: false },
    'no-write': { type: 'boolean', default: false },
    only: { type: 'string' },
  },
});
const EVALUATIONS = Number(values.evaluations);
const MAX_LOSS = 0.05;
const D_MODELS = [8, 16, 24, 32, 48, 64];
const HEADS = [1, 2, 4];
const LAYERS = [1, 2];
const DEVICES = ['xc7s6', 'xc7s15', 'xc7s25'] as const;
const STATIONS = ['DEUB005', 'DENI060', 'DENI063', 'DENI059', 'DENI058', 'DEMV017', 'DEUB030', 'DEUB028'];

interface Shape {
  dModel: number;
  heads: number;
  layers: number;
}
const shapeName = (s: Shape) => `d${s.dModel}-h${s.heads}-l${s.layers}`;
const shapes: Shape[] = LAYERS.flatMap((layers) => D_MODELS.flatMap((dModel) => HEADS.filter((h) => dModel % h === 0).map((heads) => ({ dModel, heads, layers })))).filter(
  (s) => values.only === undefined || values.only.split(',').includes(shapeName(s)),
);

// 1. Trained weights for every shape (cached in --models).
function trained(s: Shape): string {
  const dir = join(values.models!, shapeName(s));
  if (!existsSync(join(dir, 'training.json'))) {
    console.error(`training ${shapeName(s)} …`);
    const r = spawnSync('/usr/bin/python3', [join(ROOT, 'models/airbase-pm10/train.py'), '--shape', `${s.dModel},${s.heads},${s.layers}`, '--out', dir], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`training ${shapeName(s)} failed: ${r.stderr}`);
  }
  return dir;
}

function configOf(s: Shape, device: string, weights: string): KilnConfig {
  return {
    device: device as KilnConfig['device'],
    clockMHz: 100,
    model: transformer({ window: 24, inputFeatures: STATIONS.length, outputs: 1, dModel: s.dModel, heads: s.heads, ffnDim: 4 * s.dModel, encoderLayers: s.layers }),
    defaults: { weightBits: 8, outputBits: 8 },
    weights: { file: join(weights, 'model.safetensors') },
    data: { csv: join(ROOT, 'models/airbase-pm10/data.csv'), features: STATIONS, target: 'DEUB005' },
  };
}

interface Cell {
  shape: string;
  device: string;
  params: number;
  uniform8: { fits: boolean; lut: number; over: string[] };
  bestUniform?: { bits: number; rmseIncrease: number; lut: number };
  search?: { rmseIncrease: number; lut: number; bram18: number; dsp: number; points: number };
  /** Nothing fits even at the narrowest width with everything placed in fabric: no search run. */
  infeasible?: boolean;
  cpuSeconds: number;
}

const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

// 2. The study.
const cells: Cell[] = [];
// Each cell is kept in --models as it finishes, so an interrupted run goes on where it stopped.
const cellFile = (s: Shape, device: string) => join(values.models!, 'cells', `${shapeName(s)}-${device}-e${EVALUATIONS}.json`);
for (const s of shapes) {
  const weights = trained(s);
  for (const device of DEVICES) {
    if (existsSync(cellFile(s, device))) {
      cells.push(JSON.parse(readFileSync(cellFile(s, device), 'utf8')) as Cell);
      continue;
    }
    const t0 = cpu();
    const config = configOf(s, device, weights);
    const design = resolveDesign(config);
    const estimate = estimateDesign(design);
    const params = design.layers.reduce((n, l) => n + l.memories.filter((m) => m.role === 'weights').reduce((k, m) => k + m.depth, 0), 0);
    const cell: Cell = { shape: shapeName(s), device, params, uniform8: { fits: estimate.fits, lut: estimate.total.lut, over: [...estimate.over] }, cpuSeconds: 0 };
    const inputs = loadInputs(design, dirname(weights), ROOT);
    const setup = setupSearch(config, inputs.sources, inputs.data?.dataset);
    const narrowest = placeWithinBudget(setup.space, uniformPrecision(setup.space, baseCandidate(setup.space), 2), (c) => setup.resources.cost(c));
    if (!setup.resources.cost(narrowest).fits) cell.infeasible = true;
    else {
      const result = runSearch(setup, { seed: 1, evaluations: EVALUATIONS });
      const within = (loss: number | undefined) => loss !== undefined && loss <= MAX_LOSS;
      const uniform = result.uniform.filter((u) => u.point.cost.fits && within(u.point.accuracy.rmseIncrease)).sort((a, b) => b.bits - a.bits)[0];
      if (uniform) cell.bestUniform = { bits: uniform.bits, rmseIncrease: uniform.point.accuracy.rmseIncrease!, lut: uniform.point.cost.lut };
      const best = result.front.filter((p) => p.cost.fits && within(p.accuracy.rmseIncrease)).sort((a, b) => a.accuracy.rmse - b.accuracy.rmse)[0];
      if (best) cell.search = { rmseIncrease: best.accuracy.rmseIncrease!, lut: best.cost.lut, bram18: best.cost.bram18, dsp: best.cost.dsp, points: result.front.length };
    }
    cell.cpuSeconds = Math.round((cpu() - t0) * 10) / 10;
    cells.push(cell);
    mkdirSync(dirname(cellFile(s, device)), { recursive: true });
    writeFileSync(cellFile(s, device), JSON.stringify(cell));
    console.error(`${cell.shape} on ${device}: uniform 8-bit ${cell.uniform8.fits ? 'fits' : 'over'}; best uniform ${cell.bestUniform ? `${cell.bestUniform.bits}-bit` : '-'}; search ${cell.search ? `fits (${(cell.search.rmseIncrease * 100).toFixed(1)} % loss)` : cell.infeasible ? 'nothing fits' : '-'} (${cell.cpuSeconds} s)`);
  }
}

const count = (f: (c: Cell) => boolean) => Object.fromEntries(DEVICES.map((d) => [d, cells.filter((c) => c.device === d && f(c)).length]));
const counts = {
  uniform8: count((c) => c.uniform8.fits),
  bestUniform: count((c) => c.bestUniform !== undefined),
  search: count((c) => c.search !== undefined),
};
const total = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);

// 3. Confirmation of the three largest shapes that only the search makes deployable (not uniform 8-bit).
interface Confirmation {
  shape: string;
  device: string;
  point: number;
  estimate: Record<string, number>;
  synthesized?: Record<string, number>;
  limits?: Record<string, number>;
  fitsSynthesized?: boolean;
  sim?: { passed: number; failed: number };
  note?: string;
}
const confirmations: Confirmation[] = [];
if (!values['no-confirm']) {
  const candidates = cells.filter((c) => c.search && !c.uniform8.fits).sort((a, b) => b.params - a.params);
  const seen = new Set<string>();
  for (const c of candidates) {
    if (seen.has(c.shape) || confirmations.length >= 3) continue;
    seen.add(c.shape);
    confirmations.push(confirm(c));
  }
}

function kiln(cwd: string, args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/kiln.js'), ...args], { cwd, encoding: 'utf8', maxBuffer: 256 * 2 ** 20 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function confirm(c: Cell): Confirmation {
  const s = shapes.find((x) => shapeName(x) === c.shape)!;
  const dir = join(tmpdir(), `kiln-deploy-${c.shape}-${c.device}`);
  mkdirSync(dir, { recursive: true });
  const weights = join(values.models!, c.shape, 'model.safetensors');
  writeFileSync(
    join(dir, 'fpga.config.ts'),
    [
      `import { defineConfig, transformer } from 'kiln-fpga';`,
      ``,
      `export default defineConfig({`,
      `  device: '${c.device}',`,
      `  clockMHz: 100,`,
      `  model: transformer({ window: 24, inputFeatures: ${STATIONS.length}, outputs: 1, dModel: ${s.dModel}, heads: ${s.heads}, ffnDim: ${4 * s.dModel}, encoderLayers: ${s.layers} }),`,
      `  defaults: { weightBits: 8, outputBits: 8 },`,
      `  weights: { file: ${JSON.stringify(weights)} },`,
      `  data: { csv: ${JSON.stringify(join(ROOT, 'models/airbase-pm10/data.csv'))}, features: ${JSON.stringify(STATIONS)}, target: 'DEUB005' },`,
      `});`,
      ``,
    ].join('\n'),
  );
  console.error(`confirming ${c.shape} on ${c.device} in ${dir}`);
  const search = kiln(dir, ['search', '--json', '--seed', '1', '--evaluations', String(EVALUATIONS)]);
  const doc = JSON.parse(search.stdout) as { front: { index: number; rmse: number; rmseIncrease?: number; fits: boolean; lut: number; ff: number; lutram: number; bram18: number; dsp: number }[] };
  const point = doc.front.filter((p) => p.fits && (p.rmseIncrease ?? Infinity) <= MAX_LOSS).sort((a, b) => a.rmse - b.rmse)[0];
  if (!point) return { shape: c.shape, device: c.device, point: -1, estimate: {}, note: 'the CLI search found no point within the loss' };
  const confirmation: Confirmation = { shape: c.shape, device: c.device, point: point.index, estimate: { lut: point.lut, ff: point.ff, lutram: point.lutram, bram18: point.bram18, dsp: point.dsp } };
  const write = kiln(dir, ['search', '--write', String(point.index)]);
  if (write.code !== 0) return { ...confirmation, note: `search --write failed: ${write.stderr.trim()}` };
  const build = kiln(dir, ['build', '--json']);
  if (build.code !== 0) return { ...confirmation, note: `build exited ${build.code}: ${build.stderr.trim().split('\n').slice(-3).join(' ')}` };
  const synth = kiln(dir, ['synth', '--json', '--jobs', '2']);
  const built = JSON.parse(readFileSync(join(dir, 'build', 'report.json'), 'utf8')) as { limits: Record<string, number> };
  let synthesized: Record<string, number> | undefined;
  try {
    // the whole model, flattened: what goes on the device
    synthesized = (JSON.parse(synth.stdout) as { units: { kind: string; synthesized?: Record<string, number> }[] }).units.find((u) => u.kind === 'model')?.synthesized;
  } catch {
    synthesized = undefined;
  }
  if (synthesized) {
    const counts = synthesized;
    confirmation.synthesized = counts;
    confirmation.limits = built.limits;
    confirmation.fitsSynthesized = ['lut', 'ff', 'lutram', 'bram18', 'dsp'].every((r) => (counts[r] ?? 0) <= (built.limits[r] ?? Infinity));
  } else confirmation.note = `synth exited ${synth.code}: ${synth.stderr.trim().split('\n').slice(-3).join(' ')}`;
  const sim = kiln(dir, ['sim', '--json']);
  try {
    const doc = JSON.parse(sim.stdout) as { passed: number; failed: number; errors: number };
    confirmation.sim = { passed: doc.passed, failed: doc.failed + doc.errors };
  } catch {
    confirmation.note = `${confirmation.note ?? ''} sim exited ${sim.code}: ${sim.stderr.trim().split('\n').slice(-3).join(' ')}`.trim();
  }
  return confirmation;
}

// 4. Report.
const m = machine();
const lines = [
  '# Deployability: uniform precision against `kiln search` (npm run bench:deploy)',
  '',
  `Run ${m.date.slice(0, 16).replace('T', ' ')} UTC on ${m.cpu}, ${m.cores} cores, ${m.os}, Node ${m.node}. ${shapes.length} shapes (d_model ${D_MODELS.join(', ')}; heads ${HEADS.join(', ')}; ${LAYERS.join(' and ')} encoder layers; FFN 4·d_model; window 24, 8 stations), each trained on the PM10 series (models/airbase-pm10/train.py --shape), on ${DEVICES.join(', ')}. Deployable: within every resource of the device, and, for the best uniform width and the search, at most ${MAX_LOSS * 100} % validation RMSE above the float model. Search: ${EVALUATIONS} accuracy evaluations, seed 1.`,
  '',
  '| Method | ' + DEVICES.join(' | ') + ' | Total |',
  '|---|' + DEVICES.map(() => '---:|').join('') + '---:|',
  `| uniform 8-bit, default storage | ${DEVICES.map((d) => counts.uniform8[d]).join(' | ')} | ${total(counts.uniform8)} |`,
  `| best uniform width (≤ ${MAX_LOSS * 100} % loss) | ${DEVICES.map((d) => counts.bestUniform[d]).join(' | ')} | ${total(counts.bestUniform)} |`,
  `| kiln search (≤ ${MAX_LOSS * 100} % loss) | ${DEVICES.map((d) => counts.search[d]).join(' | ')} | ${total(counts.search)} |`,
  '',
  `kiln search makes ${total(counts.search) - total(counts.bestUniform)} more (shape, device) configurations deployable than the best uniform width, and ${total(counts.search) - total(counts.uniform8)} more than uniform 8-bit. The research reports 5 more deployable configurations than uniform precision on its own grid and devices (its search synthesizes every candidate with Vivado).`,
  '',
  '## Confirmed by synthesis and simulation',
  '',
  '| Shape | Device | Point | Estimate LUT / FF / LUTRAM / BRAM18 / DSP | Synthesized | Fits after synthesis | kiln sim |',
  '|---|---|---:|---|---|---|---|',
  ...confirmations.map((c) => {
    const f = (r?: Record<string, number>) => (r ? ['lut', 'ff', 'lutram', 'bram18', 'dsp'].map((k) => r[k] ?? '?').join(' / ') : '-');
    return `| ${c.shape} | ${c.device} | ${c.point} | ${f(c.estimate)} | ${f(c.synthesized)} | ${c.fitsSynthesized === undefined ? '-' : c.fitsSynthesized ? 'yes' : 'NO'} | ${c.sim ? `${c.sim.passed} passed, ${c.sim.failed} failed` : '-'}${c.note ? ` (${c.note})` : ''} |`;
  }),
  '',
  '## Every configuration',
  '',
  '| Shape | Device | Uniform 8-bit (LUT) | Best uniform (loss) | kiln search (loss, LUT) | CPU s |',
  '|---|---|---|---|---|---:|',
  ...cells.map(
    (c) =>
      `| ${c.shape} | ${c.device} | ${c.uniform8.fits ? 'fits' : `over on ${c.uniform8.over.join(', ')}`} (${c.uniform8.lut}) | ${c.bestUniform ? `${c.bestUniform.bits}-bit (${(c.bestUniform.rmseIncrease * 100).toFixed(1)} %)` : '-'} | ${c.search ? `${(c.search.rmseIncrease * 100).toFixed(1)} %, ${c.search.lut}` : c.infeasible ? 'nothing fits at 2 bits' : '-'} | ${c.cpuSeconds} |`,
  ),
  '',
];
console.log(lines.join('\n'));
if (!values['no-write']) {
  const results = join(ROOT, 'bench', 'results');
  writeFileSync(join(results, 'deploy.md'), lines.join('\n'));
  writeFileSync(join(results, 'deploy.json'), JSON.stringify({ machine: m, evaluations: EVALUATIONS, maxLoss: MAX_LOSS, counts, cells, confirmations }, null, 1) + '\n');
  console.error('wrote bench/results/deploy.{md,json}');
}
