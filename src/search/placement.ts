/**
 * Storage and mappings for a candidate's widths, within the budget: everything in fabric (buffers in registers
 * where that takes fewer LUTs than LUTRAM), then the memories (into BRAM18) and the multipliers (onto DSP48E1)
 * that save the most LUTs, chosen by a 0/1 knapsack per block type. Layer costs add up, so the choice is exact
 * for the LUT count.
 */
import type { CandidateCost } from './resources.js';
import type { Candidate, SearchSpace } from './space.js';

export function placeWithinBudget(space: SearchSpace, c: Candidate, cost: (c: Candidate) => CandidateCost): Candidate {
  const out = Uint8Array.from(c);
  const fabric = (g: number) => {
    const { setting, options } = space.genes[g]!;
    return options.indexOf(setting === 'multiplier' ? 'lut' : setting === 'weightStorage' ? 'logic' : 'lutram');
  };
  const placeable = space.genes.flatMap((g, i) => (g.setting === 'buffer' || g.setting === 'weightStorage' || g.setting === 'multiplier' ? [i] : []));
  for (const g of placeable) out[g] = fabric(g);
  let current = cost(out);
  for (const g of placeable) {
    const r = space.genes[g]!.options.indexOf('registers');
    if (r < 0) continue;
    const was = out[g]!;
    out[g] = r;
    const c2 = cost(out);
    if (c2.lut < current.lut) current = c2;
    else out[g] = was;
  }
  for (const [family, block, option] of [
    ['memory', 'bram18', 'bram'],
    ['multiplier', 'dsp', 'dsp'],
  ] as const) {
    const items: { gene: number; weight: number; value: number }[] = [];
    for (const g of placeable) {
      if ((space.genes[g]!.setting === 'multiplier') !== (family === 'multiplier')) continue;
      const o = space.genes[g]!.options.indexOf(option);
      if (o < 0) continue;
      const was = out[g]!;
      out[g] = o;
      const c2 = cost(out);
      out[g] = was;
      const weight = c2[block] - current[block];
      const value = current.lut - c2.lut;
      if (value > 0 && weight > 0) items.push({ gene: g, weight, value });
      else if (value > 0 && weight <= 0) out[g] = o; // saves LUTs for no block
    }
    const capacity = space.design.limits[block] - current[block];
    for (const i of knapsack(items, capacity)) out[items[i]!.gene] = space.genes[items[i]!.gene]!.options.indexOf(option);
    current = cost(out);
  }
  return out;
}

/** Indices of the items of greatest total value whose weights fit `capacity` (0/1 knapsack, integer weights). */
export function knapsack(items: readonly { weight: number; value: number }[], capacity: number): number[] {
  if (capacity <= 0 || items.length === 0) return [];
  const cap = Math.floor(capacity);
  const best = new Float64Array(cap + 1);
  const take: Uint8Array[] = items.map(() => new Uint8Array(cap + 1));
  items.forEach((it, i) => {
    for (let w = cap; w >= it.weight; w--) {
      const v = best[w - it.weight]! + it.value;
      if (v > best[w]!) {
        best[w] = v;
        take[i]![w] = 1;
      }
    }
  });
  const chosen: number[] = [];
  let w = cap;
  for (let i = items.length - 1; i >= 0; i--) {
    if (take[i]![w]) {
      chosen.push(i);
      w -= items[i]!.weight;
    }
  }
  return chosen.reverse();
}
