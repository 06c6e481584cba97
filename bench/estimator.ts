/**
 * Estimator validation: whole-model configurations NOT used for calibration (bench/calibrate.ts) are
 * synthesized with kiln's flow (every layer alone and the flattened top level) and simulated (layer
 * testbenches in GHDL, for cycles). Prints, per configuration and resource, estimate vs synthesis and the
 * error, then the median and maximum absolute error per resource over the suite, the exactness of BRAM18,
 * DSP and LUTRAM per layer, and how many estimates per second kiln makes.
 *
 *   npm run bench:estimator            full suite (about 20 minutes on 2 cores); writes bench/results/estimator.*
 *   npm run bench:estimator -- --quick the first 3 configurations only, nothing written
 *   npm run bench:estimator -- --reestimate  recompute the estimates against the synthesis results saved
 *                                            in bench/results/estimator.json (after a refit or a refactor);
 *                                            only configurations not saved there yet are synthesized
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { loadConfig } from '../src/dsl/load.js';
import { RESOURCES, transformer, type KilnConfig, type ResourceName } from '../src/index.js';
import { estimateDesign, ACTIVE_CALIBRATION } from '../src/estimator/index.js';
import { resolveDesign } from '../src/ir/index.js';
import { emitHardware } from '../src/emitters/vhdl/index.js';
import { writeArtifacts } from '../src/build/write.js';
import { quantizeModel } from '../src/reference/index.js';
import { ghdlVersion } from '../src/toolchain/ghdl.js';
import { simulate } from '../src/toolchain/simulate.js';
import { yosysVersion } from '../src/toolchain/yosys.js';
import { iverilogVersion } from '../src/synth/verilog-tb.js';
import { machine } from './lib/machine.js';
import { pathToFileURL } from 'node:url';
import { createRng } from '../src/util/rng.js';
import { synthesizeModel } from './lib/synth-model.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';

const ROOT = join(import.meta.dirname, '..');
const t = (o: Parameters<typeof transformer>[0]) => transformer(o);
const base = { window: 24, inputFeatures: 7 };

/** The validation suite: d_model 8/16/32, heads 1/2, 1-2 encoder layers, 4/6/8 bits and mixed, BRAM/LUTRAM/mixed buffers. */
const SUITE: Record<string, KilnConfig> = {
  'v01 d8 h1 L1 8-bit bram': { device: 'xc7s50', model: t({ ...base, dModel: 8 }), defaults: { buffer: 'bram' } },
  'v02 d16 h2 L1 8-bit auto': { device: 'xc7s15', model: t({ ...base, dModel: 16, heads: 2 }) },
  'v03 d32 h2 L1 8-bit mixed buffers': { device: 'xc7s50', model: t({ ...base, dModel: 32, heads: 2 }), kinds: { linear: { buffer: 'bram' }, add: { buffer: 'lutram' }, batchnorm: { buffer: 'lutram' } } },
  'v04 d16 h1 L2 6-bit lutram': { device: 'xc7s50', model: t({ ...base, dModel: 16, encoderLayers: 2 }), defaults: { weightBits: 6, outputBits: 6, buffer: 'lutram' } },
  'v05 d8 h2 L2 4-bit lutram': { device: 'xc7s50', model: t({ ...base, dModel: 8, heads: 2, encoderLayers: 2 }), defaults: { weightBits: 4, outputBits: 4, buffer: 'lutram' } },
  'v06 d32 h1 L1 4-bit bram': { device: 'xc7s50', model: t({ ...base, dModel: 32 }), defaults: { weightBits: 4, outputBits: 4, buffer: 'bram' } },
  'v07 d16 h2 L1 mixed precision': {
    device: 'xc7s15',
    model: t({ ...base, dModel: 16, heads: 2 }),
    defaults: { weightBits: 6, outputBits: 8 },
    kinds: { softmax: { outputBits: 6 }, add: { outputBits: 10 } },
    layers: { 'encoder.0.ffn.fc1': { weightBits: 4, outputBits: 6 }, 'encoder.0.ffn.fc2': { weightBits: 4 }, input_linear: { weightBits: 8 } },
  },
  'v08 d8 h1 L1 6-bit mixed buffers': { device: 'xc7s15', model: t({ ...base, dModel: 8 }), defaults: { weightBits: 6, outputBits: 6 }, kinds: { matmul: { buffer: 'bram' }, softmax: { buffer: 'bram' }, linear: { buffer: 'lutram' } } },
  'v09 d32 h2 L2 6-bit auto': { device: 'xc7s50', model: t({ ...base, dModel: 32, heads: 2, encoderLayers: 2 }), defaults: { weightBits: 6, outputBits: 6 } },
  'v10 d16 h1 L1 4-bit bram': { device: 'xc7s15', model: t({ ...base, dModel: 16 }), defaults: { weightBits: 4, outputBits: 4, buffer: 'bram' } },
  'v11 d8 h2 L1 8-bit lutram, LUT multipliers': { device: 'xc7s50', model: t({ ...base, dModel: 8, heads: 2 }), defaults: { buffer: 'lutram', multiplier: 'lut' } },
  'v13 d16 h2 L2 mixed precision, mixed buffers': {
    device: 'xc7s50',
    model: t({ ...base, dModel: 16, heads: 2, encoderLayers: 2 }),
    defaults: { weightBits: 8, outputBits: 6 },
    kinds: { linear: { buffer: 'lutram' }, matmul: { buffer: 'bram' } },
    layers: { 'encoder.1.ffn.fc1': { weightBits: 4 }, 'encoder.1.ffn.fc2': { weightBits: 4 }, 'encoder.0.attn.softmax': { outputBits: 8 } },
  },
  // Layer norm, added with its hardware (its calibration models are the n* models of bench/calibrate.ts).
  'v14 d16 h1 L1 8-bit layernorm (default shape)': { device: 'xc7s15', model: t({ ...base, dModel: 16, ffnDim: 64, norm: 'layernorm' }) },
  'v15 d24 h2 L1 6-bit layernorm, lutram': { device: 'xc7s50', model: t({ ...base, dModel: 24, heads: 2, norm: 'layernorm' }), defaults: { weightBits: 6, outputBits: 6, buffer: 'lutram' } },
  'v16 d32 h4 L2 layernorm, mixed precision': {
    device: 'xc7s50',
    model: t({ ...base, dModel: 32, heads: 4, encoderLayers: 2, norm: 'layernorm' }),
    defaults: { weightBits: 8, outputBits: 8 },
    kinds: { layernorm: { weightBits: 5, outputBits: 10 } },
    layers: { 'encoder.1.ffn_norm': { outputBits: 6, multiplier: 'lut' } },
  },
};

interface Row {
  config: string;
  estimate: Record<ResourceName, number>;
  synthesized: Record<ResourceName, number>;
  errorPercent: Record<ResourceName, number>;
  layers: { unit: string; kind: string; estimate: Record<ResourceName, number>; synthesized: Record<ResourceName, number> }[];
  cycles: { estimated: number; measuredLayersEqual: boolean; layerTestbenches: number };
  synthSeconds: number;
}

const pick = (c: Record<ResourceName, number>) => Object.fromEntries(RESOURCES.map((r) => [r, c[r]])) as Record<ResourceName, number>;
const pct = (e: number, s: number) => (s === 0 ? (e === 0 ? 0 : 100) : ((e - s) / s) * 100);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

async function cyclesMatch(config: KilnConfig): Promise<{ equal: boolean; count: number; estimated: number }> {
  const design = resolveDesign(config);
  const { files, testbenches } = emitHardware(design, quantizeModel(design));
  const dir = mkdtempSync(join(tmpdir(), 'kiln-bench-sim-'));
  await writeArtifacts(dir, files);
  const layerTbs = testbenches.filter((tb) => tb.kind !== 'model');
  const results = await simulate(layerTbs, { outDir: dir, jobs: 2 });
  return { equal: results.every((r) => r.status === 'pass' && r.cycles === r.expectedCycles), count: results.length, estimated: estimateDesign(design).total.cycles };
}

/** One configuration's row: the current estimate against its synthesized counts. */
function row(
  name: string,
  config: KilnConfig,
  synthesized: Record<ResourceName, number>,
  layers: { unit: string; kind: string; synthesized: Record<ResourceName, number> }[],
  cycles: Row['cycles'],
  synthSeconds: number,
): Row {
  const est = estimateDesign(resolveDesign(config));
  const byPath = new Map(est.layers.map((l) => [l.path, l]));
  const estimate = pick(est.total);
  return {
    config: name,
    estimate,
    synthesized,
    errorPercent: Object.fromEntries(RESOURCES.map((r) => [r, Math.round(pct(estimate[r], synthesized[r]) * 100) / 100])) as Record<ResourceName, number>,
    layers: layers.map((l) => ({ ...l, estimate: pick(byPath.get(l.unit)!) })),
    cycles,
    synthSeconds,
  };
}

const RESULTS_JSON = join(ROOT, 'bench', 'results', 'estimator.json');

/** The layer kind of a default-model path (which settings apply). */
function resolveKind(path: string): string {
  if (/attn\.(q|k|v|out)$|ffn\.fc[12]$|_linear$/.test(path)) return 'linear';
  if (path === 'posenc') return 'posenc';
  if (/_norm$/.test(path)) return 'batchnorm';
  return 'other';
}

async function main() {
  const quick = process.argv.includes('--quick');
  const reestimate = process.argv.includes('--reestimate');
  const entries = Object.entries(SUITE).slice(0, quick ? 3 : undefined);
  const rows: Row[] = [];
  /** Configurations synthesized by this run although earlier results were reused (added to the suite since). */
  const added: string[] = [];
  const previous = reestimate ? (JSON.parse(readFileSync(RESULTS_JSON, 'utf8')) as { suite: Row[]; speed: { defaultModelSynthesisSeconds: number }; machine: ReturnType<typeof machine>; tools: Record<string, string | undefined> }) : undefined;
  for (const [name, config] of entries) {
    if (previous) {
      // Re-estimate against the synthesis results already measured (after a refit), without synthesizing again.
      const old = previous.suite.find((r) => r.config === name);
      if (old) {
        rows.push(row(name, config, old.synthesized, old.layers.map((l) => ({ unit: l.unit, kind: l.kind, synthesized: l.synthesized })), old.cycles, old.synthSeconds));
        continue;
      }
    }
    if (previous) added.push(name.split(' ')[0]!);
    const run = await synthesizeModel(name.split(' ')[0]!, config, { log: (s) => console.error(s) });
    const top = run.units.find((u) => u.kind === 'model')!.counts!;
    const cyc = await cyclesMatch(config);
    rows.push(
      row(
        name,
        config,
        pick(top),
        run.units.filter((u) => u.kind !== 'model').map((u) => ({ unit: u.unit, kind: u.kind, synthesized: pick(u.counts!) })),
        { estimated: cyc.estimated, measuredLayersEqual: cyc.equal, layerTestbenches: cyc.count },
        run.seconds,
      ),
    );
    const r = rows.at(-1)!;
    console.error(`${name}: ${RESOURCES.map((k) => `${k} ${r.estimate[k]}/${r.synthesized[k]} (${r.errorPercent[k].toFixed(1)}%)`).join(', ')}; cycles ${cyc.equal ? 'equal' : 'DIFFER'}`);
  }

  // Speed is measured on the compiled package (dist/, what `npx kiln` runs), not on this script's on-the-fly
  // TypeScript transform, which adds its own overhead to every call.
  const shipped = (await import(pathToFileURL(join(ROOT, 'dist', 'index.js')).href)) as typeof import('../src/index.js');
  // Speed: whole-model estimates per second on the default model, one core. Measured on distinct designs
  // (variants of the default model with other widths and storage per layer, resolved beforehand), so no
  // result of one estimate can serve another; the median of several passes.
  const loaded = await loadConfig({ configPath: join(ROOT, 'fpga.config.ts') });
  const defaultConfig = loaded.config as KilnConfig;
  // The default model itself, estimated again and again (nothing is cached between estimates), measured
  // first, on a small heap.
  const design = shipped.resolveDesign(defaultConfig);
  for (let i = 0; i < 5_000; i++) shipped.estimateDesign(design); // warm up the JIT
  const repeat: number[] = [];
  for (let pass = 0; pass < 5; pass++) {
    const t0 = performance.now();
    for (let i = 0; i < 20_000; i++) shipped.estimateDesign(design);
    repeat.push(20_000 / ((performance.now() - t0) / 1000));
  }
  const perSecond = Math.round(median(repeat));
  const rng = createRng(7, 'speed-candidates');
  const bits = [4, 6, 8] as const;
  const storages = ['auto', 'bram', 'lutram'] as const;
  const paths = shipped.resolveDesign(defaultConfig).layers.filter((l) => l.kind !== 'input' && l.kind !== 'relu').map((l) => l.path);
  const candidates = Array.from({ length: 2000 }, () =>
    shipped.resolveDesign({
      ...defaultConfig,
      layers: Object.fromEntries(
        paths.map((p) => [p, { outputBits: bits[rng.int(0, 2)]!, buffer: storages[rng.int(0, 2)]!, ...(/linear|posenc|norm/.test(resolveKind(p)) ? { weightBits: bits[rng.int(0, 2)]! } : {}) }]),
      ),
    }),
  );
  for (let i = 0; i < 3; i++) for (const d of candidates) shipped.estimateDesign(d); // warm up the JIT
  const passes: number[] = [];
  for (let pass = 0; pass < 5; pass++) {
    const t0 = performance.now();
    for (const d of candidates) shipped.estimateDesign(d);
    passes.push(candidates.length / ((performance.now() - t0) / 1000));
  }
  const perSecondDistinct = Math.round(median(passes));

  const defaultSynth = previous
    ? { seconds: previous.speed.defaultModelSynthesisSeconds }
    : await synthesizeModel('default', loaded.config as KilnConfig, { log: () => undefined });

  const summary = Object.fromEntries(
    RESOURCES.map((r) => {
      const errs = rows.map((row) => Math.abs(row.errorPercent[r]));
      return [r, { medianAbsErrorPercent: Math.round(median(errs) * 100) / 100, maxAbsErrorPercent: Math.round(Math.max(...errs) * 100) / 100 }];
    }),
  ) as Record<ResourceName, { medianAbsErrorPercent: number; maxAbsErrorPercent: number }>;
  const allLayers = rows.flatMap((r) => r.layers);
  const exact = Object.fromEntries(
    (['bram18', 'dsp', 'lutram'] as const).map((r) => [
      r,
      { layersExact: allLayers.filter((l) => l.estimate[r] === l.synthesized[r]).length, layers: allLayers.length, modelsExact: rows.filter((m) => m.estimate[r] === m.synthesized[r]).length, models: rows.length },
    ]),
  );
  const targets = {
    lutMedian: summary.lut.medianAbsErrorPercent <= 3,
    lutMax: summary.lut.maxAbsErrorPercent <= 10,
    ffMedian: summary.ff.medianAbsErrorPercent <= 3,
    ffMax: summary.ff.maxAbsErrorPercent <= 10,
    exactLayers: (['bram18', 'dsp', 'lutram'] as const).every((r) => exact[r]!.layersExact >= 0.95 * exact[r]!.layers),
    exactModels: (['bram18', 'dsp', 'lutram'] as const).every((r) => exact[r]!.modelsExact === exact[r]!.models),
    cycles: rows.every((r) => r.cycles.measuredLayersEqual),
    speed: perSecond >= 100_000,
  };
  const result = {
    machine: previous?.machine ?? machine(),
    tools: previous?.tools ?? { ghdl: ghdlVersion(), yosys: yosysVersion(), iverilog: iverilogVersion() },
    ...(previous ? { reestimatedOn: new Date().toISOString() } : {}),
    calibration: ACTIVE_CALIBRATION.id,
    suite: rows,
    summary,
    exact,
    speed: { estimatesPerSecond: perSecond, estimatesPerSecondDistinctVariants: perSecondDistinct, defaultModelSynthesisSeconds: defaultSynth.seconds, ratio: Math.round(perSecond * defaultSynth.seconds) },
    targets,
  };

  const lines: string[] = [];
  lines.push('| Configuration | ' + RESOURCES.map((r) => `${r.toUpperCase()} est / syn (err)`).join(' | ') + ' | Cycles = GHDL |');
  lines.push('|---|' + RESOURCES.map(() => '---:').join('|') + '|---|');
  for (const r of rows) lines.push(`| ${r.config} | ` + RESOURCES.map((k) => `${r.estimate[k]} / ${r.synthesized[k]} (${r.errorPercent[k] > 0 ? '+' : ''}${r.errorPercent[k].toFixed(1)}%)`).join(' | ') + ` | ${r.cycles.measuredLayersEqual ? `yes (${r.cycles.layerTestbenches} layers)` : 'NO'} |`);
  lines.push('', '| Resource | median abs error | max abs error |', '|---|---:|---:|');
  for (const r of RESOURCES) lines.push(`| ${r} | ${summary[r].medianAbsErrorPercent.toFixed(2)}% | ${summary[r].maxAbsErrorPercent.toFixed(2)}% |`);
  lines.push('', '| Exact counts | layers | whole models |', '|---|---:|---:|');
  for (const r of ['bram18', 'dsp', 'lutram'] as const) lines.push(`| ${r} | ${exact[r]!.layersExact} / ${exact[r]!.layers} | ${exact[r]!.modelsExact} / ${exact[r]!.models} |`);
  lines.push('', `Speed: ${perSecond.toLocaleString('en-US')} whole-model estimates per second on the default model (one core, median of 5 runs of 20,000; nothing is cached between estimates), ${perSecondDistinct.toLocaleString('en-US')} per second over 2,000 distinct variants of it (other widths and storage per layer, resolved beforehand); one synthesis of the default model (17 layers + top level, 2 jobs) took ${defaultSynth.seconds.toFixed(0)} s, so one synthesis costs as much time as ${result.speed.ratio.toLocaleString('en-US')} estimates.`);
  lines.push('', `Targets: ${Object.entries(targets).map(([k, v]) => `${k} ${v ? 'met' : 'NOT met'}`).join(', ')}.`);
  const table = lines.join('\n');
  console.log(table);
  if (!quick) {
    const m = result.machine;
    writeFileSync(RESULTS_JSON, JSON.stringify(result, null, 1) + '\n');
    writeFileSync(
      join(ROOT, 'bench', 'results', 'estimator.md'),
      `# Estimator validation (npm run bench:estimator)\n\nRun ${m.date} on ${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, ${m.os}, Node ${m.node}, npm ${m.npm}.\nTools: ${result.tools.ghdl}; ${result.tools.yosys}; ${result.tools.iverilog}.\nCalibration: ${result.calibration}.${previous ? ` Estimates recomputed on ${new Date().toISOString()} against the synthesis results of that run${added.length > 0 ? `; ${added.join(', ')} (added to the suite since) synthesized and simulated on that date` : ''}.` : ''} Whole models: estimate (sum of layers + top level) vs the flattened top level synthesized by yosys synth_xilinx (xc7); the configurations are not in the calibration set.\n\n${table}\n`,
    );
  }
}

await main();
