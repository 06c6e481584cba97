/**
 * The estimator's measured error, as users see it in report.json, report.md and the console: the figures of
 * the latest committed hold-out run (bench/holdout.ts, models of random shapes that no rule or factor was
 * fitted to). The run writes them into error-bands.generated.ts; until one is committed there are none, and
 * the reports say so rather than quote the calibration suite.
 */
import { ERROR_BANDS } from './error-bands.generated.js';

export interface ErrorBand {
  /** Absolute relative error over the hold-out's layers (median and 90th percentile), in percent. */
  layerMedianPct: number;
  layerP90Pct: number;
  /** Absolute relative error over its whole models (median and maximum), in percent. */
  modelMedianPct: number;
  modelMaxPct: number;
}

export interface ErrorBands {
  /** The hold-out run the figures come from. */
  source: { seed: number; models: number; layers: number; date: string; commit?: string; tools: string };
  lut: ErrorBand;
  ff: ErrorBand;
  /** Share of layers (and of whole models) whose count was exact, in percent. */
  exactLayersPct: { bram18: number; dsp: number; lutram: number };
  exactModelsPct: { bram18: number; dsp: number; lutram: number };
}

/** The latest committed hold-out's figures, or undefined before the first. */
export const estimatorErrorBands = (): ErrorBands | undefined => ERROR_BANDS;

const pct = (x: number) => `${x.toFixed(1)}%`;
const exactText = (x: Record<'bram18' | 'dsp' | 'lutram', number>) =>
  x.bram18 === 100 && x.dsp === 100 && x.lutram === 100 ? 'exact on every' : `exact on ${pct(Math.min(x.bram18, x.dsp, x.lutram))} of`;

/** One sentence: "LUT ±x% per layer (p90), ±y% whole model (max); …", or why there is none. */
export function describeErrorBands(b: ErrorBands | undefined): string {
  if (b === undefined) return 'Estimator error: not yet measured on a hold-out (npm run bench:holdout)';
  const band = (name: string, e: ErrorBand) => `${name} ±${pct(e.layerP90Pct)} per layer (p90), ±${pct(e.modelMaxPct)} whole model (max)`;
  return `Estimator error on a hold-out of ${b.source.models} random models (seed ${b.source.seed}, ${b.source.date}): ${band('LUT', b.lut)}; ${band('FF', b.ff)}; BRAM18, DSP and LUTRAM ${exactText(b.exactLayersPct)} layer`;
}
