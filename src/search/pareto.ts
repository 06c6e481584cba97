/**
 * Pareto fronts for minimisation: dominance, non-dominated sorting and crowding (NSGA-II), and the hypervolume a
 * front dominates up to a reference point (exact, by slicing one objective at a time; fronts here are small).
 */

/** a dominates b: no worse in every objective, better in one. */
export function dominates(a: readonly number[], b: readonly number[]): boolean {
  let better = false;
  for (let i = 0; i < a.length; i++) {
    if (a[i]! > b[i]!) return false;
    if (a[i]! < b[i]!) better = true;
  }
  return better;
}

/** Indices of the points no other point dominates (duplicates kept once, the first). */
export function nondominated(points: readonly (readonly number[])[]): number[] {
  const out: number[] = [];
  for (let i = 0; i < points.length; i++) {
    let keep = true;
    for (let j = 0; j < points.length && keep; j++) {
      if (j === i) continue;
      if (dominates(points[j]!, points[i]!) || (j < i && points[j]!.every((v, k) => v === points[i]![k]))) keep = false;
    }
    if (keep) out.push(i);
  }
  return out;
}

/** Fronts of successive non-domination (front 0 is the Pareto set), as index lists. */
export function nondominatedSort(points: readonly (readonly number[])[]): number[][] {
  const n = points.length;
  const dominatedBy = new Array<number>(n).fill(0);
  const dominating: number[][] = Array.from({ length: n }, () => []);
  for (let i = 0; i < n; i++)
    for (let j = i + 1; j < n; j++) {
      if (dominates(points[i]!, points[j]!)) {
        dominating[i]!.push(j);
        dominatedBy[j]!++;
      } else if (dominates(points[j]!, points[i]!)) {
        dominating[j]!.push(i);
        dominatedBy[i]!++;
      }
    }
  const fronts: number[][] = [];
  let current = [...Array(n).keys()].filter((i) => dominatedBy[i] === 0);
  while (current.length > 0) {
    fronts.push(current);
    const next: number[] = [];
    for (const i of current)
      for (const j of dominating[i]!) {
        dominatedBy[j]!--;
        if (dominatedBy[j] === 0) next.push(j);
      }
    current = next;
  }
  return fronts;
}

/** NSGA-II crowding distance of each member of one front (boundary points infinite). */
export function crowding(points: readonly (readonly number[])[], front: readonly number[]): Map<number, number> {
  const d = new Map(front.map((i) => [i, 0]));
  const m = points[front[0]!]?.length ?? 0;
  for (let k = 0; k < m; k++) {
    const sorted = [...front].sort((a, b) => points[a]![k]! - points[b]![k]!);
    const lo = points[sorted[0]!]![k]!;
    const hi = points[sorted[sorted.length - 1]!]![k]!;
    d.set(sorted[0]!, Infinity);
    d.set(sorted[sorted.length - 1]!, Infinity);
    if (hi === lo) continue;
    for (let i = 1; i < sorted.length - 1; i++) d.set(sorted[i]!, d.get(sorted[i]!)! + (points[sorted[i + 1]!]![k]! - points[sorted[i - 1]!]![k]!) / (hi - lo));
  }
  return d;
}

/**
 * Volume of the region dominated by `points` and bounded by `reference` (points not strictly below the
 * reference in every objective contribute nothing). Exact: sweeps the last objective and recurses.
 */
export function hypervolume(points: readonly (readonly number[])[], reference: readonly number[]): number {
  const inside = points.filter((p) => p.every((v, k) => v < reference[k]!));
  return volume(inside, reference);
}

function volume(points: readonly (readonly number[])[], reference: readonly number[]): number {
  const m = reference.length;
  if (points.length === 0) return 0;
  if (m === 1) return reference[0]! - Math.min(...points.map((p) => p[0]!));
  const last = m - 1;
  const sorted = [...points].sort((a, b) => a[last]! - b[last]!);
  let total = 0;
  for (let i = 0; i < sorted.length; i++) {
    const top = i + 1 < sorted.length ? sorted[i + 1]![last]! : reference[last]!;
    const height = top - sorted[i]![last]!;
    if (height <= 0) continue;
    const slice = sorted.slice(0, i + 1).map((p) => p.slice(0, last));
    total += height * volume(nondominated(slice).map((j) => slice[j]!), reference.slice(0, last));
  }
  return total;
}
