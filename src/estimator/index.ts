/**
 * Estimator: per-layer LUT, FF, LUTRAM, BRAM18, DSP and cycles from the IR alone, then totals, utilisation
 * against the budgeted device and the fit verdict. Pure and fast: no I/O, no emitter, no tool; the estimate
 * itself only sums numbers per part group (the parts, with their names, are built on request).
 */
import { GroupSums, PART_GROUPS, PartList, type Cost, type Part } from '../devices/primitives.js';
import { RESOURCES, type ResourceName } from '../dsl/index.js';
import { topParts } from '../engines/top/cost.js';
import { modelCycles } from '../engines/top/plan.js';
import type { LayerNode, ResolvedDesign } from '../ir/types.js';
import { costOf, hardwareOf } from '../kinds/index.js';
import { ACTIVE_CALIBRATION, type Calibration, type CalibrationUnit } from './calibration.js';

export const ESTIMATOR_VERSION = 'v1';

export interface LayerEstimate extends Cost {
  readonly path: string;
  readonly kind: LayerNode['kind'];
  readonly cycles: number;
  /** The blocks of the layer with their raw (uncalibrated) costs; built when read. */
  readonly parts: readonly Part[];
}

export interface Estimate {
  readonly estimator: string;
  readonly layers: readonly LayerEstimate[];
  /**
   * The top-level row: the top level's own logic (schedule, read-address multiplexers) counted structurally,
   * plus the composition correction, a fitted figure for what synthesis of the whole model adds to or saves
   * on the sum of its layers (logic optimised across layer boundaries). `lut`/`ff` are their sum.
   */
  readonly top: Cost & { readonly own: Cost; readonly composition: Cost; readonly parts: readonly Part[] };
  readonly total: Cost & { cycles: number };
  readonly latencyUs: number;
  /** Usable amount of each resource (device × budget). */
  readonly limits: Readonly<Record<ResourceName, number>>;
  /** total / limit per resource. */
  readonly utilization: Readonly<Record<ResourceName, number>>;
  readonly fits: boolean;
  /** Resources whose total exceeds the limit. */
  readonly over: readonly ResourceName[];
}

/** Calibration factors of every unit as arrays indexed like PART_GROUPS (register files are never scaled). */
type FactorTable = Partial<Record<CalibrationUnit, { lut: Float64Array; ff: Float64Array }>>;
const factorTables = new WeakMap<Calibration, FactorTable>();
function factorTable(calibration: Calibration): FactorTable {
  let table = factorTables.get(calibration);
  if (!table) factorTables.set(calibration, (table = {}));
  return table;
}
function factors(table: FactorTable, calibration: Calibration, unit: CalibrationUnit): { lut: Float64Array; ff: Float64Array } {
  let f = table[unit];
  if (!f) {
    const pick = (t: Calibration['lut']) => Float64Array.from(PART_GROUPS, (g) => (g === 'regfile' ? 1 : (t[unit]?.[g] ?? 1)));
    f = table[unit] = { lut: pick(calibration.lut), ff: pick(calibration.ff) };
  }
  return f;
}

/**
 * Calibrated cost from per-group sums: LUT = LUTRAM LUTs (exact) + k_lut · other LUTs, FF = k_ff · FF, the
 * factors chosen by (unit, part group); LUTRAM, BRAM18 and DSP are counts and are not scaled.
 */
function calibrated(sums: GroupSums, unit: CalibrationUnit, calibration: Calibration, table = factorTable(calibration), out: Cost = { lut: 0, ff: 0, lutram: 0, bram18: 0, dsp: 0 }): Cost {
  const { lut: kl, ff: kf } = factors(table, calibration, unit);
  const v = sums.values;
  let lut = 0;
  let ff = 0;
  let lutram = 0;
  let bram18 = 0;
  let dsp = 0;
  for (let g = 0; g < PART_GROUPS.length; g++) {
    const o = g * 5;
    lut += v[o + 2]! + kl[g]! * (v[o]! - v[o + 2]!);
    ff += kf[g]! * v[o + 1]!;
    lutram += v[o + 2]!;
    bram18 += v[o + 3]!;
    dsp += v[o + 4]!;
    // leave the sums at zero for the next unit
    v[o] = v[o + 1] = v[o + 2] = v[o + 3] = v[o + 4] = 0;
  }
  out.lut = Math.round(lut);
  out.ff = Math.round(ff);
  out.lutram = Math.round(lutram);
  out.bram18 = bram18;
  out.dsp = dsp;
  return out;
}

/** The blocks of a layer, with names and raw costs (reports, calibration, debugging). */
export function layerParts(node: LayerNode): Part[] {
  const list = new PartList();
  hardwareOf(node).parts(list);
  return list.parts;
}

class LayerResult implements LayerEstimate {
  lut = 0;
  ff = 0;
  lutram = 0;
  bram18 = 0;
  dsp = 0;
  readonly path: string;
  readonly kind: LayerNode['kind'];
  cycles = 0;
  private readonly node: LayerNode;
  constructor(node: LayerNode) {
    this.path = node.path;
    this.kind = node.kind;
    this.node = node;
  }
  get parts(): Part[] {
    return layerParts(this.node);
  }
  toJSON() {
    return { path: this.path, kind: this.kind, lut: this.lut, ff: this.ff, lutram: this.lutram, bram18: this.bram18, dsp: this.dsp, cycles: this.cycles };
  }
}

/**
 * One scratch sink for every estimate: estimates are synchronous, so it is never shared by two at once, and
 * `calibrated` leaves it zeroed for the next unit.
 */
const scratch = new GroupSums();

export function estimateLayer(node: LayerNode, calibration: Calibration = ACTIVE_CALIBRATION, table = factorTable(calibration)): LayerEstimate {
  let cycles: number;
  try {
    cycles = costOf(node, scratch);
  } catch (err) {
    scratch.values.fill(0); // never leave partial sums behind for the next estimate
    throw err;
  }
  const result = new LayerResult(node);
  calibrated(scratch, node.kind, calibration, table, result);
  result.cycles = cycles;
  return result;
}

export function estimateDesign(design: ResolvedDesign, calibration: Calibration = ACTIVE_CALIBRATION): Estimate {
  const table = factorTable(calibration);
  const layers: LayerEstimate[] = new Array(design.layers.length);
  const total = { lut: 0, ff: 0, lutram: 0, bram18: 0, dsp: 0, cycles: 0 };
  for (let i = 0; i < layers.length; i++) {
    const l = (layers[i] = estimateLayer(design.layers[i]!, calibration, table));
    total.lut += l.lut;
    total.ff += l.ff;
    total.lutram += l.lutram;
    total.bram18 += l.bram18;
    total.dsp += l.dsp;
  }
  topParts(design, scratch);
  // The structural count of the top level's own logic, read before `calibrated` scales and clears the sums.
  const own = rawCost(scratch);
  const top = new TopResult(design, calibrated(scratch, 'top', calibration, table), own);
  total.lut += top.lut;
  total.ff += top.ff;
  total.lutram += top.lutram;
  total.bram18 += top.bram18;
  total.dsp += top.dsp;
  total.cycles = modelCycles(design, (node) => layers[node.index]!.cycles);
  const limits = design.limits;
  const ratio = (r: ResourceName) => (limits[r] === 0 ? (total[r] === 0 ? 0 : Infinity) : total[r] / limits[r]);
  const utilization = { lut: ratio('lut'), ff: ratio('ff'), lutram: ratio('lutram'), bram18: ratio('bram18'), dsp: ratio('dsp') };
  const over: ResourceName[] = [];
  for (const r of RESOURCES) if (total[r] > limits[r]) over.push(r);
  return {
    estimator: estimatorLabel(calibration),
    layers,
    top,
    total,
    latencyUs: total.cycles / design.clockMHz,
    limits,
    utilization,
    fits: over.length === 0,
    over,
  };
}

/** Unscaled totals of a sink's sums (LUT, FF, LUTRAM, BRAM18, DSP over every group). */
export function rawCost(sums: GroupSums): Cost {
  const c: Cost = { lut: 0, ff: 0, lutram: 0, bram18: 0, dsp: 0 };
  const v = sums.values;
  for (let g = 0; g < PART_GROUPS.length; g++) {
    c.lut += v[g * 5]!;
    c.ff += v[g * 5 + 1]!;
    c.lutram += v[g * 5 + 2]!;
    c.bram18 += v[g * 5 + 3]!;
    c.dsp += v[g * 5 + 4]!;
  }
  c.lut = Math.round(c.lut);
  c.ff = Math.round(c.ff);
  return c;
}

class TopResult implements Cost {
  readonly lut: number;
  readonly ff: number;
  readonly lutram: number;
  readonly bram18: number;
  readonly dsp: number;
  readonly own: Cost;
  readonly composition: Cost;
  private readonly design: ResolvedDesign;
  constructor(design: ResolvedDesign, c: Cost, own: Cost) {
    this.lut = c.lut;
    this.ff = c.ff;
    this.lutram = c.lutram;
    this.bram18 = c.bram18;
    this.dsp = c.dsp;
    this.own = own;
    this.composition = { lut: c.lut - own.lut, ff: c.ff - own.ff, lutram: c.lutram - own.lutram, bram18: c.bram18 - own.bram18, dsp: c.dsp - own.dsp };
    this.design = design;
  }
  /** The top level's blocks with their raw costs; built when read. */
  get parts(): Part[] {
    const list = new PartList();
    topParts(this.design, list);
    return list.parts;
  }
  toJSON() {
    return { lut: this.lut, ff: this.ff, lutram: this.lutram, bram18: this.bram18, dsp: this.dsp, own: this.own, composition: this.composition };
  }
}

const labels = new WeakMap<Calibration, string>();
function estimatorLabel(calibration: Calibration): string {
  let label = labels.get(calibration);
  if (label === undefined) labels.set(calibration, (label = `${ESTIMATOR_VERSION} (calibration ${calibration.id})`));
  return label;
}

export type { Cost, Part, PartGroup } from '../devices/primitives.js';
export { PART_GROUPS } from '../devices/primitives.js';
export { ACTIVE_CALIBRATION, type Calibration, type CalibrationUnit } from './calibration.js';
