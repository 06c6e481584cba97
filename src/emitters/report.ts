/**
 * Reports: the versioned JSON report (`build/report.json`, schema in docs/report-schema.md), a Markdown table
 * ready to paste into a pull request, and the console table. All three render one `Report` value.
 */
import { RESOURCES, type ResourceName } from '../dsl/index.js';
import type { Estimate } from '../estimator/index.js';
import { describeErrorBands, estimatorErrorBands, type ErrorBands } from '../estimator/error-bands.js';
import { renderAdvice, type OverBudgetAdvice } from '../search/advice.js';
import type { Evaluation } from '../reference/index.js';
import type { AffineParams } from '../arith/index.js';
import type { HostInterface } from '../host/index.js';
import { checkClock, type ClockCheck } from '../devices/timing.js';
import { buildProblems } from '../ir/capability.js';
import { formatCount } from '../util/format.js';
import type { LayerNode, MemoryNode, ResolvedDesign } from '../ir/types.js';

export const REPORT_SCHEMA = 'kiln-report';
export const REPORT_SCHEMA_VERSION = 1;

export interface ReportMemory {
  role: MemoryNode['role'];
  depth: number;
  width: number;
  storage: string;
  requested: string;
  reason?: string;
}

export interface ReportLayer {
  path: string;
  entity: string;
  kind: LayerNode['kind'];
  shape: readonly number[];
  outputBits: number;
  weightBits?: number;
  accBits?: number;
  buffer?: ReportMemory;
  memories: ReportMemory[];
  multiplier?: { aBits: number; bBits: number; mapping: string; requested: string; reason?: string };
  lut: number;
  ff: number;
  lutram: number;
  bram18: number;
  dsp: number;
  cycles: number;
  /** Counts from `kiln synth` for this layer's current VHDL, when they exist. */
  synthesized?: Record<ResourceName, number>;
  /** Why kiln cannot build this layer (its figures are then structural guesses); absent when it can. */
  notBuildable?: string;
}

export interface Report {
  schema: typeof REPORT_SCHEMA;
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  kiln: string;
  estimator: string;
  /** The estimator's measured error on its latest committed hold-out run; absent before the first. */
  estimatorError?: ErrorBands;
  /** Config file, relative to the report's directory's parent (the project), or absolute. */
  config: string;
  model: string;
  device: { id: string; part: string; source: string } & Record<ResourceName, number>;
  clockMHz: number;
  /** clockMHz against the part's global clock limit (src/devices/timing.ts): a bound, not a timing sign-off. */
  timing: ClockCheck;
  budget: Record<ResourceName, number>;
  limits: Record<ResourceName, number>;
  weights: { source: 'synthetic'; seed: number; note: string } | { source: 'file'; file: string; format: 'safetensors' | 'onnx'; sha256: string; note: string };
  /** The data that calibrated the model and scores it, when the config names some. */
  data?: ReportData;
  /** The integer model against the float model and the persistence baseline on the test split. */
  accuracy?: ReportAccuracy;
  /**
   * What the host writes to the input port and reads from the output port (src/host/index.ts applies it); absent
   * when the build quantized nothing (an over-budget design too large to generate).
   */
  host?: HostInterface;
  layers: ReportLayer[];
  /** Whether kiln can build the design; when not, `notBuildable` says why (and the layers concerned say so too). */
  buildable: boolean;
  notBuildable?: string[];
  /**
   * The top-level row, included in the total: the top level's own logic (schedule, read-address
   * multiplexers, counted structurally) plus the fitted composition correction (what synthesis of the whole
   * model adds to or saves on the sum of its layers).
   */
  top: Record<ResourceName, number> & { own: Record<ResourceName, number>; composition: Record<ResourceName, number> };
  total: Record<ResourceName, number> & { cycles: number; latencyUs: number };
  utilization: Record<ResourceName, number>;
  fits: boolean;
  over: ResourceName[];
  /** Only over budget: why, the layers that cost the most, and what would fit (src/search/advice.ts). */
  overBudget?: OverBudgetAdvice;
  /** The whole model as synthesized by `kiln synth`, when its VHDL is unchanged since. */
  synthesizedTotal?: Record<ResourceName, number>;
}

export interface ReportData {
  file: string;
  sha256: string;
  features: readonly string[];
  targets: readonly string[];
  /** Windows per split (by time: train, validation, test). */
  windows: Record<'train' | 'validation' | 'test', number>;
  /** Rows [start, end) of the series (0-based data rows; of the windows for .npy data) each split covers. */
  rows: Record<'train' | 'validation' | 'test', readonly [number, number]>;
  normalization: { from: 'train' | 'given' | 'none'; columns: readonly string[]; mean: readonly number[]; std: readonly number[] };
  calibrationWindows: number;
  observer: string;
}

export interface ReportAccuracy extends Evaluation {
  split: 'test';
  budget?: { maxRmseIncrease: number; met: boolean };
}

/** What the build read besides the config: the weights file and the data, and what scoring the model gave. */
export interface ReportInputs {
  weights?: { file: string; format: 'safetensors' | 'onnx'; sha256: string };
  data?: ReportData;
  accuracy?: Evaluation;
  /** The quantization of the model's input and output (the host interface's scales). */
  quantization?: { input: AffineParams; output: AffineParams };
}

export function createReport(
  design: ResolvedDesign,
  estimate: Estimate,
  meta: { kilnVersion: string; config: string; synthesized?: ReadonlyMap<string, Record<ResourceName, number>>; inputs?: ReportInputs; advice?: OverBudgetAdvice },
): Report {
  const mem = (m: MemoryNode): ReportMemory => ({
    role: m.role,
    depth: m.depth,
    width: m.width,
    storage: m.storage,
    requested: m.requested,
    ...(m.reason ? { reason: m.reason } : {}),
  });
  const found = buildProblems(design);
  const problems = new Map(found.filter((p) => p.sort === 'unsupported').map((p) => [p.path, p.message]));
  const layers = design.layers.map((n, i): ReportLayer => {
    const e = estimate.layers[i]!;
    return {
      path: n.path,
      entity: n.name,
      kind: n.kind,
      shape: [...n.output.shape],
      outputBits: n.output.bits,
      ...(n.widths.weight !== undefined ? { weightBits: n.widths.weight } : {}),
      ...(n.widths.acc !== undefined ? { accBits: n.widths.acc } : {}),
      ...(n.buffer ? { buffer: mem(n.buffer) } : {}),
      memories: n.memories.map(mem),
      ...(n.multiplier
        ? {
            multiplier: {
              aBits: n.multiplier.aBits,
              bBits: n.multiplier.bBits,
              mapping: n.multiplier.mapping,
              requested: n.multiplier.requested,
              ...(n.multiplier.reason ? { reason: n.multiplier.reason } : {}),
            },
          }
        : {}),
      lut: e.lut,
      ff: e.ff,
      lutram: e.lutram,
      bram18: e.bram18,
      dsp: e.dsp,
      cycles: e.cycles,
      ...(meta.synthesized?.has(n.path) ? { synthesized: pickResources(meta.synthesized.get(n.path)!) } : {}),
      ...(problems.has(n.path) ? { notBuildable: problems.get(n.path)! } : {}),
    };
  });
  const synthesizedTotal = meta.synthesized?.get(design.name);
  const d = design.device;
  return {
    schema: REPORT_SCHEMA,
    schemaVersion: REPORT_SCHEMA_VERSION,
    kiln: meta.kilnVersion,
    estimator: estimate.estimator,
    ...(estimatorErrorBands() ? { estimatorError: estimatorErrorBands()! } : {}),
    config: meta.config,
    model: design.name,
    device: { id: d.id, part: d.part, source: d.source, lut: d.lut, ff: d.ff, lutram: d.lutram, bram18: d.bram18, dsp: d.dsp },
    clockMHz: design.clockMHz,
    timing: checkClock(design.device, design.clockMHz),
    budget: { ...design.budget },
    limits: { ...design.limits },
    weights: meta.inputs?.weights
      ? { source: 'file', ...meta.inputs.weights, note: 'a trained model' }
      : { source: 'synthetic', seed: design.weights.seed, note: 'synthetic parameters generated from the seed; not a trained model' },
    ...(meta.inputs?.data ? { data: meta.inputs.data } : {}),
    ...(meta.inputs?.accuracy ? { accuracy: { split: 'test', ...meta.inputs.accuracy, ...(design.accuracy ? { budget: { maxRmseIncrease: design.accuracy.maxRmseIncrease, met: meta.inputs.accuracy.rmseIncrease <= design.accuracy.maxRmseIncrease } } : {}) } } : {}),
    ...(meta.inputs?.quantization ? { host: hostInterface(design, meta.inputs.quantization, meta.inputs.data) } : {}),
    layers,
    buildable: found.length === 0,
    ...(found.length > 0 ? { notBuildable: found.map((p) => p.message) } : {}),
    top: { ...pickResources(estimate.top), own: pickResources(estimate.top.own), composition: pickResources(estimate.top.composition) },
    total: { ...pickResources(estimate.total), cycles: estimate.total.cycles, latencyUs: round(estimate.latencyUs, 3) },
    utilization: Object.fromEntries(RESOURCES.map((r) => [r, round(estimate.utilization[r], 4)])) as Record<ResourceName, number>,
    fits: estimate.fits,
    over: [...estimate.over],
    ...(meta.advice && !estimate.fits ? { overBudget: meta.advice } : {}),
    ...(synthesizedTotal ? { synthesizedTotal: pickResources(synthesizedTotal) } : {}),
  };
}

/** The ports, shapes, layouts and quantization the host needs (docs/host-interface.md). */
function hostInterface(design: ResolvedDesign, q: { input: AffineParams; output: AffineParams }, data: ReportData | undefined): HostInterface {
  const input = design.layers[0]!;
  const output = design.layers.find((l) => l.path === design.output)!;
  const columnsOf = (names: readonly string[]) => {
    if (!data) return {};
    const index = names.map((c) => data.normalization.columns.indexOf(c));
    return { columns: names, normalization: { mean: index.map((i) => data.normalization.mean[i]!), std: index.map((i) => data.normalization.std[i]!) } };
  };
  const [time, features] = input.output.shape.length === 2 ? input.output.shape : [1, input.output.elements];
  return {
    input: {
      ports: 'in_we, in_addr, in_data',
      shape: [time!, features!],
      layout: `row-major [time][feature]: in_addr = t·${features} + f`,
      bits: input.output.bits,
      scale: q.input.scale,
      zeroPoint: q.input.zeroPoint,
      ...columnsOf(data?.features ?? []),
    },
    output: {
      ports: 'out_addr, out_data (one cycle latency)',
      shape: [1, output.output.elements],
      layout: 'out_addr = k for output k',
      bits: output.output.bits,
      scale: q.output.scale,
      zeroPoint: q.output.zeroPoint,
      ...columnsOf(data?.targets ?? []),
    },
  };
}

export function renderReportJson(report: Report): string {
  return JSON.stringify(report, null, 2) + '\n';
}

// ───────────────────────────── tables ─────────────────────────────

const COLUMNS = ['Layer', 'Kind', 'Bits w/out', 'Buffer', 'LUT', 'FF', 'LUTRAM', 'BRAM18', 'DSP', 'Cycles'] as const;
const NUMERIC = new Set<string>(['LUT', 'FF', 'LUTRAM', 'BRAM18', 'DSP', 'Cycles']);

/** An estimated figure, followed by the synthesized one when `kiln synth` has measured this unit. */
function withSynth(est: number, syn: Record<ResourceName, number> | undefined, r: ResourceName): string {
  return syn ? `${formatCount(est)} (${formatCount(syn[r])})` : formatCount(est);
}

function tableRows(report: Report): { rows: string[][]; footer: string[][] } {
  const rows = report.layers.map((l) => [
    l.path,
    l.notBuildable ? `${l.kind} (!)` : l.kind,
    `${l.weightBits ?? '-'}/${l.outputBits}`,
    l.buffer ? l.buffer.storage : '-',
    withSynth(l.lut, l.synthesized, 'lut'),
    withSynth(l.ff, l.synthesized, 'ff'),
    withSynth(l.lutram, l.synthesized, 'lutram'),
    withSynth(l.bram18, l.synthesized, 'bram18'),
    withSynth(l.dsp, l.synthesized, 'dsp'),
    formatCount(l.cycles),
  ]);
  const own = report.top.own;
  const fix = report.top.composition;
  const signed = (n: number) => (n > 0 ? `+${formatCount(n)}` : formatCount(n));
  rows.push(['(top level)', 'schedule', '', '', formatCount(own.lut), formatCount(own.ff), formatCount(own.lutram), formatCount(own.bram18), formatCount(own.dsp), '']);
  rows.push(['(composition)', 'fitted', '', '', signed(fix.lut), signed(fix.ff), '', '', '', '']);
  const t = report.total;
  const u = report.utilization;
  const footer = [
    ['Total', '', '', '', ...RESOURCES.map((r) => withSynth(t[r], report.synthesizedTotal, r)), formatCount(t.cycles)],
    ['Limit', '', '', '', ...RESOURCES.map((r) => formatCount(report.limits[r])), ''],
    ['Used', '', '', '', ...RESOURCES.map((r) => pct(u[r])), ''],
  ];
  return { rows, footer };
}

function verdict(report: Report): string {
  if (report.fits) return `fits ${report.device.id}`;
  return `does NOT fit ${report.device.id}: over on ${report.over.map((r) => `${r.toUpperCase()} ${formatCount(report.total[r])} > ${formatCount(report.limits[r])}`).join(', ')}`;
}

/** Why kiln cannot build the design; the layers concerned are marked (!) in the tables. */
function notBuildableNotes(report: Report): string[] {
  return (report.notBuildable ?? []).map((n) => `(!) not buildable: ${n}`);
}

function summaryLine(report: Report): string {
  return `${report.model} on ${report.device.part} at ${report.clockMHz} MHz: ${formatCount(report.total.cycles)} cycles = ${report.total.latencyUs.toFixed(1)} µs per inference; ${verdict(report)}`;
}

const fixed = (x: number, digits = 4) => (Number.isFinite(x) ? x.toFixed(digits) : String(x));

/** Every layer's SQNR against the float model, lowest first. */
export function renderSqnr(report: Report): string {
  const a = report.accuracy;
  if (!a) return '';
  const sorted = [...a.sqnr].sort((x, y) => x.db - y.db);
  const width = Math.max(...sorted.map((l) => l.path.length));
  return ['SQNR of each layer against the float model (dB, lowest first):', ...sorted.map((l) => `  ${l.path.padEnd(width)}  ${fixed(l.db, 2).padStart(6)}`), ''].join('\n');
}

/** The accuracy section: float, integer and persistence on the test split, and the worst layer's SQNR. */
export function renderAccuracy(report: Report, markdown = false): string {
  const a = report.accuracy;
  if (!a) return '';
  const units = report.data?.targets.join(', ') ?? 'the target';
  const rows: string[][] = [['Model', 'RMSE', 'MAE', `RMSE (${units})`, `MAE (${units})`]];
  const row = (name: string, m: NonNullable<Report['accuracy']>['float']) => rows.push([name, fixed(m.rmse), fixed(m.mae), m.rmseOriginal?.map((v) => fixed(v, 3)).join(', ') ?? '-', m.maeOriginal?.map((v) => fixed(v, 3)).join(', ') ?? '-']);
  row('float', a.float);
  row('integer', a.integer);
  if (a.persistence) row('persistence', a.persistence);
  const budget = a.budget ? ` (budget ${(a.budget.maxRmseIncrease * 100).toFixed(1)} %: ${a.budget.met ? 'met' : 'NOT met'})` : '';
  const lines = [`integer RMSE ${a.rmseIncrease >= 0 ? '+' : ''}${(a.rmseIncrease * 100).toFixed(2)} % against float${budget}; lowest SQNR ${a.worstLayer.db} dB at '${a.worstLayer.path}'`];
  const header = `Accuracy on the test split (${a.windows} windows, ${report.weights.source === 'file' ? report.weights.file : 'synthetic weights'}, data ${report.data?.file ?? '-'}):`;
  if (markdown) {
    const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
    return [`### Accuracy`, '', header, '', line(rows[0]!), line(rows[0]!.map((_, i) => (i === 0 ? '---' : '---:'))), ...rows.slice(1).map(line), '', ...lines, ''].join('\n');
  }
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return [header, ...rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')), ...lines, ''].join('\n');
}

export function renderReportMarkdown(report: Report): string {
  const { rows, footer } = tableRows(report);
  const align = COLUMNS.map((c) => (NUMERIC.has(c) ? '---:' : '---'));
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  const bold = (cells: readonly string[]) => cells.map((c) => (c === '' ? '' : `**${c}**`));
  return [
    `## kiln report: ${report.model}`,
    '',
    summaryLine(report) + '.',
    '',
    line(COLUMNS),
    line(align),
    ...rows.map(line),
    ...footer.map((f) => line(bold(f))),
    '',
    ...notBuildableNotes(report).flatMap((n) => [n, '']),
    ...(report.overBudget ? [...renderAdvice(report.overBudget), ''] : []),
    ...(report.accuracy ? [renderAccuracy(report, true)] : []),
    `Estimator ${report.estimator} (analytic, before synthesis)${report.layers.some((l) => l.synthesized) || report.synthesizedTotal ? '; figures in parentheses: yosys synthesis of the same VHDL (kiln synth)' : ''}; weights: ${report.weights.source === 'file' ? `trained, ${report.weights.file}` : `synthetic, seed ${report.weights.seed}`}. Budget: ${RESOURCES.map((r) => `${r} ${report.budget[r]}`).join(', ')}. Device figures: ${report.device.source}.`,
    '',
    describeErrorBands(report.estimatorError) + '.',
    '',
  ].join('\n');
}

export function renderConsoleTable(report: Report): string {
  const { rows, footer } = tableRows(report);
  const all = [[...COLUMNS], ...rows, ...footer];
  const widths = COLUMNS.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const fmtRow = (r: readonly string[]) => r.map((cell, i) => (NUMERIC.has(COLUMNS[i]!) ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!))).join('  ').trimEnd();
  const rule = widths.map((w) => '─'.repeat(w)).join('  ');
  const note = report.layers.some((l) => l.synthesized) || report.synthesizedTotal ? ['(figures in parentheses: yosys synthesis of the same VHDL, from kiln synth)'] : [];
  return [fmtRow(COLUMNS), rule, ...rows.map(fmtRow), rule, ...footer.map(fmtRow), ...note, ...notBuildableNotes(report), '', summaryLine(report), ...(report.overBudget ? renderAdvice(report.overBudget) : []), describeErrorBands(report.estimatorError), ...(report.accuracy ? ['', renderAccuracy(report).trimEnd()] : []), ''].join('\n');
}

function pickResources(c: Record<ResourceName, number>): Record<ResourceName, number> {
  return Object.fromEntries(RESOURCES.map((r) => [r, c[r]])) as Record<ResourceName, number>;
}

function pct(x: number): string {
  return Number.isFinite(x) ? `${(x * 100).toFixed(1)}%` : '∞';
}

function round(x: number, digits: number): number {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

export { formatCount };
