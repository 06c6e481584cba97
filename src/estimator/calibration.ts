/**
 * Calibration of the estimator's LUT and FF models against synthesis. The structural model (parts read off
 * the generated hardware) gives raw LUT and FF counts per part group; calibration scales them per
 * (layer kind, group), with factors fitted by bench/calibrate.ts on synthesized layers that are not in the
 * validation suite. LUTRAM, BRAM18, DSP and cycles are counting rules and are never scaled.
 */
import type { LayerKind } from '../dsl/index.js';
import { CALIBRATION } from './calibration.generated.js';
import type { PartGroup } from '../devices/primitives.js';

export type CalibrationUnit = LayerKind | 'top';
export type Factors = Partial<Record<PartGroup, number>>;

export interface Calibration {
  /** Identifies the fit, shown in reports. */
  readonly id: string;
  readonly source: string;
  readonly lut: Partial<Record<CalibrationUnit, Factors>>;
  readonly ff: Partial<Record<CalibrationUnit, Factors>>;
}

export const ACTIVE_CALIBRATION: Calibration = CALIBRATION;
