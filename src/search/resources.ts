/**
 * Resources and cycles of a search candidate without resolving or estimating the design again: each layer's
 * estimate depends only on its own settings and its producers' output widths, so it is kept under that key, and
 * a candidate is a sum of cached layers plus the top level (which depends on the graph's structure alone). A
 * candidate that changes one layer costs one layer's rebuild; one seen before costs a lookup per layer.
 */
import { RESOURCES, type ResourceName } from '../dsl/index.js';
import { HANDOFF_CYCLES_PER_LAYER } from '../engines/top/plan.js';
import { estimateDesign, estimateLayer, type Cost } from '../estimator/index.js';
import type { LayerVariants } from '../ir/resolve.js';
import type { LayerNode } from '../ir/types.js';
import { settingsOf, type Candidate, type SearchSpace } from './space.js';

export interface CandidateCost extends Readonly<Cost> {
  readonly cycles: number;
  readonly fits: boolean;
  /** Resources over the budget, each with how far: (total − limit) / limit. */
  readonly over: readonly { readonly resource: ResourceName; readonly by: number }[];
}

interface LayerEntry extends Readonly<Cost> {
  readonly node: LayerNode;
  readonly cycles: number;
}

export class ResourceModel {
  private readonly memo: Map<number, LayerEntry>[];
  private readonly top: Cost;
  private readonly scheduled: boolean[];
  /** Per layer, the indices of its producers. */
  private readonly producers: number[][];
  /** Layer rebuilds so far (memo misses). */
  misses = 0;

  constructor(
    readonly space: SearchSpace,
    private readonly variants: LayerVariants,
  ) {
    const d = space.design;
    this.memo = d.layers.map(() => new Map());
    const index = new Map(d.layers.map((l) => [l.path, l.index]));
    this.producers = d.layers.map((l) => l.inputs.map((i) => index.get(i.from)!));
    this.scheduled = d.layers.map((l) => l.role === 'scheduled');
    const t = estimateDesign(d).top;
    this.top = { lut: t.lut, ff: t.ff, lutram: t.lutram, bram18: t.bram18, dsp: t.dsp };
  }

  /** The layer nodes of a candidate (rebuilt where not cached), in order. */
  nodes(c: Candidate): LayerNode[] {
    const bits = new Array<number>(this.memo.length);
    const out: LayerNode[] = [];
    for (let i = 0; i < this.memo.length; i++) {
      const e = this.layer(c, i, bits);
      bits[i] = e.node.output.bits;
      out.push(e.node);
    }
    return out;
  }

  cost(c: Candidate): CandidateCost {
    const d = this.space.design;
    let lut = this.top.lut;
    let ff = this.top.ff;
    let lutram = this.top.lutram;
    let bram18 = this.top.bram18;
    let dsp = this.top.dsp;
    let cycles = 0;
    const bits = new Array<number>(this.memo.length);
    for (let i = 0; i < this.memo.length; i++) {
      const e = this.layer(c, i, bits);
      bits[i] = e.node.output.bits;
      lut += e.lut;
      ff += e.ff;
      lutram += e.lutram;
      bram18 += e.bram18;
      dsp += e.dsp;
      if (this.scheduled[i]) cycles += e.cycles + HANDOFF_CYCLES_PER_LAYER;
    }
    const totals = { lut, ff, lutram, bram18, dsp };
    const over: { resource: ResourceName; by: number }[] = [];
    for (const r of RESOURCES) if (totals[r] > d.limits[r]) over.push({ resource: r, by: d.limits[r] === 0 ? Infinity : (totals[r] - d.limits[r]) / d.limits[r] });
    return { ...totals, cycles, fits: over.length === 0, over };
  }

  private layer(c: Candidate, i: number, bits: number[]): LayerEntry {
    const own = this.space.layerGenes[i]!;
    const from = this.producers[i]!;
    // A number, not a string: 5 bits per option index (< 32 options) and per producer width (≤ 16), at most
    // 5 genes and a few producers, well within 2^53.
    let key = 0;
    for (let k = 0; k < own.length; k++) key = key * 32 + c[own[k]!]!;
    for (let k = 0; k < from.length; k++) key = key * 32 + bits[from[k]!]!;
    const memo = this.memo[i]!;
    let e = memo.get(key);
    if (e === undefined) {
      this.misses++;
      const node = this.variants.layer(i, settingsOf(this.space, c, i), from.map((p) => bits[p]!));
      const est = estimateLayer(node);
      e = { node, lut: est.lut, ff: est.ff, lutram: est.lutram, bram18: est.bram18, dsp: est.dsp, cycles: est.cycles };
      memo.set(key, e);
    }
    return e;
  }
}
