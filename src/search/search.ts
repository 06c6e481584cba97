/**
 * The resource-aware mixed-precision and storage search. Candidates are scored by the estimator (resources,
 * cycles: a sum of cached per-layer estimates) and the integer reference model (accuracy), never by synthesis.
 *
 * Phases, all deterministic for a seed:
 * 1. the user's config, and each uniform width with a budget-aware placement;
 * 2. sensitivity: each bit-width gene alone two steps narrower, the others as configured, read through the
 *    quantization-noise model (added MSE ∝ 4^−bits) to predict every width of every gene;
 * 3. a greedy descent: from the configured widths, lower one width at a time, the one the sensitivities say
 *    costs the least accuracy per resource saved, scoring the candidates along the way (half what is left);
 * 4. NSGA-II on the whole genome (widths, storages, mappings), three quarters of what is left;
 * 5. gap filling: each front point's most promising one-step-narrower neighbour, round after round, until the
 *    evaluation budget is spent.
 * Every candidate whose widths change gets a placement: memories into BRAM and multipliers onto DSPs where they
 * save the most LUTs within the budget (a knapsack per block type; layer costs add up, so it is exact for the
 * LUT count). The front is the non-dominated set of fitting candidates over the chosen objectives.
 */
import { createRng, type Rng } from '../util/rng.js';
import type { AccuracyModel, CandidateAccuracy } from './accuracy.js';
import { crowding, nondominated, nondominatedSort } from './pareto.js';
import type { CandidateCost, ResourceModel } from './resources.js';
import { placeWithinBudget } from './placement.js';
import { baseCandidate, candidateKey, uniformPrecision, type Candidate, type SearchSpace } from './space.js';

export const OBJECTIVES = ['rmse', 'lut', 'ff', 'lutram', 'bram18', 'dsp', 'cycles'] as const;
export type Objective = (typeof OBJECTIVES)[number];
/** Error against LUTs: BRAM18 and DSP are held to the budget as constraints unless named as objectives too. */
export const DEFAULT_OBJECTIVES: readonly Objective[] = ['rmse', 'lut'];
export const DEFAULT_EVALUATIONS = 300;
/** Share of the evaluations left after the descent that fills the front's gaps at the end. */
const POLISH_SHARE = 0.25;

export interface SearchPoint {
  readonly candidate: Candidate;
  readonly cost: CandidateCost;
  readonly accuracy: CandidateAccuracy;
}

export interface SearchOptions {
  readonly objectives?: readonly Objective[];
  readonly seed?: number;
  /** Accuracy evaluations (distinct bit-width vectors) the search may spend. */
  readonly evaluations?: number;
  /** Wall-clock cap; when it ends the search early, the result says so (and is then machine-dependent). */
  readonly timeLimitMs?: number;
  readonly onProgress?: (p: SearchProgress) => void;
}

export interface SearchProgress {
  readonly phase: 'start' | 'uniform' | 'sensitivity' | 'descent' | 'evolution' | 'done';
  readonly evaluations: number;
  readonly budget: number;
  /** Size of the current front of fitting candidates. */
  readonly front: number;
}

export interface SearchResult {
  readonly objectives: readonly Objective[];
  readonly seed: number;
  /** The user's config as a candidate (its placement kept). */
  readonly base: SearchPoint;
  /** Every width uniform, placed within the budget. */
  readonly uniform: readonly { readonly bits: number; readonly point: SearchPoint }[];
  /** Non-dominated fitting candidates, lowest error first. */
  readonly front: readonly SearchPoint[];
  /** Distinct bit-width vectors scored by the integer model. */
  readonly evaluations: number;
  /** Candidates estimated (resources and cycles). */
  readonly estimates: number;
  readonly stoppedByTime: boolean;
  readonly ms: number;
}

export class Search {
  private readonly accuracyMemo = new Map<string, CandidateAccuracy>();
  private readonly archive = new Map<string, SearchPoint>();
  private estimates = 0;
  private readonly deadline: number;
  private readonly budget: number;
  private readonly rng: Rng;
  private readonly objectives: readonly Objective[];
  private readonly start = performance.now();
  private timeUp = false;

  /**
   * `accuracy` scores candidates during the search; `final`, when given, scores the front (and the configured and
   * uniform points) again for the result: the search may run on a sample of the windows, the figures reported
   * come from all of them.
   */
  constructor(
    private readonly space: SearchSpace,
    private readonly resources: ResourceModel,
    private readonly accuracy: AccuracyModel,
    private readonly options: SearchOptions = {},
    private readonly final?: AccuracyModel,
  ) {
    this.budget = options.evaluations ?? DEFAULT_EVALUATIONS;
    this.deadline = this.start + (options.timeLimitMs ?? Infinity);
    this.rng = createRng(options.seed ?? 1, 'kiln-search');
    this.objectives = options.objectives ?? DEFAULT_OBJECTIVES;
  }

  run(): SearchResult {
    const space = this.space;
    const base = this.score(baseCandidate(space))!;
    this.progress('start');
    const widths = [...new Set(space.precisionGenes.flatMap((g) => space.genes[g]!.options as number[]))].sort((a, b) => b - a);
    const uniform: { bits: number; point: SearchPoint }[] = [];
    for (const w of widths) {
      const p = this.score(this.place(uniformPrecision(space, base.candidate, w)));
      if (p) uniform.push({ bits: w, point: p });
    }
    this.progress('uniform');
    const sensitivity = this.sensitivity(base.candidate);
    this.progress('sensitivity');
    // the descent may spend half of what is left; the evolution the rest
    this.descend(this.place(base.candidate), sensitivity, base.accuracy.rmse, Math.floor((this.budget - this.accuracyMemo.size) / 2));
    this.progress('descent');
    this.evolve(this.budget - Math.floor((this.budget - this.accuracyMemo.size) * POLISH_SHARE));
    this.polish(sensitivity);
    this.placeArchive();
    const front = this.final ? this.rescoredFront([...this.nearFront(3), base, ...uniform.map((u) => u.point)]) : this.front();
    this.progress('done');
    return {
      objectives: this.objectives,
      seed: this.options.seed ?? 1,
      base: this.rescore(base),
      uniform: uniform.map((u) => ({ bits: u.bits, point: this.rescore(u.point) })),
      front,
      evaluations: this.accuracyMemo.size,
      estimates: this.estimates,
      stoppedByTime: this.timeUp,
      ms: performance.now() - this.start,
    };
  }

  /** The candidate's point (memoised); undefined when the budget or the time is spent. */
  score(c: Candidate): SearchPoint | undefined {
    const key = candidateKey(c);
    const known = this.archive.get(key);
    if (known) return known;
    const pk = this.precisionKey(c);
    let acc = this.accuracyMemo.get(pk);
    if (acc === undefined) {
      if (this.exhausted()) return undefined;
      acc = this.accuracy.evaluate(this.resources.nodes(c));
      this.accuracyMemo.set(pk, acc);
    }
    const point = { candidate: c, cost: this.cost(c), accuracy: acc };
    this.archive.set(key, point);
    return point;
  }

  private cost(c: Candidate): CandidateCost {
    this.estimates++;
    return this.resources.cost(c);
  }

  private exhausted(): boolean {
    if (this.accuracyMemo.size >= this.budget) return true;
    if (performance.now() > this.deadline) this.timeUp = true;
    return this.timeUp;
  }

  private precisionKey(c: Candidate): string {
    let k = '';
    for (const g of this.space.precisionGenes) k += String.fromCharCode(48 + c[g]!);
    return k;
  }

  /** Storage and mapping for the candidate's widths within the budget (src/search/placement.ts). */
  place(c: Candidate): Candidate {
    return placeWithinBudget(this.space, c, (x) => this.cost(x));
  }

  /**
   * How much error each bit-width gene adds as it narrows, from one probe per gene: the gene alone two steps
   * below its configured width (the others as configured), read through the usual quantization-noise model,
   * added MSE ∝ 4^−bits. Returns the predicted added RMSE of each (gene, option).
   */
  private sensitivity(base: Candidate): Map<string, number> {
    const out = new Map<string, number>();
    const baseRmse = this.score(base)!.accuracy.rmse;
    for (const g of this.space.precisionGenes) {
      const options = this.space.genes[g]!.options as number[];
      const from = base[g]!;
      if (from === 0) continue;
      const probe = Math.max(0, from - 2);
      const c = Uint8Array.from(base);
      c[g] = probe;
      const p = this.score(c);
      if (!p) return out;
      const noise = (bits: number) => 4 ** -bits - 4 ** -options[from]!;
      const k = Math.max(0, p.accuracy.rmse ** 2 - baseRmse ** 2) / noise(options[probe]!);
      for (let o = from - 1; o >= 0; o--) out.set(`${g}:${o}`, Math.sqrt(baseRmse ** 2 + k * noise(options[o]!)) - baseRmse);
    }
    return out;
  }

  /**
   * Lowers widths one step at a time, the step the sensitivities say costs the least accuracy per resource
   * saved, scoring the candidate after each `stride` steps (so the descent fits `allowance` evaluations).
   */
  private descend(start: Candidate, sensitivity: Map<string, number>, baseRmse: number, allowance: number): void {
    let c = start;
    const limits = this.space.design.limits;
    const weight = (k: CandidateCost) => k.lut / Math.max(1, limits.lut) + k.bram18 / Math.max(1, limits.bram18) + k.dsp / Math.max(1, limits.dsp) + k.ff / Math.max(1, limits.ff);
    const steps = this.space.precisionGenes.reduce((n, g) => n + start[g]!, 0);
    const stride = Math.max(1, Math.ceil(steps / Math.max(1, allowance)));
    for (let step = 1; ; step++) {
      const here = this.cost(c);
      let best: { g: number; score: number } | undefined;
      for (const g of this.space.precisionGenes) {
        if (c[g]! === 0) continue;
        const lowered = Uint8Array.from(c);
        lowered[g] = c[g]! - 1;
        const saved = weight(here) - weight(this.cost(lowered));
        const added = Math.max(0, (sensitivity.get(`${g}:${c[g]! - 1}`) ?? 0) - (sensitivity.get(`${g}:${c[g]!}`) ?? 0));
        const score = (added + 1e-9) / Math.max(saved, 1e-6);
        if (!best || score < best.score) best = { g, score };
      }
      if (!best) return;
      const next = Uint8Array.from(c);
      next[best.g] = c[best.g]! - 1;
      c = next;
      if (step % stride !== 0) continue;
      c = this.place(c);
      const p = this.score(c);
      if (!p || p.accuracy.rmse > 1.5 * baseRmse) return;
    }
  }

  /** NSGA-II over the whole genome, seeded with what the earlier phases found, until `until` evaluations. */
  private evolve(until: number): void {
    const size = 24;
    let population = this.select([...this.archive.values()], size);
    while (!this.exhausted() && this.accuracyMemo.size < until) {
      const offspring: SearchPoint[] = [];
      let attempts = 0;
      while (offspring.length < size && attempts++ < size * 8) {
        const a = this.tournament(population);
        const b = this.tournament(population);
        const raw = this.mutate(this.crossover(a.candidate, b.candidate));
        // storage and mapping as inherited half of the time, placed within the budget otherwise
        const child = this.rng.next() < 0.5 ? this.place(raw) : raw;
        if (this.archive.has(candidateKey(child))) continue;
        const p = this.score(child);
        if (!p) break;
        offspring.push(p);
      }
      if (offspring.length === 0) break;
      population = this.select([...population, ...offspring], size);
      this.progress('evolution');
    }
  }

  /**
   * The rest of the budget fills the front's gaps: round after round, each front point's most promising
   * neighbour one width step narrower (the least predicted error per LUT saved, from the sensitivities), placed
   * within the budget. Evolution leaves the middle of the front thin; these steps land just below its points.
   */
  private polish(sensitivity: Map<string, number>): void {
    for (let round = 0; !this.exhausted(); round++) {
      let scored = 0;
      for (const p of this.front()) {
        const here = p.cost.lut;
        let best: { c: Candidate; score: number } | undefined;
        for (const g of this.space.precisionGenes) {
          if (p.candidate[g]! === 0) continue;
          const lowered = Uint8Array.from(p.candidate);
          lowered[g] = p.candidate[g]! - 1;
          const placed = this.place(lowered);
          if (this.archive.has(candidateKey(placed))) continue;
          const saved = here - this.cost(placed).lut;
          const added = Math.max(0, (sensitivity.get(`${g}:${lowered[g]!}`) ?? 0) - (sensitivity.get(`${g}:${p.candidate[g]!}`) ?? 0));
          const score = (added + 1e-9) / Math.max(saved, 1e-3);
          if (!best || score < best.score) best = { c: placed, score };
        }
        if (!best) continue;
        if (!this.score(best.c)) return;
        scored++;
      }
      if (scored === 0) return;
      this.progress('evolution');
    }
  }

  /**
   * Every candidate's widths with their storage and mapping placed within the budget: storage does not change
   * accuracy, so this costs estimates, not evaluations, and lowers the LUTs of points the evolution left with
   * an inherited placement.
   */
  private placeArchive(): void {
    for (const p of [...this.archive.values()]) {
      const placed = this.place(p.candidate);
      if (!this.archive.has(candidateKey(placed))) this.score(placed);
    }
  }

  private crossover(a: Candidate, b: Candidate): Candidate {
    const out = Uint8Array.from(a);
    // whole layers at a time: a layer's widths and storage go together
    for (const genes of this.space.layerGenes) if (genes.length > 0 && this.rng.next() < 0.5) for (const g of genes) out[g] = b[g]!;
    return out;
  }

  private mutate(c: Candidate): Candidate {
    const out = Uint8Array.from(c);
    const n = this.space.genes.length;
    let changed = false;
    while (!changed) {
      for (let g = 0; g < n; g++) {
        if (this.rng.next() >= 1.5 / n) continue;
        const k = this.space.genes[g]!.options.length;
        if (typeof this.space.genes[g]!.options[0] === 'number') out[g] = Math.min(k - 1, Math.max(0, out[g]! + (this.rng.next() < 0.5 ? -1 : 1)));
        else out[g] = (out[g]! + 1 + this.rng.int(0, k - 2)) % k;
        changed ||= out[g] !== c[g];
      }
    }
    return out;
  }

  private tournament(population: readonly SearchPoint[]): SearchPoint {
    const a = population[this.rng.int(0, population.length - 1)]!;
    const b = population[this.rng.int(0, population.length - 1)]!;
    return this.better(a, b) ? a : b;
  }

  /** Constrained domination: fitting beats over budget; among those over, the smaller excess wins. */
  private better(a: SearchPoint, b: SearchPoint): boolean {
    if (a.cost.fits !== b.cost.fits) return a.cost.fits;
    if (!a.cost.fits) return excess(a.cost) <= excess(b.cost);
    const va = this.vector(a);
    const vb = this.vector(b);
    return !va.every((v, i) => v >= vb[i]!) || va.every((v, i) => v === vb[i]);
  }

  /** The best `size` by constrained non-dominated rank, then crowding. */
  private select(points: SearchPoint[], size: number): SearchPoint[] {
    const unique = [...new Map(points.map((p) => [candidateKey(p.candidate), p])).values()];
    const fitting = unique.filter((p) => p.cost.fits);
    const over = unique.filter((p) => !p.cost.fits).sort((a, b) => excess(a.cost) - excess(b.cost));
    const vectors = fitting.map((p) => this.vector(p));
    const out: SearchPoint[] = [];
    for (const front of nondominatedSort(vectors)) {
      if (out.length + front.length <= size) {
        out.push(...front.map((i) => fitting[i]!));
        continue;
      }
      const d = crowding(vectors, front);
      out.push(...[...front].sort((a, b) => d.get(b)! - d.get(a)! || a - b).slice(0, size - out.length).map((i) => fitting[i]!));
      break;
    }
    return [...out, ...over.slice(0, size - out.length)];
  }

  vector(p: SearchPoint): number[] {
    return this.objectives.map((o) => (o === 'rmse' ? p.accuracy.rmse : p.cost[o]));
  }

  /** The non-dominated fitting points of everything scored, lowest error first (one per objective vector). */
  front(): SearchPoint[] {
    const fitting = [...this.archive.values()].filter((p) => p.cost.fits);
    const vectors = fitting.map((p) => this.vector(p));
    return nondominated(vectors)
      .map((i) => fitting[i]!)
      .sort((a, b) => a.accuracy.rmse - b.accuracy.rmse || a.cost.lut - b.cost.lut);
  }

  private readonly finalMemo = new Map<string, CandidateAccuracy>();

  private rescore(p: SearchPoint): SearchPoint {
    if (!this.final) return p;
    const key = this.precisionKey(p.candidate);
    let acc = this.finalMemo.get(key);
    if (acc === undefined) this.finalMemo.set(key, (acc = this.final.evaluate(this.resources.nodes(p.candidate))));
    return { ...p, accuracy: acc };
  }

  /** The fitting points of the first `ranks` fronts of non-domination: what may be on the front once rescored. */
  private nearFront(ranks: number): SearchPoint[] {
    const fitting = [...this.archive.values()].filter((p) => p.cost.fits);
    return nondominatedSort(fitting.map((p) => this.vector(p)))
      .slice(0, ranks)
      .flat()
      .map((i) => fitting[i]!);
  }

  /** The front of these points scored on all windows: points a sample favoured may fall behind, others rise. */
  private rescoredFront(sampled: readonly SearchPoint[]): SearchPoint[] {
    const unique = [...new Map(sampled.filter((p) => p.cost.fits).map((p) => [candidateKey(p.candidate), p])).values()];
    const points = unique.map((p) => this.rescore(p));
    const vectors = points.map((p) => this.vector(p));
    return nondominated(vectors)
      .map((i) => points[i]!)
      .sort((a, b) => a.accuracy.rmse - b.accuracy.rmse || a.cost.lut - b.cost.lut);
  }

  private progress(phase: SearchProgress['phase']): void {
    this.options.onProgress?.({ phase, evaluations: this.accuracyMemo.size, budget: this.budget, front: phase === 'evolution' || phase === 'done' ? this.front().length : 0 });
  }
}

function excess(c: CandidateCost): number {
  return c.over.reduce((s, o) => s + o.by, 0);
}
