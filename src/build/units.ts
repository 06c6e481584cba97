/**
 * Build units and their keys. Every generated file belongs to exactly one unit:
 *
 * | unit            | files                                                                  |
 * |-----------------|------------------------------------------------------------------------|
 * | `<layer path>`  | vhdl/<name>.vhd; with a testbench: sim/<name>_tb.vhd, sim/vectors/<name>.x<p>.txt, .y.txt |
 * | `@arith`        | vhdl/kiln_arith.vhd                                                    |
 * | `@top`          | vhdl/<model>.vhd, vhdl/files.txt                                       |
 * | `@model`        | sim/<model>_tb.vhd, sim/vectors/<model>.x.txt, .y.txt, sim/testbenches.json |
 * | `@reports`      | report.json, report.md                                                 |
 *
 * (`@` cannot occur in a layer path.) A unit's key is the SHA-256 of its *facets*, each the hash of one thing
 * the unit's files are a function of; a changed facet names the reason for a rebuild. The facets are chosen
 * from what each emitter reads (see docs/incremental.md for the table of what invalidates what):
 *
 * - layer: the generator revision; its IR node without the fields only other units read (`consumers`,
 *   `index`, and the `requested`/`origin`/`reason` bookkeeping of storage and multiplier choices); each
 *   input's quantization as produced by its producer; its output quantization; its integer parameters; the
 *   seed of its random test vectors, its expected cycles and what the activations it replays are a function of:
 *   the recorded test windows and the arithmetic of every layer upstream (layers with a testbench).
 * - @arith: the generator revision.
 * - @top: the generator revision; model name, output, device part, clock, weights; the schedule; every
 *   layer's interface (name, kind, producers, widths and sizes of its ports, consumers).
 * - @model: the generator revision; the testbench's interface and expected cycles; the sample input; every
 *   layer's arithmetic (IR dimensions and widths plus its quantized layer: what the reference model computes);
 *   the testbench index.
 * - @reports: the report's rows and its header/totals.
 */
import { recordedWindows, type TestbenchEntry } from '../emitters/vhdl/index.js';
import type { Report } from '../emitters/report.js';
import type { Cost, Estimate, LayerEstimate } from '../estimator/index.js';
import type { LayerNode, MemoryNode, MultiplierNode, ResolvedDesign } from '../ir/types.js';
import { arithmeticKey, paramsHash } from '../reference/index.js';
import type { QuantizedModel } from '../reference/types.js';
import { hashValue } from '../util/hash.js';

export const ARITH_UNIT = '@arith';
export const TOP_UNIT = '@top';
export const MODEL_UNIT = '@model';
export const REPORTS_UNIT = '@reports';

export type UnitKind = 'layer' | 'arith' | 'top' | 'model' | 'reports';
export type SummaryValue = string | number | boolean | null;

export interface UnitPlan {
  readonly id: string;
  readonly kind: UnitKind;
  /** SHA-256 over the facets. */
  readonly key: string;
  /** Facet name → hash of what it covers. */
  readonly facets: Readonly<Record<string, string>>;
  /** Small human-readable values, diffed to word the reason of a rebuild (e.g. `weightBits 8→4`). */
  readonly summary: Readonly<Record<string, SummaryValue>>;
  /** Layers only: the estimate, kept in the manifest for deltas. */
  readonly estimate?: LayerCost;
  /** Layers only: the producer of each input (facet `input<p>`). */
  readonly from?: readonly string[];
}

/** A layer's estimate as the manifest keeps it: the estimator's resources and its cycles. */
export type LayerCost = Cost & { cycles: number };

/** What a unit was the last time it was built (the manifest's record). */
export interface PreviousUnit {
  readonly kind: UnitKind;
  readonly key: string;
  readonly facets: Readonly<Record<string, string>>;
  readonly summary: Readonly<Record<string, SummaryValue>>;
}

export interface UnitContext {
  design: ResolvedDesign;
  estimate: Estimate;
  model: QuantizedModel;
  report: Report;
  generator: string;
  testbenches: readonly TestbenchEntry[];
}

// ───────────────────────────── views of a layer node ─────────────────────────────

const memoryView = (m: MemoryNode) => ({ role: m.role, depth: m.depth, width: m.width, storage: m.storage });
const multiplierView = (m: MultiplierNode) => ({ aBits: m.aBits, bBits: m.bBits, mapping: m.mapping });

/** What the layer's own files can read of its node (not `consumers`, `index`, `origins`, nor why a storage was chosen). */
export function layerKeyView(node: LayerNode) {
  return {
    path: node.path,
    name: node.name,
    kind: node.kind,
    inputs: node.inputs,
    output: node.output,
    dims: node.dims,
    widths: node.widths,
    buffer: node.buffer ? memoryView(node.buffer) : undefined,
    memories: node.memories.map(memoryView),
    multiplier: node.multiplier ? multiplierView(node.multiplier) : undefined,
  };
}

/** What the top level reads of a layer. */
export function interfaceView(node: LayerNode) {
  return {
    name: node.name,
    kind: node.kind,
    inputs: node.inputs.map((i) => ({ from: i.from, bits: i.bits, elements: i.elements })),
    output: { shape: node.output.shape, elements: node.output.elements, bits: node.output.bits },
    consumers: node.consumers,
  };
}

// ───────────────────────────── planning ─────────────────────────────

function plan(id: string, kind: UnitKind, facets: Record<string, string>, summary: Record<string, SummaryValue>, layer?: { estimate: LayerCost; from: readonly string[] }): UnitPlan {
  return { id, kind, key: hashValue(facets), facets, summary, ...(layer ?? {}) };
}

const costOf = (e: LayerEstimate): LayerCost => ({ lut: e.lut, ff: e.ff, lutram: e.lutram, bram18: e.bram18, dsp: e.dsp, cycles: e.cycles });
const shapeText = (shape: readonly number[]) => shape.join('x');

function layerSummary(node: LayerNode, cycles: number, seed: number | undefined): Record<string, SummaryValue> {
  const s: Record<string, SummaryValue> = { kind: node.kind, shape: shapeText(node.output.shape) };
  if (node.widths.weight !== undefined) s.weightBits = node.widths.weight;
  s.outputBits = node.output.bits;
  if (node.buffer) s['storage of buffer'] = node.buffer.storage;
  for (const m of node.memories) s[`storage of ${m.role}`] = m.storage;
  if (node.multiplier) s.multiplier = `${node.multiplier.mapping} ${node.multiplier.aBits}x${node.multiplier.bBits}`;
  if (seed !== undefined) {
    s.cycles = cycles;
    s.seed = seed;
  }
  return s;
}

/** Every unit of a design in emission order: layers, @arith, @top, @model, @reports. */
export function planUnits(ctx: UnitContext): UnitPlan[] {
  const { design, estimate, model, report, generator } = ctx;
  const seed = design.weights.seed;
  const plans: UnitPlan[] = [];
  const estimates = new Map(estimate.layers.map((e) => [e.path, e]));
  const nodes = new Map(design.layers.map((l) => [l.path, l]));
  // Each layer's arithmetic key once: every testbench downstream names it (hashing it per testbench was
  // quadratic in the layers: 6 of a 64-encoder-layer model's 10 s build)
  const arithmetic = new Map<string, string>();
  const arithmeticOf = (path: string) => {
    let k = arithmetic.get(path);
    if (k === undefined) arithmetic.set(path, (k = arithmeticKey(nodes.get(path)!, model.layers.get(path)!)));
    return k;
  };

  // The activations a layer testbench replays are a function of the recorded test windows and of the arithmetic
  // of every layer upstream of it.
  const windows = hashValue(recordedWindows(model.testInputs.length).map((w) => model.testInputs[w]!));
  // One hash over everything upstream, chained through the producers (a facet per upstream layer made the
  // manifest quadratic in the layers: 39 MB for 64 encoder layers); which of them changed is read off the
  // @model unit's `ref:` facets when a rebuild is explained.
  const upstream = new Map<string, string>();
  for (const node of design.layers) upstream.set(node.path, hashValue(node.inputs.map((i) => [i.from, arithmeticOf(i.from), upstream.get(i.from)!])));

  for (const node of design.layers) {
    const q = model.layers.get(node.path)!;
    const est = estimates.get(node.path)!;
    const tb = node.role === 'scheduled';
    const facets: Record<string, string> = { generator, node: hashValue(layerKeyView(node)) };
    q.inputs.forEach((inQ, p) => (facets[`input${p}`] = hashValue({ from: node.inputs[p]!.from, quant: inQ })));
    facets.output = hashValue(q.output);
    facets.params = paramsHash(q);
    if (tb) {
      facets.seed = hashValue(seed);
      facets.cycles = hashValue(est.cycles);
      facets.windows = windows;
      facets.upstream = upstream.get(node.path)!;
    }
    plans.push(plan(node.path, 'layer', facets, layerSummary(node, est.cycles, tb ? seed : undefined), { estimate: costOf(est), from: node.inputs.map((i) => i.from) }));
  }

  plans.push(plan(ARITH_UNIT, 'arith', { generator }, {}));

  const designSummary: Record<string, SummaryValue> = {
    model: design.name,
    device: design.device.part,
    clockMHz: design.clockMHz,
    output: design.output,
    seed,
  };
  const top: Record<string, string> = {
    generator,
    design: hashValue({ name: design.name, output: design.output, part: design.device.part, clockMHz: design.clockMHz, weights: design.weights }),
    schedule: hashValue(design.layers.map((l) => l.path)),
  };
  for (const node of design.layers) top[`if:${node.path}`] = hashValue(interfaceView(node));
  plans.push(plan(TOP_UNIT, 'top', top, designSummary));

  const input = design.layers[0]!;
  const output = design.layers.find((l) => l.path === design.output)!;
  const modelTb = ctx.testbenches.find((t) => t.kind === 'model');
  const modelFacets: Record<string, string> = {
    generator,
    testbench: hashValue({ name: design.name, input: interfaceView(input), output: interfaceView(output), cycles: modelTb?.expectedCycles }),
    sample: hashValue(model.testInputs),
    index: hashValue(ctx.testbenches),
  };
  for (const node of design.layers) modelFacets[`ref:${node.path}`] = arithmeticOf(node.path);
  plans.push(plan(MODEL_UNIT, 'model', modelFacets, { ...designSummary, cycles: modelTb?.expectedCycles ?? null }));

  plans.push(planReports(report));
  return plans;
}

/** The @reports unit alone (a build that writes no hardware plans only it). */
export function planReports(report: Report): UnitPlan {
  const { layers, ...head } = report;
  const reportFacets: Record<string, string> = { report: hashValue(head) };
  for (const row of layers) reportFacets[`row:${row.path}`] = hashValue(row);
  return plan(REPORTS_UNIT, 'reports', reportFacets, {
    kiln: report.kiln,
    config: report.config,
    device: report.device.id,
    budget: Object.values(report.budget).join('/'),
    fits: report.fits,
  });
}

// ───────────────────────────── reasons ─────────────────────────────

const show = (v: SummaryValue | undefined) => (v === undefined || v === null ? 'none' : String(v));

function summaryChanges(prev: PreviousUnit, next: UnitPlan, skip: ReadonlySet<string> = new Set()): string[] {
  const keys = [...new Set([...Object.keys(next.summary), ...Object.keys(prev.summary)])];
  return keys.filter((k) => !skip.has(k) && prev.summary[k] !== next.summary[k]).map((k) => `${k} ${show(prev.summary[k])}→${show(next.summary[k])}`);
}

/** `a, b, c and 2 more` */
function list(items: readonly string[], max = 3): string {
  if (items.length <= max) return items.join(', ');
  return `${items.slice(0, max).join(', ')} and ${items.length - max} more`;
}

/** Facets with a given prefix that were added, removed or changed, by the name after the prefix. */
function prefixed(prev: PreviousUnit, next: UnitPlan, prefix: string): { added: string[]; removed: string[]; changed: string[] } {
  const names = (f: Readonly<Record<string, string>>) => Object.keys(f).filter((k) => k.startsWith(prefix));
  const before = new Set(names(prev.facets));
  const after = names(next.facets);
  return {
    added: after.filter((k) => !before.has(k)).map((k) => k.slice(prefix.length)),
    removed: [...before].filter((k) => !(k in next.facets)).map((k) => k.slice(prefix.length)),
    changed: after.filter((k) => before.has(k) && prev.facets[k] !== next.facets[k]).map((k) => k.slice(prefix.length)),
  };
}

/**
 * Why `next` must be rebuilt given what it was last time (`prev` has a different key, or is missing).
 * `upstreamChanged`: the layers upstream of a layer whose arithmetic changed, in schedule order.
 */
export function describeChange(prev: PreviousUnit | undefined, next: UnitPlan, upstreamChanged: readonly string[] = []): string {
  if (!prev) return next.kind === 'layer' ? 'new layer' : 'new unit';
  if (prev.kind !== next.kind) return `was a ${prev.kind} unit`;
  const reasons: string[] = [];
  const changed = (f: string) => prev.facets[f] !== next.facets[f];
  if ('generator' in next.facets && changed('generator')) reasons.push('generator changed');
  switch (next.kind) {
    case 'layer': {
      reasons.push(...summaryChanges(prev, next, new Set(['kind'])));
      for (const f of Object.keys(next.facets).filter((k) => /^input\d+$/.test(k))) {
        if (changed(f)) reasons.push(`input quantization changed (from ${next.from?.[Number(f.slice(5))] ?? 'its producer'})`);
      }
      if (changed('output') && prev.summary.outputBits === next.summary.outputBits) reasons.push('output quantization changed (calibration)');
      if (reasons.length === 0 && changed('params')) reasons.push('parameters changed');
      if (reasons.length === 0 && changed('upstream')) reasons.push(upstreamChanged.length > 0 ? `replayed activations depend on ${list(upstreamChanged)}` : 'layers upstream changed');
      if (reasons.length === 0 && changed('windows')) reasons.push('recorded test windows changed');
      if (reasons.length === 0 && changed('node')) reasons.push('IR node changed');
      break;
    }
    case 'top': {
      reasons.push(...summaryChanges(prev, next));
      const l = prefixed(prev, next, 'if:');
      if (l.added.length) reasons.push(`layer${l.added.length > 1 ? 's' : ''} ${list(l.added)} added`);
      if (l.removed.length) reasons.push(`layer${l.removed.length > 1 ? 's' : ''} ${list(l.removed)} removed`);
      if (l.changed.length) reasons.push(`interface of ${list(l.changed)} changed`);
      if (reasons.length === 0 && changed('schedule')) reasons.push('schedule changed');
      break;
    }
    case 'model': {
      reasons.push(...summaryChanges(prev, next));
      const l = prefixed(prev, next, 'ref:');
      if (l.added.length) reasons.push(`layer${l.added.length > 1 ? 's' : ''} ${list(l.added)} added`);
      if (l.removed.length) reasons.push(`layer${l.removed.length > 1 ? 's' : ''} ${list(l.removed)} removed`);
      if (l.changed.length) reasons.push(`expected output depends on ${list(l.changed)}`);
      if (reasons.length === 0 && changed('sample')) reasons.push('sample input changed');
      if (reasons.length === 0 && changed('index')) reasons.push('testbench index changed');
      break;
    }
    case 'reports': {
      reasons.push(...summaryChanges(prev, next));
      const r = prefixed(prev, next, 'row:');
      if (r.added.length) reasons.push(`layer${r.added.length > 1 ? 's' : ''} ${list(r.added)} added`);
      if (r.removed.length) reasons.push(`layer${r.removed.length > 1 ? 's' : ''} ${list(r.removed)} removed`);
      if (r.changed.length) reasons.push(`row${r.changed.length > 1 ? 's' : ''} of ${list(r.changed)} changed`);
      if (changed('report') && reasons.length === 0) reasons.push('totals changed');
      break;
    }
    case 'arith':
      break;
  }
  return reasons.length > 0 ? reasons.join(', ') : 'key changed';
}
