/**
 * Estimator: per-layer LUT, FF, LUTRAM, BRAM18, DSP and cycles from the IR alone, then totals, utilisation
 * against the budgeted device and the fit verdict. Pure and fast: no I/O, no emitter, no tool.
 */
import { RESOURCES, type ResourceName } from '../dsl/index.js';
import type { LayerNode, ResolvedDesign } from '../ir/types.js';
import { KIND_ESTIMATORS } from './kinds/index.js';
import { sum, type Cost, type Part } from './primitives.js';
import { topParts } from './top.js';
import { ACTIVE_CALIBRATION, factor, type Calibration, type CalibrationUnit } from './calibration.js';

export const ESTIMATOR_VERSION = 'v1';
/** Cycles the top level spends handing `enable` from one layer's `done` to the next. */
export const HANDOFF_CYCLES_PER_LAYER = 1;

export interface LayerEstimate extends Cost {
  readonly path: string;
  readonly kind: LayerNode['kind'];
  readonly cycles: number;
  readonly parts: readonly Part[];
}

export interface Estimate {
  readonly estimator: string;
  readonly layers: readonly LayerEstimate[];
  /** The top level's own logic: schedule and read-address multiplexers. */
  readonly top: Cost & { readonly parts: readonly Part[] };
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

/**
 * Sum of parts with calibration applied: LUT = LUTRAM LUTs (exact) + k_lut · other LUTs, FF = k_ff · FF, the
 * factors chosen by (unit, part group).
 */
export function calibratedCost(parts: readonly Part[], unit: CalibrationUnit, calibration: Calibration = ACTIVE_CALIBRATION): Cost {
  const c = sum([]);
  for (const p of parts) {
    c.lut += p.cost.lutram + factor(calibration.lut, unit, p.group) * (p.cost.lut - p.cost.lutram);
    c.ff += factor(calibration.ff, unit, p.group) * p.cost.ff;
    c.lutram += p.cost.lutram;
    c.bram18 += p.cost.bram18;
    c.dsp += p.cost.dsp;
  }
  return roundCost(c);
}

export function estimateLayer(node: LayerNode, calibration: Calibration = ACTIVE_CALIBRATION): LayerEstimate {
  const est = KIND_ESTIMATORS[node.kind];
  const parts = est.parts(node);
  return { path: node.path, kind: node.kind, ...calibratedCost(parts, node.kind, calibration), cycles: est.cycles(node), parts };
}

export function estimateDesign(design: ResolvedDesign, calibration: Calibration = ACTIVE_CALIBRATION): Estimate {
  const layers = design.layers.map((l) => estimateLayer(l, calibration));
  const tp = topParts(design);
  const top = { ...calibratedCost(tp, 'top', calibration), parts: tp };
  const scheduled = layers.filter((l) => l.cycles > 0).length;
  const total = { ...sum([...layers, top]), cycles: layers.reduce((n, l) => n + l.cycles, 0) + scheduled * HANDOFF_CYCLES_PER_LAYER };
  const utilization = Object.fromEntries(
    RESOURCES.map((r) => [r, design.limits[r] === 0 ? (total[r] === 0 ? 0 : Infinity) : total[r] / design.limits[r]]),
  ) as Record<ResourceName, number>;
  const over = RESOURCES.filter((r) => total[r] > design.limits[r]);
  return {
    estimator: `${ESTIMATOR_VERSION} (calibration ${calibration.id})`,
    layers,
    top,
    total,
    latencyUs: total.cycles / design.clockMHz,
    limits: design.limits,
    utilization,
    fits: over.length === 0,
    over,
  };
}

function roundCost(c: Cost): Cost {
  return { lut: Math.round(c.lut), ff: Math.round(c.ff), lutram: Math.round(c.lutram), bram18: c.bram18, dsp: c.dsp };
}

export type { Cost, Part, PartGroup } from './primitives.js';
export { PART_GROUPS } from './primitives.js';
export { ACTIVE_CALIBRATION, type Calibration, type CalibrationUnit } from './calibration.js';
