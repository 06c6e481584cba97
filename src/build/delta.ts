/**
 * Per-layer estimate deltas between two builds, and their compact rendering:
 *   encoder.0.ffn.fc1  LUT +120  BRAM18 -1  cycles +0
 *   total  LUT 3,184/8,000 (+120)  FF 1,301/16,000  LUTRAM 44/2,400  BRAM18 19/20 (-1)  DSP 16/20  cycles 131,727 (+0): fits xc7s15
 */
import { formatCount } from '../emitters/report.js';
import type { Estimate } from '../estimator/index.js';
import type { ResolvedDesign } from '../ir/types.js';
import type { Manifest } from './manifest.js';
import type { LayerCost } from './units.js';

const RESOURCES = ['lut', 'ff', 'lutram', 'bram18', 'dsp'] as const;
const LABEL: Record<keyof LayerCost, string> = { lut: 'LUT', ff: 'FF', lutram: 'LUTRAM', bram18: 'BRAM18', dsp: 'DSP', cycles: 'cycles' };
const FIELDS = [...RESOURCES, 'cycles'] as const;

export interface LayerDelta {
  path: string;
  status: 'changed' | 'added' | 'removed';
  before?: LayerCost;
  after?: LayerCost;
}

export interface EstimateDelta {
  /** Layers whose estimate changed, in schedule order (removed layers last). */
  layers: LayerDelta[];
  total: LayerCost;
  /** Undefined when there is no previous build to compare with. */
  totalBefore?: LayerCost;
  limits: Omit<LayerCost, 'cycles'>;
  device: string;
  fits: boolean;
  over: string[];
}

const cost = (c: LayerCost): LayerCost => ({ lut: c.lut, ff: c.ff, lutram: c.lutram, bram18: c.bram18, dsp: c.dsp, cycles: c.cycles });

/** The estimate as recorded by a build (what the manifest keeps): per-layer costs and totals. */
export interface EstimateRecord {
  layers: ReadonlyMap<string, LayerCost>;
  total: LayerCost;
}

export function estimateRecord(estimate: Estimate): EstimateRecord {
  return { layers: new Map(estimate.layers.map((l) => [l.path, cost(l)])), total: cost(estimate.total) };
}

export function recordFromManifest(m: Manifest): EstimateRecord {
  const layers = new Map<string, LayerCost>();
  for (const [id, u] of Object.entries(m.units)) if (u.kind === 'layer' && u.estimate) layers.set(id, u.estimate);
  return { layers, total: m.estimate.total };
}

export function estimateDelta(before: EstimateRecord | undefined, design: ResolvedDesign, estimate: Estimate): EstimateDelta {
  const layers: LayerDelta[] = [];
  if (before) {
    for (const l of estimate.layers) {
      const b = before.layers.get(l.path);
      const a = cost(l);
      if (!b) layers.push({ path: l.path, status: 'added', after: a });
      else if (FIELDS.some((f) => a[f] !== b[f])) layers.push({ path: l.path, status: 'changed', before: b, after: a });
    }
    const now = new Set(estimate.layers.map((l) => l.path));
    for (const [path, b] of before.layers) if (!now.has(path)) layers.push({ path, status: 'removed', before: b });
  }
  const { lut, ff, lutram, bram18, dsp } = estimate.limits;
  return {
    layers,
    total: cost(estimate.total),
    ...(before ? { totalBefore: before.total } : {}),
    limits: { lut, ff, lutram, bram18, dsp },
    device: design.device.id,
    fits: estimate.fits,
    over: [...estimate.over],
  };
}

const num = formatCount;
const signed = (n: number) => (n > 0 ? `+${num(n)}` : n < 0 ? `-${num(-n)}` : '+0');

export function verdict(d: Pick<EstimateDelta, 'fits' | 'over' | 'device' | 'total' | 'limits'>): string {
  if (d.fits) return `fits ${d.device}`;
  return `does NOT fit ${d.device}: over on ${d.over.map((r) => `${LABEL[r as keyof LayerCost] ?? r} ${num(d.total[r as keyof LayerCost])} > ${num(d.limits[r as keyof EstimateDelta['limits']])}`).join(', ')}`;
}

/** Lines of the delta: one per changed layer, then the totals against the device with the verdict. */
export function formatDelta(d: EstimateDelta, indent = '  '): string[] {
  const width = Math.max(5, ...d.layers.map((l) => l.path.length));
  const lines = d.layers.map((l) => {
    const name = l.path.padEnd(width);
    if (l.status === 'added') return `${indent}${name}  new: ${FIELDS.filter((f) => f === 'cycles' || l.after![f] !== 0).map((f) => `${LABEL[f]} ${num(l.after![f])}`).join('  ')}`;
    if (l.status === 'removed') return `${indent}${name}  removed: ${FIELDS.filter((f) => f === 'cycles' || l.before![f] !== 0).map((f) => `${LABEL[f]} ${signed(-l.before![f])}`).join('  ')}`;
    const parts = FIELDS.filter((f) => f === 'cycles' || l.after![f] !== l.before![f]).map((f) => `${LABEL[f]} ${signed(l.after![f] - l.before![f])}`);
    return `${indent}${name}  ${parts.join('  ')}`;
  });
  const change = (f: keyof LayerCost) => (d.totalBefore && (f === 'cycles' || d.total[f] !== d.totalBefore[f]) ? ` (${signed(d.total[f] - d.totalBefore[f])})` : '');
  const totals = [...RESOURCES.map((r) => `${LABEL[r]} ${num(d.total[r])}/${num(d.limits[r])}${change(r)}`), `cycles ${num(d.total.cycles)}${change('cycles')}`];
  lines.push(`${indent}${'total'.padEnd(width)}  ${totals.join('  ')}: ${verdict(d)}`);
  return lines;
}
