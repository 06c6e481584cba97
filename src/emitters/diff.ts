/**
 * `kiln diff BASE.json HEAD.json`: two build reports compared for a pull request. Per-layer and total deltas of
 * every resource and of cycles, the test-split accuracy, whether HEAD still fits, and thresholds on the increase
 * of any of them; rendered as a console table, a Markdown table for a PR comment, or JSON (`kiln-diff`).
 */
import { RESOURCES } from '../dsl/index.js';
import { formatCount, type Report } from './report.js';

export const DIFF_METRICS = [...RESOURCES, 'cycles', 'rmse'] as const;
export type DiffMetric = (typeof DIFF_METRICS)[number];
const FIGURES = [...RESOURCES, 'cycles'] as const;
type Figures = Record<(typeof FIGURES)[number], number>;
const LABEL: Record<DiffMetric, string> = { lut: 'LUT', ff: 'FF', lutram: 'LUTRAM', bram18: 'BRAM18', dsp: 'DSP', cycles: 'Cycles', rmse: 'RMSE' };

export interface DiffThreshold {
  metric: DiffMetric;
  /** Largest allowed increase of HEAD over BASE, in percent of BASE. */
  maxIncreasePercent: number;
}

export interface ReportDiff {
  schema: 'kiln-diff';
  schemaVersion: 1;
  base: DiffSide;
  head: DiffSide;
  /** Layers whose figures differ, added or removed, in HEAD's schedule order (removed ones last). */
  layers: { path: string; status: 'changed' | 'added' | 'removed'; before?: Figures; after?: Figures }[];
  total: { before: Figures; after: Figures };
  /** HEAD's limits (device × budget). */
  limits: Record<(typeof RESOURCES)[number], number>;
  /** Test-split RMSE of the integer model, when both reports scored it. */
  accuracy?: { before: number; after: number; rmseIncreaseBefore: number; rmseIncreaseAfter: number };
  thresholds: (DiffThreshold & { before: number; after: number; increasePercent: number; exceeded: boolean })[];
  /** Why the comparison fails (exit 1): HEAD over budget, or a threshold exceeded. Empty when it passes. */
  failures: string[];
}

interface DiffSide {
  file: string;
  model: string;
  device: string;
  fits: boolean;
  over: string[];
}

const figures = (x: Figures): Figures => ({ lut: x.lut, ff: x.ff, lutram: x.lutram, bram18: x.bram18, dsp: x.dsp, cycles: x.cycles });

export function diffReports(base: Report, head: Report, files: { base: string; head: string }, thresholds: readonly DiffThreshold[] = []): ReportDiff {
  const before = new Map(base.layers.map((l) => [l.path, figures(l)]));
  const after = new Map(head.layers.map((l) => [l.path, figures(l)]));
  const layers: ReportDiff['layers'] = [];
  for (const [path, a] of after) {
    const b = before.get(path);
    if (!b) layers.push({ path, status: 'added', after: a });
    else if (FIGURES.some((f) => a[f] !== b[f])) layers.push({ path, status: 'changed', before: b, after: a });
  }
  for (const [path, b] of before) if (!after.has(path)) layers.push({ path, status: 'removed', before: b });
  const total = { before: figures(base.total), after: figures(head.total) };
  const accuracy =
    base.accuracy && head.accuracy
      ? { before: base.accuracy.integer.rmse, after: head.accuracy.integer.rmse, rmseIncreaseBefore: base.accuracy.rmseIncrease, rmseIncreaseAfter: head.accuracy.rmseIncrease }
      : undefined;
  const value = (m: DiffMetric, side: 'before' | 'after'): number | undefined => (m === 'rmse' ? accuracy?.[side] : total[side][m]);
  const checked = thresholds.map((t) => {
    const [b, a] = [value(t.metric, 'before'), value(t.metric, 'after')];
    if (b === undefined || a === undefined) return { ...t, before: NaN, after: NaN, increasePercent: NaN, exceeded: false };
    const increasePercent = b === 0 ? (a === 0 ? 0 : Infinity) : ((a - b) / b) * 100;
    return { ...t, before: b, after: a, increasePercent: Math.round(increasePercent * 100) / 100, exceeded: increasePercent > t.maxIncreasePercent };
  });
  const failures = [
    ...(head.fits ? [] : [`HEAD does not fit ${head.device.id}: over on ${head.over.map((r) => LABEL[r]).join(', ')}`]),
    ...checked.filter((t) => t.exceeded).map((t) => `${LABEL[t.metric]} grew ${t.increasePercent === Infinity ? 'from 0' : `by ${t.increasePercent.toFixed(2)} %`} (${fmt(t.metric, t.before)} → ${fmt(t.metric, t.after)}), more than the ${t.maxIncreasePercent} % allowed`),
  ];
  const side = (r: Report, file: string): DiffSide => ({ file, model: r.model, device: r.device.id, fits: r.fits, over: [...r.over] });
  return {
    schema: 'kiln-diff',
    schemaVersion: 1,
    base: side(base, files.base),
    head: side(head, files.head),
    layers,
    total,
    limits: { ...head.limits },
    ...(accuracy ? { accuracy } : {}),
    thresholds: checked,
    failures,
  };
}

/**
 * Thresholds from `--max-increase METRIC=PERCENT` values (`lut=5`, `rmse=2.5`); a message for the first bad one.
 */
export function parseThresholds(values: readonly string[]): DiffThreshold[] | string {
  const out: DiffThreshold[] = [];
  for (const v of values) {
    const m = /^([a-z0-9]+)=([0-9]+(?:\.[0-9]+)?)%?$/.exec(v.trim());
    if (!m || !(DIFF_METRICS as readonly string[]).includes(m[1]!)) return `--max-increase ${v}: expected METRIC=PERCENT with METRIC one of ${DIFF_METRICS.join(', ')} (for example lut=5)`;
    out.push({ metric: m[1] as DiffMetric, maxIncreasePercent: Number(m[2]) });
  }
  return out;
}

const fmt = (m: DiffMetric, v: number) => (m === 'rmse' ? v.toFixed(4) : formatCount(v));

function change(m: DiffMetric, before: number | undefined, after: number | undefined): string {
  if (before === undefined) return after === undefined ? '' : `${fmt(m, after)} (new)`;
  if (after === undefined) return `${fmt(m, before)} (removed)`;
  if (before === after) return fmt(m, after);
  const d = after - before;
  const sign = d > 0 ? '+' : '−';
  return `${fmt(m, before)} → ${fmt(m, after)} (${sign}${fmt(m, Math.abs(d))})`;
}

function rows(diff: ReportDiff): string[][] {
  const header = ['Layer', ...FIGURES.map((f) => LABEL[f])];
  const body = diff.layers.map((l) => [l.path, ...FIGURES.map((f) => change(f, l.before?.[f], l.after?.[f]))]);
  const total = ['Total', ...FIGURES.map((f) => change(f, diff.total.before[f], diff.total.after[f]))];
  const limit = ['Limit', ...RESOURCES.map((r) => formatCount(diff.limits[r])), ''];
  return [header, ...body, total, limit];
}

function headline(diff: ReportDiff): string {
  const verdict = diff.failures.length === 0 ? 'passes' : 'FAILS';
  const fit = diff.head.fits ? `fits ${diff.head.device}` : `does NOT fit ${diff.head.device} (over on ${diff.head.over.map((r) => LABEL[r as DiffMetric] ?? r).join(', ')})`;
  const lut = change('lut', diff.total.before.lut, diff.total.after.lut);
  return `kiln diff: ${diff.head.model} ${fit}; LUT ${lut}; ${diff.layers.length} layer${diff.layers.length === 1 ? '' : 's'} changed; ${verdict}`;
}

function accuracyLine(diff: ReportDiff): string | undefined {
  const a = diff.accuracy;
  if (!a) return undefined;
  const pct = (x: number) => `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(2)} %`;
  return `Test RMSE of the integer model: ${change('rmse', a.before, a.after)}; against float ${pct(a.rmseIncreaseBefore)} → ${pct(a.rmseIncreaseAfter)}`;
}

export function renderDiffMarkdown(diff: ReportDiff): string {
  const r = rows(diff);
  const escape = (s: string) => s.replace(/\|/g, '\\|');
  const lines = [`### ${headline(diff)}`, '', `| ${r[0]!.join(' | ')} |`, `|---|${r[0]!.slice(1).map(() => '---:').join('|')}|`];
  for (const row of r.slice(1)) lines.push(`| ${row.map((c, i) => (i === 0 && (c === 'Total' || c === 'Limit') ? `**${c}**` : escape(c))).join(' | ')} |`);
  const acc = accuracyLine(diff);
  if (acc) lines.push('', acc);
  for (const t of diff.thresholds) if (!Number.isNaN(t.before)) lines.push('', `${t.exceeded ? '❌' : '✅'} ${LABEL[t.metric]} ${t.increasePercent >= 0 ? '+' : ''}${t.increasePercent} % (limit +${t.maxIncreasePercent} %)`);
  for (const f of diff.failures) lines.push('', `**${escape(f)}**`);
  return lines.join('\n') + '\n';
}

export function renderDiffConsole(diff: ReportDiff): string {
  const r = rows(diff);
  const widths = r[0]!.map((_, i) => Math.max(...r.map((row) => row[i]!.length)));
  const lines = [headline(diff), '', ...r.map((row) => row.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd())];
  const acc = accuracyLine(diff);
  if (acc) lines.push('', acc);
  for (const t of diff.thresholds) if (!Number.isNaN(t.before)) lines.push(`${LABEL[t.metric]} ${t.increasePercent >= 0 ? '+' : ''}${t.increasePercent} % (limit +${t.maxIncreasePercent} %): ${t.exceeded ? 'exceeded' : 'ok'}`);
  for (const f of diff.failures) lines.push(`kiln: ${f}`);
  return lines.join('\n') + '\n';
}
