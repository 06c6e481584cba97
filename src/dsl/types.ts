/**
 * The user-facing configuration types: what an `fpga.config.ts` may say.
 *
 * Everything here is checked again at run time by `resolveDesign()` (plain JavaScript configs have no
 * type checker), so each union below has a runtime twin in `./vocabulary.ts`.
 */
import type { DeviceId } from '../devices/index.js';
import type { Model } from './model.js';
import type { BitWidth, BufferStorage, LayerKind, MultiplierMapping, ResourceName, WeightStorage } from './vocabulary.js';

export type { BitWidth, BufferStorage, LayerKind, MultiplierMapping, ResourceName, WeightStorage } from './vocabulary.js';

/**
 * Per-layer choices. The same shape is used at three levels, later wins:
 * `defaults` (the whole model) → `kinds[kind]` → `layers[path]`.
 */
export interface LayerSettings {
  /** Width of the layer's stored parameters (weights, folded norm scales, the positional table), 2..16. */
  weightBits?: BitWidth;
  /** Width of the layer's output activations, 2..16. Consumers read this width. */
  outputBits?: BitWidth;
  /** Where the layer's output buffer lives. */
  buffer?: BufferStorage;
  /** Where the layer's weight and bias memories live. */
  weightStorage?: WeightStorage;
  /** How the layer's multiplier is built: a DSP48E1 slice or LUT fabric. */
  multiplier?: MultiplierMapping;
}

/** Fraction (0, 1] of each device resource the design may use; one number applies to all. */
export type Budget = number | Partial<Record<ResourceName, number>>;

/** Deterministic synthetic parameters (PyTorch-style random weights). */
export interface SyntheticWeights {
  seed: number;
}

/** A trained model's weights. */
export interface FileWeights<P extends string = string> {
  /** A `.safetensors` or `.onnx` file, relative to the config file. Tensors are named `<layer path>.weight` etc. */
  file: string;
  /** Where a layer's tensors are when not under its own path: a record, or a function of the layer path. */
  map?: { [K in NoInfer<P>]?: string } | ((path: P) => string);
  /** Seed of the random vectors of the layer testbenches. Default 1. */
  seed?: number;
}

/** Windows for calibration and evaluation, from a CSV time series (columns by name, rows in time order). */
export interface CsvData {
  /** The CSV file, relative to the config file: a header row, then one row per time step. */
  csv: string;
  /** Input columns, in the model's feature order (as many as its inputs per step). */
  features: string[];
  /** Column(s) to forecast, one per model output. */
  target: string | string[];
  /** Steps from the last row of a window to its target. Default 1. */
  horizon?: number;
  /** Fractions of the rows, in time order, for train and validation; test gets the rest. Default 0.7 / 0.15. */
  split?: { train?: number; validation?: number };
  /** Normalisation: z-scores with the training split's statistics (default), none, or given per column (features, then targets not among them). */
  normalize?: 'train' | 'none' | { mean: number[]; std: number[] };
}

/** Windows and targets given as NumPy arrays: windows [N, window, features], targets [N, outputs] or [N]. */
export interface NpyData {
  npy: { windows: string; targets: string };
  /** Fractions of the windows, in order, for train and validation; test gets the rest. Default 0.7 / 0.15. */
  split?: { train?: number; validation?: number };
  /** The input feature that holds the target, for the persistence baseline (its last value in the window). */
  persistenceFeature?: number;
}

export interface QuantizationSettings {
  /** How activation ranges are observed on the calibration windows. Default 'minmax'. */
  observer?: 'minmax' | { percentile: number };
  /** Training windows used for calibration, spread evenly over the split. Default 256. */
  calibrationWindows?: number;
}

export interface AccuracyBudget {
  /** Largest relative increase of the integer model's test RMSE over the float model's, e.g. 0.05 for 5 %. */
  maxRmseIncrease?: number;
}

export interface KilnConfig<P extends string = string> {
  /** Target device, from the device database (`kiln devices` lists them). */
  device: DeviceId;
  /** Clock frequency in MHz, used to turn cycles into time. Default 100. */
  clockMHz?: number;
  /** Share of each resource the design may use. Default 1 (all of it). */
  budget?: Budget;
  /** The network: `transformer({...})` or any `graph(...)`. */
  model: Model<P>;
  /** Settings for every layer. */
  defaults?: LayerSettings;
  /** Settings per layer kind; override `defaults`. */
  kinds?: Partial<Record<LayerKind, LayerSettings>>;
  /** Settings per layer path; override `kinds`. Keys are checked against the model. */
  layers?: { [K in NoInfer<P>]?: LayerSettings };
  /** Parameter source: a trained model's file, or synthetic weights. Default `{ seed: 1 }` (synthetic). */
  weights?: SyntheticWeights | FileWeights<P>;
  /** Real data: calibration windows for quantization, and the test split `kiln eval` scores. */
  data?: CsvData | NpyData;
  quantization?: QuantizationSettings;
  /** `kiln eval` and `kiln build` exit 1 when the integer model loses more accuracy than this. */
  accuracy?: AccuracyBudget;
}

/** What a config function receives (`defineConfig((env) => ({...}))`). */
export interface ConfigEnv {
  command: 'build' | 'estimate' | 'search' | 'sim' | 'synth' | 'watch';
  mode: string;
}

export type ConfigExport<P extends string = string> = KilnConfig<P> | ((env: ConfigEnv) => KilnConfig<P> | Promise<KilnConfig<P>>);
