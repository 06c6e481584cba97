/**
 * The layer-graph IR: the single, frozen description every later stage reads (estimator, reports, reference
 * model, emitters, watch). Nothing downstream looks at the user's config.
 */
import type { Device } from '../devices/index.js';
import type { LayerKind, ResourceName, Shape } from '../dsl/index.js';
import type { EngineName, EngineRole } from '../engines/index.js';
import type { DimsMap } from '../kinds/registry.js';
import type { KindNode } from '../kinds/types.js';
import type { DataSource, QuantizationSource, WeightsSource } from './sources.js';

export const IR_VERSION = 1;

/** Where a setting's value came from, most specific first. */
export type SettingOrigin = 'layers' | 'kinds' | 'defaults' | 'builtin' | 'inherited';

export type ResolvedBufferStorage = 'bram' | 'lutram' | 'registers';
export type ResolvedWeightStorage = 'bram' | 'lutram' | 'logic';

export interface TensorInfo {
  readonly shape: Shape;
  readonly elements: number;
  /** Signed integer width of each element. */
  readonly bits: number;
}

export interface LayerInput extends TensorInfo {
  /** Producer layer path ('input' for the model input). */
  readonly from: string;
}

export interface MemoryNode {
  /** Role within the layer: 'buffer' (its output), 'weights', 'bias', 'scale', 'table'. */
  readonly role: 'buffer' | 'weights' | 'bias' | 'table';
  readonly depth: number;
  readonly width: number;
  readonly storage: ResolvedBufferStorage | ResolvedWeightStorage;
  /** What the config asked for ('auto' when the resolver chose). */
  readonly requested: string;
  readonly origin: SettingOrigin;
  /** Why this storage, when the resolver chose it. */
  readonly reason?: string;
}

export interface MultiplierNode {
  /** Operand widths of the layer's one multiplier (time-shared between products and requantization). */
  readonly aBits: number;
  readonly bBits: number;
  readonly mapping: 'dsp' | 'lut';
  readonly requested: string;
  readonly origin: SettingOrigin;
  readonly reason?: string;
}

/** Widths that follow from the configured ones; never configured directly. */
export interface DerivedWidths {
  readonly weight?: number;
  readonly bias?: number;
  /** Width of one (x − z_x)·(w − z_w) product. */
  readonly product?: number;
  /** Exact accumulator width (no overflow for any input). */
  readonly acc?: number;
  /** Signed width of each requantization multiplier m. */
  readonly requantMultiplier?: number;
}

/** What every layer node holds, whatever its kind (`kind` and `dims` are added per kind). */
export interface LayerNodeBase {
  readonly path: string;
  /** VHDL identifier derived from the path (dots → underscores). */
  readonly name: string;
  /** The engine that runs the layer ('none' for kinds kiln cannot build yet), and how the top level drives it. */
  readonly engine: EngineName | 'none';
  readonly role: EngineRole;
  /** Position in the layer-at-a-time schedule (0 = the model input). */
  readonly index: number;
  readonly inputs: readonly LayerInput[];
  readonly output: TensorInfo;
  readonly widths: DerivedWidths;
  /** Where each configured value came from. */
  readonly origins: { readonly weightBits?: SettingOrigin; readonly outputBits: SettingOrigin };
  /** The output buffer; undefined for layers applied on read (ReLU). */
  readonly buffer?: MemoryNode;
  readonly memories: readonly MemoryNode[];
  readonly multiplier?: MultiplierNode;
  /** Paths of the layers that read this one's output. */
  readonly consumers: readonly string[];
}

export type LayerNodes = { [K in LayerKind]: KindNode<K, DimsMap[K]> };

/** A layer node of kind K, with that kind's dimensions (src/kinds/<kind>/rules.ts). */
export type LayerNodeOf<K extends LayerKind> = LayerNodes[K];

/** A layer node of any kind; narrowing on `kind` gives that kind's dimensions. */
export type LayerNode = LayerNodes[LayerKind];

export interface ResolvedDesign {
  readonly irVersion: typeof IR_VERSION;
  readonly name: string;
  readonly device: Device;
  readonly clockMHz: number;
  /** Fractions of each resource the design may use. */
  readonly budget: Readonly<Record<ResourceName, number>>;
  /** Usable amounts: floor(device capacity × budget). */
  readonly limits: Readonly<Record<ResourceName, number>>;
  readonly weights: WeightsSource;
  /** Real data for calibration and evaluation, when the config names some. */
  readonly data?: DataSource;
  readonly quantization: QuantizationSource;
  readonly accuracy?: { readonly maxRmseIncrease: number };
  /** Layers in schedule order, the model input first. */
  readonly layers: readonly LayerNode[];
  readonly output: string;
}
