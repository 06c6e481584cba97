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

/** Deterministic synthetic parameters until real weights can be imported. */
export interface SyntheticWeights {
  seed: number;
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
  /** Parameter source. Default `{ seed: 1 }` (synthetic). */
  weights?: SyntheticWeights;
}

/** What a config function receives (`defineConfig((env) => ({...}))`). */
export interface ConfigEnv {
  command: 'build' | 'estimate' | 'sim' | 'synth' | 'watch';
  mode: string;
}

export type ConfigExport<P extends string = string> = KilnConfig<P> | ((env: ConfigEnv) => KilnConfig<P> | Promise<KilnConfig<P>>);
