/**
 * What `kiln build` and `kiln estimate` say about a design over budget: why (the resources that ran out, and what
 * 'auto' then placed in fabric), which layers cost the most of what is over, and what would fix it: the smallest
 * device that fits the same config, and the nearest fitting point of a quick resource-only search (under a
 * second; accuracy is not scored, `kiln search` does that).
 */
import { DEVICE_IDS, findDevice } from '../devices/index.js';
import type { KilnConfig, ResourceName } from '../dsl/index.js';
import { RESOURCES } from '../dsl/index.js';
import { estimateDesign, type Estimate } from '../estimator/index.js';
import { layerVariants, NO_BRAM_LEFT, NO_DSP_LEFT, resolveDesign } from '../ir/resolve.js';
import type { ResolvedDesign } from '../ir/types.js';
import { placeWithinBudget } from './placement.js';
import { ResourceModel } from './resources.js';
import { baseCandidate, changesOf, searchSpace, type Candidate, type GeneSetting, type GeneValue } from './space.js';

export interface OverBudgetAdvice {
  /** One sentence: what ran out and where 'auto' put what no longer fitted. */
  why: string;
  /** Hard blocks the budget had none left of, so 'auto' placed memories or multipliers in fabric. */
  full: ResourceName[];
  spilled: { memories: number; multipliers: number };
  /** The layers that cost the most of the first resource over (at most five). */
  topLayers: { path: string; resource: ResourceName; amount: number; share: number }[];
  /** The smallest device of the database that fits the same config and budget fractions, if any. */
  smallestDevice?: string;
  /** The fitting candidate found nearest to the config by a quick search, or why there is none. */
  nearest?: { changes: Record<string, Partial<Record<GeneSetting, [GeneValue, GeneValue]>>>; total: Record<ResourceName, number> };
  nearestNote?: string;
}

/** Quick-search time limit, and the largest design it is tried on (an over-budget answer stays within seconds). */
const NEAREST_MS = 800;
const QUICK_SEARCH_MAX_LAYERS = 120;

export function overBudgetAdvice(config: KilnConfig, design: ResolvedDesign, estimate: Estimate): OverBudgetAdvice {
  const mems = design.layers.flatMap((l) => [...(l.buffer ? [l.buffer] : []), ...l.memories]);
  const spilled = {
    memories: mems.filter((m) => m.reason?.endsWith(NO_BRAM_LEFT)).length,
    multipliers: design.layers.filter((l) => l.multiplier?.reason?.endsWith(NO_DSP_LEFT)).length,
  };
  const full: ResourceName[] = [];
  if (spilled.memories > 0) full.push('bram18');
  if (spilled.multipliers > 0) full.push('dsp');
  const over = estimate.over;
  const parts: string[] = [];
  if (full.length > 0) {
    const placed = [spilled.memories > 0 ? `${spilled.memories} memor${spilled.memories === 1 ? 'y' : 'ies'} in LUTRAM or logic` : '', spilled.multipliers > 0 ? `${spilled.multipliers} multiplier${spilled.multipliers === 1 ? '' : 's'} in LUTs` : ''].filter(Boolean);
    parts.push(`${full.map((r) => r.toUpperCase()).join(' and ')} ${full.length === 1 ? 'is' : 'are'} full, so 'auto' placed ${placed.join(' and ')}`);
  }
  parts.push(`over on ${over.map((r) => `${r.toUpperCase()} (${estimate.total[r].toLocaleString('en-US')} of ${estimate.limits[r].toLocaleString('en-US')})`).join(', ')}`);
  const first = over[0]!;
  const topLayers = [...estimate.layers]
    .sort((a, b) => b[first] - a[first])
    .slice(0, 5)
    .filter((l) => l[first] > 0)
    .map((l) => ({ path: l.path, resource: first, amount: l[first], share: Math.round((l[first] / Math.max(1, estimate.total[first])) * 1000) / 1000 }));
  const advice: OverBudgetAdvice = { why: parts.join('; '), full, spilled, topLayers };
  const device = smallestDevice(config, design);
  if (device) advice.smallestDevice = device;
  try {
    if (design.layers.length > QUICK_SEARCH_MAX_LAYERS) advice.nearestNote = `${design.layers.length} layers is too many for a quick search; run kiln search`;
    else Object.assign(advice, nearestFit(config));
  } catch {
    advice.nearestNote = 'no quick search for this config';
  }
  return advice;
}

function smallestDevice(config: KilnConfig, design: ResolvedDesign): string | undefined {
  // Only devices with at least as much of every resource can fit what this one does not.
  const larger = (id: (typeof DEVICE_IDS)[number]) => RESOURCES.every((r) => findDevice(id)![r] >= design.device[r]);
  const bySize = DEVICE_IDS.filter((id) => id !== design.device.id && larger(id)).sort((a, b) => findDevice(a)!.lut - findDevice(b)!.lut);
  for (const id of bySize) {
    try {
      if (estimateDesign(resolveDesign({ ...config, device: id })).fits) return id;
    } catch {
      // a device the config cannot resolve on is no answer
    }
  }
  return undefined;
}

/**
 * From the config's widths: a placement within the budget; if that is not enough, every width capped at w for
 * w = the widest down to the narrowest, placed, until one fits; then widths raised back one step at a time
 * while the design still fits. Layers pinned in `layers:` stay as they are.
 */
function nearestFit(config: KilnConfig): Pick<OverBudgetAdvice, 'nearest' | 'nearestNote'> {
  const deadline = performance.now() + NEAREST_MS;
  const variants = layerVariants(config);
  const space = searchSpace(variants.design, config);
  const model = new ResourceModel(space, variants);
  const cost = (c: Candidate) => model.cost(c);
  const base = baseCandidate(space);
  const widthOf = (g: number, o: number) => space.genes[g]!.options[o] as number;
  let c = placeWithinBudget(space, base, cost);
  if (!cost(c).fits) {
    const widths = [...new Set(space.precisionGenes.map((g) => widthOf(g, base[g]!)))];
    let found: Candidate | undefined;
    for (let w = Math.max(...widths, 0) - 1; w >= 2 && !found; w--) {
      if (performance.now() > deadline) return { nearestNote: `no fitting point within ${NEAREST_MS} ms of search; run kiln search` };
      const capped = Uint8Array.from(base);
      for (const g of space.precisionGenes) while (capped[g]! > 0 && widthOf(g, capped[g]!) > w) capped[g]!--;
      const placed = placeWithinBudget(space, capped, cost);
      if (cost(placed).fits) found = placed;
    }
    if (!found) return { nearestNote: 'even every searchable width at 2 bits does not fit' };
    c = found;
    // widen back what still fits, one step at a time
    for (let changed = true; changed && performance.now() < deadline; ) {
      changed = false;
      for (const g of space.precisionGenes) {
        if (c[g]! >= base[g]!) continue;
        const wider = Uint8Array.from(c);
        wider[g]!++;
        if (cost(wider).fits) {
          c = wider;
          changed = true;
        }
      }
    }
  }
  const k = cost(c);
  return { nearest: { changes: changesOf(space, c), total: Object.fromEntries(RESOURCES.map((r) => [r, k[r]])) as Record<ResourceName, number> } };
}

/** The advice for people, a few lines. */
export function renderAdvice(a: OverBudgetAdvice): string[] {
  const lines = [`Why: ${a.why}.`];
  if (a.topLayers.length > 0) lines.push(`Most ${a.topLayers[0]!.resource.toUpperCase()}: ${a.topLayers.map((l) => `${l.path} ${l.amount.toLocaleString('en-US')} (${Math.round(l.share * 100)}%)`).join(', ')}.`);
  const fixes: string[] = [];
  if (a.smallestDevice) fixes.push(`device: '${a.smallestDevice}' (the smallest that fits)`);
  if (a.nearest) {
    const n = Object.entries(a.nearest.changes)
      .map(([path, c]) => `${path} ${Object.entries(c).map(([k, v]) => `${k} ${v![1]}`).join(', ')}`)
      .join('; ');
    fixes.push(`the nearest fitting point of a quick search (accuracy not scored: kiln search does): ${n} (LUT ${a.nearest.total.lut.toLocaleString('en-US')}, BRAM18 ${a.nearest.total.bram18}, DSP ${a.nearest.total.dsp})`);
  } else if (a.nearestNote) fixes.push(`no quick fix: ${a.nearestNote}`);
  if (fixes.length > 0) lines.push(`To fit: ${fixes.join('; or ')}.`);
  return lines;
}
