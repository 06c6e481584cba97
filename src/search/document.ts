/**
 * What `kiln search` prints and writes: search.json (schema docs/search-schema.md) and search.md, the console
 * table. Each front point is a delta from the user's config: the settings that change, layer by layer, and the
 * full settings of every searched layer (what `kiln search --write N` writes, so a rebuild gives the point's
 * estimate exactly).
 */
import { formatCount } from '../util/format.js';
import type { ResourceName } from '../dsl/index.js';
import type { Estimate } from '../estimator/index.js';
import type { SearchSetup } from './index.js';
import type { Objective, SearchPoint, SearchResult } from './search.js';
import { changesOf, settingsOf, type GeneSetting, type GeneValue } from './space.js';

export const SEARCH_SCHEMA = 'kiln-search';
export const SEARCH_SCHEMA_VERSION = 1;

export interface PointFigures extends Record<ResourceName, number> {
  rmse: number;
  /** Relative to the float model's RMSE on the same windows (absent when scored against the float model). */
  rmseIncrease?: number;
  cycles: number;
  latencyUs: number;
  fits: boolean;
}

export interface FrontPoint extends PointFigures {
  index: number;
  /** Settings that differ from the config as it resolves today: layer → setting → [configured, point]. */
  changes: Record<string, Partial<Record<GeneSetting, [GeneValue, GeneValue]>>>;
  /** The settings `--write` gives each searched layer (every choice explicit). */
  settings: Record<string, Partial<Record<GeneSetting, GeneValue>>>;
}

export interface SearchDocument {
  schema: typeof SEARCH_SCHEMA;
  schemaVersion: typeof SEARCH_SCHEMA_VERSION;
  kiln: string;
  config: string;
  /** SHA-256 of the config file's text when searched: --write refuses a config edited since. */
  configSha256: string;
  model: string;
  device: string;
  seed: number;
  objectives: readonly Objective[];
  bits: readonly number[];
  space: { genes: number; widthGenes: number; pinned: readonly string[] };
  /** What the figures are measured on; `searchedOn`, the sample the search itself scored candidates on. */
  accuracy: { metric: 'rmse'; on: string; searchedOn?: string; floatRmse?: number };
  evaluations: number;
  estimates: number;
  seconds: number;
  stoppedByTime: boolean;
  /** The config as it is (the build's own estimate). */
  configured: PointFigures;
  uniform: (PointFigures & { bits: number })[];
  front: FrontPoint[];
}

export function searchDocument(
  setup: SearchSetup,
  result: SearchResult,
  meta: { kiln: string; config: string; configSha256: string; bits: readonly number[]; configured: Estimate },
): SearchDocument {
  const { space } = setup;
  const d = space.design;
  const figures = (p: SearchPoint): PointFigures => ({
    rmse: round(p.accuracy.rmse, 5),
    ...(p.accuracy.rmseIncrease !== undefined ? { rmseIncrease: round(p.accuracy.rmseIncrease, 5) } : {}),
    lut: p.cost.lut,
    ff: p.cost.ff,
    lutram: p.cost.lutram,
    bram18: p.cost.bram18,
    dsp: p.cost.dsp,
    cycles: p.cost.cycles,
    latencyUs: round(p.cost.cycles / d.clockMHz, 3),
    fits: p.cost.fits,
  });
  const e = meta.configured;
  const configured: PointFigures = {
    ...figures(result.base),
    lut: e.total.lut,
    ff: e.total.ff,
    lutram: e.total.lutram,
    bram18: e.total.bram18,
    dsp: e.total.dsp,
    cycles: e.total.cycles,
    latencyUs: round(e.latencyUs, 3),
    fits: e.fits,
  };
  const front = result.front.map((p, index): FrontPoint => {
    const settings: FrontPoint['settings'] = {};
    space.layerGenes.forEach((genes, layer) => {
      if (genes.length === 0) return;
      const s = settingsOf(space, p.candidate, layer);
      settings[d.layers[layer]!.path] = Object.fromEntries(genes.map((g) => [space.genes[g]!.setting, s[space.genes[g]!.setting]]));
    });
    return { index, ...figures(p), changes: changesOf(space, p.candidate), settings };
  });
  return {
    schema: SEARCH_SCHEMA,
    schemaVersion: SEARCH_SCHEMA_VERSION,
    kiln: meta.kiln,
    config: meta.config,
    configSha256: meta.configSha256,
    model: d.name,
    device: d.device.part,
    seed: result.seed,
    objectives: result.objectives,
    bits: meta.bits,
    space: { genes: space.genes.length, widthGenes: space.precisionGenes.length, pinned: space.pinned },
    accuracy: {
      metric: 'rmse',
      on: setup.held.describe,
      ...(setup.accuracy !== setup.finalAccuracy ? { searchedOn: setup.accuracy.describe } : {}),
      ...(setup.finalAccuracy.float !== undefined ? { floatRmse: round(setup.finalAccuracy.float, 5) } : {}),
    },
    evaluations: result.evaluations,
    estimates: result.estimates,
    seconds: round(result.ms / 1000, 2),
    stoppedByTime: result.stoppedByTime,
    configured,
    uniform: result.uniform.map((u) => ({ bits: u.bits, ...figures(u.point) })),
    front,
  };
}

const SHORT: Record<GeneSetting, string> = { weightBits: 'w', outputBits: 'o', buffer: 'buffer ', weightStorage: 'weights ', multiplier: 'mult ' };

/** "fc1 w4 o6 buffer lutram; scores o5": what a point changes, compactly. */
export function describeChanges(changes: FrontPoint['changes']): string {
  const parts = Object.entries(changes).map(([path, c]) => `${path} ${Object.entries(c).map(([k, v]) => `${SHORT[k as GeneSetting]}${v![1]}`).join(' ')}`);
  return parts.length === 0 ? 'as configured' : parts.join('; ');
}

const pct = (x: number | undefined) => (x === undefined ? '' : `${x >= 0 ? '+' : ''}${(x * 100).toFixed(1)}%`);

function rows(doc: SearchDocument): { header: string[]; body: string[][] } {
  const header = ['#', 'RMSE', 'vs float', 'LUT', 'FF', 'LUTRAM', 'BRAM18', 'DSP', 'cycles', 'changes'];
  const line = (label: string, p: PointFigures, changes: string) => [label, p.rmse.toFixed(4), pct(p.rmseIncrease), formatCount(p.lut), formatCount(p.ff), formatCount(p.lutram), String(p.bram18), String(p.dsp), formatCount(p.cycles), changes];
  return { header, body: doc.front.map((p) => line(String(p.index), p, describeChanges(p.changes))) };
}

function summary(doc: SearchDocument): string[] {
  const f = (p: PointFigures) => `RMSE ${p.rmse.toFixed(4)}${p.rmseIncrease !== undefined ? ` (${pct(p.rmseIncrease)} vs float)` : ''}, LUT ${formatCount(p.lut)}, BRAM18 ${p.bram18}, DSP ${p.dsp}${p.fits ? '' : ', over budget'}`;
  return [
    `Configured: ${f(doc.configured)}.`,
    `Uniform widths: ${doc.uniform.map((u) => `${u.bits}-bit ${u.rmse.toFixed(4)}${u.fits ? '' : ' (over)'}`).join(', ')}.`,
    `Accuracy: integer-model RMSE on ${doc.accuracy.on}${doc.accuracy.searchedOn ? ` (searched on ${doc.accuracy.searchedOn})` : ''}${doc.accuracy.floatRmse !== undefined ? `; float model ${doc.accuracy.floatRmse.toFixed(4)}` : ''}.`,
    `${doc.evaluations} accuracy evaluations, ${formatCount(doc.estimates)} estimates in ${doc.seconds.toFixed(1)} s (seed ${doc.seed}, widths ${doc.bits.join(',')}, objectives ${doc.objectives.join(', ')})${doc.stoppedByTime ? '; stopped by --time before the evaluation budget was spent, so the result depends on this machine' : ''}.`,
  ];
}

export function renderSearchConsole(doc: SearchDocument, maxChanges = 60): string {
  const { header, body } = rows(doc);
  const clipped = body.map((r) => r.map((c, i) => (i === r.length - 1 && c.length > maxChanges ? c.slice(0, maxChanges - 1) + '…' : c)));
  const all = [header, ...clipped];
  const widths = header.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const numeric = (i: number) => i > 0 && i < header.length - 1;
  const fmt = (r: readonly string[]) => r.map((c, i) => (numeric(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  const title = doc.front.length > 0 ? `Pareto front: ${doc.front.length} points that fit ${doc.device}'s budget (objectives ${doc.objectives.join(', ')}):` : `No candidate fits ${doc.device}'s budget.`;
  return [title, '', fmt(header), ...clipped.map(fmt), '', ...summary(doc), ''].join('\n');
}

export function renderSearchMarkdown(doc: SearchDocument): string {
  const { header, body } = rows(doc);
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [
    `## kiln search: ${doc.model} on ${doc.device}`,
    '',
    `${doc.front.length} points on the Pareto front of ${doc.objectives.join(', ')}, every one within the budget. \`kiln search --write N\` applies point N to the config.`,
    '',
    line(header),
    line(header.map((_, i) => (i > 0 && i < header.length - 1 ? '---:' : '---'))),
    ...body.map(line),
    '',
    ...summary(doc).flatMap((s) => [s, '']),
  ].join('\n');
}

function round(x: number, digits: number): number {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
