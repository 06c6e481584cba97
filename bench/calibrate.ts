/**
 * Regenerates the estimator's calibration ("knowledge base"): synthesizes a calibration set of layers with
 * kiln's synthesis flow (GHDL → repaired netlist → yosys synth_xilinx), records each layer's raw part
 * groups next to its synthesized counts in bench/calibration/data.json, and fits the LUT and FF factors per
 * (layer kind, part group) into src/estimator/calibration.generated.ts.
 *
 *   npm run bench:calibrate               synthesize (about 15 minutes on 2 cores) and fit
 *   npm run bench:calibrate -- --fit-only fit again from the committed data
 *   npm run bench:calibrate -- --resume   synthesize only the models missing from the data, then fit
 *   npm run bench:calibrate -- --regroup  recompute the raw part groups of the committed samples (after a
 *                                         change to the structural model, not to the hardware), then fit
 *   npm run bench:calibrate -- --golden   only rewrite the golden estimates (bench/lib/golden.ts) with the
 *                                         committed calibration, after a deliberate change to the structural model
 *
 * Every fit also rewrites the golden estimates with the new factors.
 *
 * The calibration models are deliberately different from the validation suite in bench/estimator.ts.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { transformer, type KilnConfig, type LayerKind } from '../src/index.js';
import { estimateDesign, PART_GROUPS, type Calibration, type PartGroup } from '../src/estimator/index.js';
import { resolveDesign } from '../src/ir/index.js';
import { ghdlVersion } from '../src/toolchain/ghdl.js';
import { yosysVersion } from '../src/toolchain/yosys.js';
import { iverilogVersion } from '../src/synth/verilog-tb.js';
import { fitFactors } from './lib/fit.js';
import { GOLDEN_FILE, goldenEstimates } from './lib/golden.js';
import { groupTotals, synthesizeModel, type GroupTotals } from './lib/synth-model.js';
import { machine } from './lib/machine.js';

const ROOT = join(import.meta.dirname, '..');
const DATA = join(ROOT, 'bench', 'calibration', 'data.json');
const OUT = join(ROOT, 'src', 'estimator', 'calibration.generated.ts');
const LAMBDA = 0.02;

const t = (o: Parameters<typeof transformer>[0]) => transformer(o);

/** Calibration set: widths, sizes, heads, storage and multiplier mappings spread wide. */
export const CALIBRATION_MODELS: Record<string, KilnConfig> = {
  'c1-d12-h3-8bit': { device: 'xc7s50', model: t({ window: 10, inputFeatures: 5, dModel: 12, heads: 3, ffnDim: 24 }), weights: { seed: 101 } },
  'c2-d8-h2-6bit-lutram-lut': { device: 'xc7s50', model: t({ window: 16, inputFeatures: 3, dModel: 8, heads: 2, ffnDim: 32 }), defaults: { weightBits: 6, outputBits: 6, buffer: 'lutram', multiplier: 'lut' }, weights: { seed: 102 } },
  'c3-d24-h4-5bit-bram': { device: 'xc7s50', model: t({ window: 8, inputFeatures: 4, dModel: 24, heads: 4, ffnDim: 48 }), defaults: { weightBits: 5, outputBits: 5, buffer: 'bram', weightStorage: 'bram', multiplier: 'dsp' }, weights: { seed: 103 } },
  'c4-d16-10bit-registers': { device: 'xc7s50', model: t({ window: 6, inputFeatures: 6, dModel: 16, ffnDim: 16 }), defaults: { weightBits: 10, outputBits: 10 }, kinds: { add: { buffer: 'registers' }, avgpool: { buffer: 'registers' } }, weights: { seed: 104 } },
  'c5-d20-h2-w12-o8': { device: 'xc7s50', model: t({ window: 6, inputFeatures: 2, dModel: 20, heads: 2, ffnDim: 40 }), defaults: { weightBits: 12, outputBits: 8, buffer: 'lutram', weightStorage: 'logic' }, weights: { seed: 105 } },
  'c6-d32-h2-4bit-lutram': { device: 'xc7s50', model: t({ window: 8, inputFeatures: 3, dModel: 32, heads: 2, ffnDim: 64 }), defaults: { weightBits: 4, outputBits: 4, buffer: 'lutram', weightStorage: 'lutram' }, weights: { seed: 106 } },
  'c7-d12-3bit-w20': { device: 'xc7s50', model: t({ window: 20, inputFeatures: 4, dModel: 12, ffnDim: 24 }), defaults: { weightBits: 3, outputBits: 3 }, weights: { seed: 107 } },
  'c8-d10-h2-w7-o9-lut': { device: 'xc7s50', model: t({ window: 12, inputFeatures: 5, dModel: 10, heads: 2, ffnDim: 40 }), defaults: { weightBits: 7, outputBits: 9, multiplier: 'lut' }, weights: { seed: 108 } },
  // 16-bit everywhere but the attention scores: a 16-bit softmax input means a 65,536-entry exponential
  // table, which takes yosys over ten minutes to map and says little about other layers.
  'c9-d6-h3-16bit': {
    device: 'xc7s50',
    model: t({ window: 5, inputFeatures: 2, dModel: 6, heads: 3, ffnDim: 12 }),
    defaults: { weightBits: 16, outputBits: 16 },
    layers: { 'encoder.0.attn.scores': { outputBits: 10 } },
    weights: { seed: 109 },
  },
  'c10-d16-h2-mixed': {
    device: 'xc7s50',
    model: t({ window: 12, inputFeatures: 7, dModel: 16, heads: 2, ffnDim: 32 }),
    defaults: { weightBits: 6, outputBits: 7 },
    kinds: { softmax: { outputBits: 10 }, batchnorm: { weightBits: 9 } },
    layers: { 'encoder.0.ffn.fc1': { weightBits: 3, outputBits: 5, buffer: 'bram' }, 'encoder.0.attn.q': { outputBits: 11, multiplier: 'lut' }, output_linear: { outputBits: 14 } },
    weights: { seed: 110 },
  },
};

/**
 * Models of which only the layers of one kind are synthesized, to calibrate that kind without changing the
 * samples (and so the factors) of the others or of the top level: layer norm, added after the first fit.
 */
export const KIND_CALIBRATION_MODELS: Record<string, { kind: LayerKind; config: KilnConfig }> = {
  'n1-d12-8bit': { kind: 'layernorm', config: { device: 'xc7s50', model: t({ window: 10, inputFeatures: 5, dModel: 12, heads: 3, ffnDim: 24, norm: 'layernorm' }), weights: { seed: 201 } } },
  'n2-d8-6bit-lutram-lut': { kind: 'layernorm', config: { device: 'xc7s50', model: t({ window: 16, inputFeatures: 3, dModel: 8, heads: 2, ffnDim: 32, norm: 'layernorm' }), defaults: { weightBits: 6, outputBits: 6, buffer: 'lutram', multiplier: 'lut' }, weights: { seed: 202 } } },
  'n3-d24-5bit-bram': { kind: 'layernorm', config: { device: 'xc7s50', model: t({ window: 8, inputFeatures: 4, dModel: 24, heads: 4, ffnDim: 48, norm: 'layernorm' }), defaults: { weightBits: 5, outputBits: 5, buffer: 'bram', weightStorage: 'bram', multiplier: 'dsp' }, weights: { seed: 203 } } },
  'n4-d20-w12-o10': { kind: 'layernorm', config: { device: 'xc7s50', model: t({ window: 6, inputFeatures: 2, dModel: 20, heads: 2, ffnDim: 40, norm: 'layernorm' }), defaults: { weightBits: 12, outputBits: 10, buffer: 'lutram', weightStorage: 'logic' }, weights: { seed: 204 } } },
  'n5-d40-4bit': { kind: 'layernorm', config: { device: 'xc7s50', model: t({ window: 6, inputFeatures: 3, dModel: 40, heads: 2, ffnDim: 40, norm: 'layernorm' }), defaults: { weightBits: 4, outputBits: 4 }, weights: { seed: 205 } } },
  'n6-d6-16bit': {
    kind: 'layernorm',
    config: { device: 'xc7s50', model: t({ window: 5, inputFeatures: 2, dModel: 6, heads: 3, ffnDim: 12, norm: 'layernorm' }), defaults: { weightBits: 16, outputBits: 16 }, layers: { 'encoder.0.attn.scores': { outputBits: 10 } }, weights: { seed: 206 } },
  },
  'n7-d32-mixed': {
    kind: 'layernorm',
    config: { device: 'xc7s50', model: t({ window: 12, inputFeatures: 7, dModel: 32, heads: 2, ffnDim: 32, norm: 'layernorm' }), defaults: { weightBits: 6, outputBits: 7 }, layers: { 'encoder.0.attn_norm': { weightBits: 9, outputBits: 11 }, 'encoder.0.ffn_norm': { weightBits: 3, outputBits: 5, multiplier: 'lut' } }, weights: { seed: 207 } },
  },
};

interface LayerSample {
  model: string;
  unit: string;
  kind: string;
  groups: GroupTotals;
  synthesized: { lut: number; ff: number; lutram: number; bram18: number; dsp: number };
}
interface TopSample {
  model: string;
  groups: GroupTotals;
  /** Flattened whole model minus the synthesized layers, minus the raw estimate of the input buffer and ReLUs. */
  residual: { lut: number; ff: number; lutram: number };
}
interface CalibrationData {
  machine: ReturnType<typeof machine>;
  tools: { ghdl?: string; yosys?: string; iverilog?: string };
  layers: LayerSample[];
  tops: TopSample[];
}

/** Synthesizes the models not yet in `previous` (saving after each one, so an interrupted run resumes). */
async function collect(previous: CalibrationData | undefined): Promise<CalibrationData> {
  const layers: LayerSample[] = previous?.layers ?? [];
  const tops: TopSample[] = previous?.tops ?? [];
  const done = new Set(tops.map((t) => t.model));
  const uncalibrated = { id: 'raw', source: 'raw', lut: {}, ff: {} };
  for (const [name, config] of Object.entries(CALIBRATION_MODELS)) {
    if (done.has(name)) continue;
    const run = await synthesizeModel(name, config, { log: (s) => console.error(s) });
    const est = estimateDesign(run.design, uncalibrated);
    const byPath = new Map(est.layers.map((l) => [l.path, l]));
    let layerLut = 0;
    let layerFf = 0;
    let layerLutram = 0;
    for (const u of run.units) {
      if (u.kind === 'model') continue;
      const c = u.counts!;
      layers.push({ model: name, unit: u.unit, kind: u.kind, groups: groupTotals(byPath.get(u.unit)!.parts), synthesized: { lut: c.lut, ff: c.ff, lutram: c.lutram, bram18: c.bram18, dsp: c.dsp } });
      layerLut += c.lut;
      layerFf += c.ff;
      layerLutram += c.lutram;
    }
    const top = run.units.find((u) => u.kind === 'model')!.counts!;
    const unsynthesized = est.layers.filter((l) => l.kind === 'input' || l.kind === 'relu');
    tops.push({
      model: name,
      groups: groupTotals(est.top.parts),
      residual: {
        lut: top.lut - layerLut - unsynthesized.reduce((n, l) => n + l.lut, 0),
        ff: top.ff - layerFf - unsynthesized.reduce((n, l) => n + l.ff, 0),
        lutram: top.lutram - layerLutram - unsynthesized.reduce((n, l) => n + l.lutram, 0),
      },
    });
    console.error(`${name}: ${run.units.length} units in ${run.seconds.toFixed(0)} s`);
    writeFileSync(DATA, JSON.stringify({ machine: machine(), tools: tools(), layers, tops }, null, 1) + '\n');
  }
  const sampled = new Set(layers.map((l) => l.model));
  for (const [name, { kind, config }] of Object.entries(KIND_CALIBRATION_MODELS)) {
    if (sampled.has(name)) continue;
    const run = await synthesizeModel(name, config, { top: false, kinds: [kind], log: (s) => console.error(s) });
    const byPath = new Map(estimateDesign(run.design, uncalibrated).layers.map((l) => [l.path, l]));
    for (const u of run.units) {
      const c = u.counts!;
      layers.push({ model: name, unit: u.unit, kind: u.kind, groups: groupTotals(byPath.get(u.unit)!.parts), synthesized: { lut: c.lut, ff: c.ff, lutram: c.lutram, bram18: c.bram18, dsp: c.dsp } });
    }
    console.error(`${name}: ${run.units.length} ${kind} layers in ${run.seconds.toFixed(0)} s`);
    writeFileSync(DATA, JSON.stringify({ machine: machine(), tools: tools(), layers, tops }, null, 1) + '\n');
  }
  return { machine: machine(), tools: tools(), layers, tops };
}

/**
 * Recomputes each sample's raw part groups from its model (after the structural model changed) and keeps
 * the synthesized counts: valid as long as the generated hardware is the same.
 */
function regroupData(data: CalibrationData): CalibrationData {
  const uncalibrated = { id: 'raw', source: 'raw', lut: {}, ff: {} };
  const models = { ...CALIBRATION_MODELS, ...Object.fromEntries(Object.entries(KIND_CALIBRATION_MODELS).map(([name, m]) => [name, m.config])) };
  for (const [name, config] of Object.entries(models)) {
    const est = estimateDesign(resolveDesign(config), uncalibrated);
    const byPath = new Map(est.layers.map((l) => [l.path, l]));
    for (const s of data.layers.filter((l) => l.model === name)) s.groups = groupTotals(byPath.get(s.unit)!.parts);
    const top = data.tops.find((t) => t.model === name);
    if (top) top.groups = groupTotals(est.top.parts);
  }
  writeFileSync(DATA, JSON.stringify(data, null, 1) + '\n');
  return data;
}

function tools() {
  return { ghdl: ghdlVersion(), yosys: yosysVersion(), iverilog: iverilogVersion() };
}

/** A layer's calibrated LUT or FF from its raw groups (the same formula as the estimator's calibratedCost). */
function calibrated(groups: GroupTotals, table: Record<string, Partial<Record<PartGroup, number>>>, kind: string, res: 'lut' | 'ff'): number {
  let v = 0;
  for (const g of PART_GROUPS) {
    const x = groups[g];
    if (!x) continue;
    const k = g === 'regfile' ? 1 : (table[kind]?.[g] ?? 1);
    v += res === 'lut' ? x.lutram + k * (x.lut - x.lutram) : k * x.ff;
  }
  return v;
}

function fit(data: CalibrationData) {
  const lut: Record<string, Partial<Record<PartGroup, number>>> = {};
  const ff: Record<string, Partial<Record<PartGroup, number>>> = {};
  // Stage 1: layer factors, from each synthesized layer.
  fitUnits(data.layers.map((s) => ({ unit: s.kind, groups: s.groups, y: s.synthesized })), lut, ff);
  // Stage 2, the top level. Its LUT target is what composing the model adds to the *estimated* layers (the
  // flattened model minus them, on the calibration models): synthesis optimises logic across layer
  // boundaries, and the top level absorbs that systematic composition error. Flip-flops do not merge across
  // boundaries, so its FF target stays the flattened model minus the synthesized layers.
  const tops = data.tops.map((t) => {
    const layers = data.layers.filter((l) => l.model === t.model);
    const lutGap = layers.reduce((n, l) => n + l.synthesized.lut - calibrated(l.groups, lut, l.kind, 'lut'), 0);
    return { unit: 'top', groups: t.groups, y: { lut: t.residual.lut + lutGap, ff: t.residual.ff } };
  });
  fitUnits(tops, lut, ff);
  return { lut, ff };
}

function fitUnits(
  samples: { unit: string; groups: GroupTotals; y: { lut: number; ff: number } }[],
  lut: Record<string, Partial<Record<PartGroup, number>>>,
  ff: Record<string, Partial<Record<PartGroup, number>>>,
): void {
  for (const unit of [...new Set(samples.map((s) => s.unit))]) {
    const rows = samples.filter((s) => s.unit === unit);
    for (const [res, table] of [['lut', lut], ['ff', ff]] as const) {
      // LUTRAM LUTs and register files (flip-flop memories) are exact counts, never scaled; so are the flip-flops
      // of explicit registers (an N-bit register is N flip-flops; left free, their factor drifted to 0.45 for
      // linear layers to absorb the output layer's gap, and every other linear layer's FF paid for it)
      const exact = (g: PartGroup) => g === 'regfile' || (res === 'ff' && g === 'register');
      const value = (r: (typeof rows)[number], g: PartGroup) => (res === 'lut' ? r.groups[g].lut - r.groups[g].lutram : r.groups[g].ff);
      const used = PART_GROUPS.filter((g) => !exact(g) && rows.some((r) => (r.groups[g] ? value(r, g) : 0) > 0));
      if (used.length === 0) continue;
      const x = rows.map((r) => used.map((g) => value(r, g)));
      const fixed = rows.map((r) => PART_GROUPS.reduce((n, g) => n + (exact(g) && r.groups[g] ? value(r, g) : 0), 0) + (res === 'lut' ? PART_GROUPS.reduce((n, g) => n + (r.groups[g]?.lutram ?? 0), 0) : 0));
      // Layers: relative error (small and large layers count alike). The top level's target is a small residual
      // (flattened model minus its layers, plus the layers' estimate gap) over the models where it is positive. Its
      // LUTs take one factor for all its groups, the median ratio of target to structure: the gap of a model whose
      // layers the layer factors miss by 10 % (LUT multipliers: +1,609 LUTs against a median of about 300) is that
      // model's error, not the top level's, and a least-squares fit let it set the composition of every model.
      const isTop = unit === 'top';
      const keep = rows.map((r) => !isTop || r.y[res] > 1);
      const [xs, fs, ys] = [x.filter((_, i) => keep[i]), fixed.filter((_, i) => keep[i]), rows.filter((_, i) => keep[i]).map((r) => r.y[res])];
      const k = isTop && res === 'lut' ? medianScale(xs, fs, ys) : fitFactors(xs, fs, ys, LAMBDA, isTop ? 'absolute' : 'relative');
      table[unit] = Object.fromEntries(used.map((g, i) => [g, Math.round(k[i]! * 10_000) / 10_000]));
    }
  }
}

/** One factor for every group: the median over samples of (target − fixed) / structural sum. */
function medianScale(x: number[][], fixed: number[], y: number[]): number[] {
  const ratios = x.map((row, i) => (y[i]! - fixed[i]!) / Math.max(1, row.reduce((n, v) => n + v, 0))).sort((a, b) => a - b);
  const mid = ratios.length >> 1;
  const median = ratios.length % 2 ? ratios[mid]! : (ratios[mid - 1]! + ratios[mid]!) / 2;
  return x[0]!.map(() => median);
}

function writeGolden(calibration?: Calibration): void {
  writeFileSync(join(ROOT, GOLDEN_FILE), JSON.stringify(goldenEstimates(calibration), null, 1) + '\n');
  console.log(`wrote ${GOLDEN_FILE}`);
}

async function main() {
  if (process.argv.includes('--golden')) return writeGolden();
  const fitOnly = process.argv.includes('--fit-only');
  const resume = process.argv.includes('--resume');
  const regroup = process.argv.includes('--regroup');
  const previous = fitOnly || resume || regroup ? (JSON.parse(readFileSync(DATA, 'utf8')) as CalibrationData) : undefined;
  const data: CalibrationData = fitOnly ? previous! : regroup ? regroupData(previous!) : await collect(previous);
  const factors = fit(data);
  const id = `yosys ${data.tools.yosys?.match(/Yosys ([\d.]+)/)?.[1] ?? '?'}, ${data.layers.length} layers + ${data.tops.length} top levels`;
  const source = `bench/calibration/data.json (${data.tools.ghdl}; ${data.tools.yosys}); fitted by bench/calibrate.ts, ridge ${LAMBDA} towards 1`;
  const calibration = { id, source, lut: factors.lut, ff: factors.ff } as Calibration;
  writeFileSync(
    OUT,
    `// Generated by bench/calibrate.ts from ${data.layers.length} synthesized layers and ${data.tops.length} top levels; do not edit.\n` +
      `import type { Calibration } from './calibration.js';\n\n` +
      `export const CALIBRATION: Calibration = ${JSON.stringify(calibration, null, 2)};\n`,
  );
  console.log(`wrote ${OUT}\n${JSON.stringify(factors, null, 1)}`);
  writeGolden(calibration);
}

await main();
