/**
 * The quantized model: integer parameters and the quantization of every tensor. It is the boundary between
 * where parameters come from (synthetic today, imported weights later) and what consumes them: the integer
 * reference model, the VHDL emitters and the test vectors.
 */
import type { AffineParams, Multiplier } from '../arith/index.js';
import type { LayerNode } from '../ir/types.js';

/** Integer parameters of one layer, by kind. Arrays are row-major. */
export type LayerParams =
  | { readonly kind: 'input' }
  | {
      readonly kind: 'linear';
      /** [out][in] raw weights; the zero point is subtracted at run time. */
      readonly weights: Int32Array;
      readonly weightZero: number;
      /** [out] biases at scale s_x·s_w (integers; up to 34 bits, so not an Int32Array), or undefined without bias. */
      readonly bias: Float64Array | undefined;
      readonly mult: Multiplier;
    }
  | {
      readonly kind: 'posenc';
      /** [rows][cols] quantized sinusoidal table. */
      readonly table: Int32Array;
      readonly tableZero: number;
      /** y = z_y + round((m1·(x − z_x) + m2·(t − z_t)) / 2^shift) */
      readonly m1: number;
      readonly m2: number;
      readonly shift: number;
    }
  | { readonly kind: 'matmul'; readonly mult: Multiplier }
  | {
      readonly kind: 'softmax';
      /** E[k] = round(2^f · e^(−s_x·k)) for k = max − x, k = 0 … 2^b_x − 1, f = softmaxExpFractionBits(b_y). */
      readonly expTable: Int32Array;
    }
  | { readonly kind: 'add'; readonly m1: number; readonly m2: number; readonly shift: number }
  | {
      readonly kind: 'batchnorm';
      /** [cols] folded scale γ/√(σ²+ε), quantized per tensor. */
      readonly weights: Int32Array;
      readonly weightZero: number;
      /** [cols] folded bias β − scale·μ at s_x·s_w (integers). */
      readonly bias: Float64Array;
      readonly mult: Multiplier;
    }
  | { readonly kind: 'layernorm' }
  | { readonly kind: 'relu' }
  | { readonly kind: 'avgpool'; readonly mult: Multiplier };

export interface QuantLayer {
  readonly path: string;
  readonly kind: LayerNode['kind'];
  /** Quantization of each input, equal to its producer's output quantization. */
  readonly inputs: readonly AffineParams[];
  readonly output: AffineParams;
  readonly params: LayerParams;
}

export interface QuantizedModel {
  readonly source: 'synthetic';
  readonly seed: number;
  /** In schedule order, keyed by layer path. */
  readonly layers: ReadonlyMap<string, QuantLayer>;
  /** A quantized input window from the same synthetic distribution the parameters were calibrated on. */
  readonly sampleInput: Int32Array;
}

/** Synthetic float parameters of a layer, kind-specific (opaque outside the kind's module). */
export type FloatParams = Record<string, unknown>;

/** A batch of float tensors: `samples` windows of `elements` values each, sample-major. */
export interface FloatBatch {
  readonly samples: number;
  readonly data: Float64Array;
}

export interface KindSemantics {
  /** Synthetic float parameters (PyTorch-style initialisation). */
  init(node: LayerNode, rng: import('./rng.js').Rng): FloatParams;
  /** Float forward over a batch, used to calibrate output ranges. May record statistics into `params`. */
  float(node: LayerNode, params: FloatParams, inputs: readonly FloatBatch[]): FloatBatch;
  /**
   * The `params` members (Float64Arrays) that `float` records from its inputs, so that a stored calibration
   * (src/watch/quantize.ts) can restore them without running the float forward again.
   */
  readonly statistics?: readonly string[];
  /** The output quantization when the kind fixes it; otherwise it is calibrated from the float outputs. */
  fixedOutput?(node: LayerNode, inputs: readonly AffineParams[]): AffineParams;
  /** Integer parameters from the float ones and the tensors' quantization. */
  quantize(node: LayerNode, params: FloatParams, inputs: readonly AffineParams[], output: AffineParams): LayerParams;
  /** The integer-only forward: what the hardware must compute, bit for bit. */
  int(node: LayerNode, layer: QuantLayer, inputs: readonly Int32Array[]): Int32Array;
}
