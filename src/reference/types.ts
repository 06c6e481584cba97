/**
 * The quantized model: integer parameters and the quantization of every tensor. It is the boundary between
 * where parameters come from (synthetic today, imported weights later) and what consumes them: the integer
 * reference model, the VHDL emitters and the test vectors.
 */
import type { LayerKind } from '../dsl/index.js';
import type { ParamsMap } from '../kinds/registry.js';
import type { KindQuantLayer } from '../kinds/types.js';

export type { FloatBatch } from '../kinds/types.js';

/** A quantized layer of kind K. */
export type QuantLayerOf<K extends LayerKind> = KindQuantLayer<K, ParamsMap[K]>;

export type QuantLayers = { [K in LayerKind]: QuantLayerOf<K> };

/** A quantized layer of any kind. */
export type QuantLayer = QuantLayers[LayerKind];

export interface QuantizedModel {
  /** Where the float parameters came from: synthetic (from the seed) or a trained model's file. */
  readonly source: 'synthetic' | 'file';
  readonly seed: number;
  /** In schedule order, keyed by layer path. */
  readonly layers: ReadonlyMap<string, QuantLayer>;
  /** Quantized input windows the whole-model testbench runs (held out of the calibration). */
  readonly testInputs: readonly Int32Array[];
}
