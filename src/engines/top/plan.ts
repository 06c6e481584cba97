/**
 * The top level's plan, from the IR alone: the layers that occupy a stage of the layer-at-a-time schedule, and
 * for every buffer the reads of it (which consumer port, during which stages; the host reads the output after
 * the last stage). Read by the top-level VHDL writer (vhdl.ts) and its cost model (cost.ts).
 */
import type { LayerNode, ResolvedDesign } from '../../ir/types.js';

export interface TopRead {
  /** The reading port's address signal (`<consumer>_x<p>_addr`, or `out_addr` for the host). */
  readonly address: string;
  /** Stages during which it reads; undefined for the host, which reads after the last one. */
  readonly stages?: readonly number[];
}

export interface TopPlan {
  /** Layers that occupy a stage, in schedule order (the input is written by the host, ReLU applied on read). */
  readonly scheduled: readonly LayerNode[];
  readonly stageOf: ReadonlyMap<string, number>;
  /** Per layer path, the reads of its output port. */
  readonly reads: ReadonlyMap<string, readonly TopRead[]>;
}

const plans = new WeakMap<ResolvedDesign, TopPlan>();

export function topPlan(design: ResolvedDesign): TopPlan {
  let plan = plans.get(design);
  if (!plan) plans.set(design, (plan = makePlan(design)));
  return plan;
}

/** Read ports of a layer's output: one per consumer port (a layer reading it twice counts twice), plus the host's for the model output. */
export function readerCount(design: ResolvedDesign, node: LayerNode): number {
  return node.consumers.length + (node.path === design.output ? 1 : 0);
}

function makePlan(design: ResolvedDesign): TopPlan {
  const byPath = new Map(design.layers.map((l) => [l.path, l]));
  const scheduled = design.layers.filter((l) => l.role === 'scheduled');
  const stageOf = new Map(scheduled.map((l, i) => [l.path, i]));
  /** Stages during which a node's read port is used by its (transitive, through on-read layers) consumers. */
  const readerStages = (path: string): number[] => byPath.get(path)!.consumers.flatMap((c) => (stageOf.has(c) ? [stageOf.get(c)!] : readerStages(c)));
  const reads = new Map<string, TopRead[]>();
  for (const l of design.layers) {
    const list: TopRead[] = [];
    // one entry in `consumers` per reading port (a layer reading a buffer twice is listed twice)
    for (const c of new Set(l.consumers)) {
      const cn = byPath.get(c)!;
      cn.inputs.forEach((inp, p) => {
        if (inp.from === l.path) list.push({ address: `${cn.name}_x${p}_addr`, stages: stageOf.has(c) ? [stageOf.get(c)!] : readerStages(c) });
      });
    }
    if (l.path === design.output) list.push({ address: 'out_addr' });
    reads.set(l.path, list);
  }
  return { scheduled, stageOf, reads };
}

/** Cycles the top level spends handing `enable` from one layer's `done` to the next. */
export const HANDOFF_CYCLES_PER_LAYER = 1;

/** Cycles of one inference: every scheduled layer plus the hand-off after it. */
export function modelCycles(design: ResolvedDesign, cyclesOf: (node: LayerNode) => number): number {
  let n = 0;
  for (const l of design.layers) if (l.role === 'scheduled') n += cyclesOf(l) + HANDOFF_CYCLES_PER_LAYER;
  return n;
}
