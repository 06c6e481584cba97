/**
 * What a layer kind is, in one typed definition: its IR rules (shapes, derived widths, memories, multiplier),
 * its semantics (float forward, quantization, integer forward) and its hardware binding (which engine runs it,
 * and the plan handed to that engine). Every kind lives in one folder, src/kinds/<kind>/, and is listed once in
 * src/kinds/registry.ts; the types below are parameterised by the kind so that each slice sees its own
 * dimensions and parameters without casts.
 */
import type { AffineParams } from '../arith/index.js';
import type { LayerKind, LayerSpec } from '../dsl/index.js';
import type { EngineBinding } from '../engines/types.js';
import type { DerivedWidths, LayerInput, LayerNodeBase, MemoryNode } from '../ir/types.js';
import type { Rng } from '../util/rng.js';

export type Setting = 'weightBits' | 'outputBits' | 'buffer' | 'weightStorage' | 'multiplier';

/** The builder's description of one layer of kind K. */
export type SpecOf<K extends LayerKind> = LayerSpec & { readonly kind: K };

/** An IR node of kind K with dimensions D. */
export type KindNode<K extends LayerKind, D> = LayerNodeBase & { readonly kind: K; readonly dims: D };

/** The parameters of a kind that has none. */
export type NoParams = Readonly<Record<never, never>>;

/** A parameter memory of a layer before storage is chosen. */
export type MemoryShape = Pick<MemoryNode, 'role' | 'depth' | 'width'>;

export interface KindRules<K extends LayerKind, D> {
  /** Settings that mean something for this kind. */
  readonly settings: readonly Setting[];
  /** A short phrase for error messages, e.g. "has no weights". */
  readonly describe: string;
  dims(spec: SpecOf<K>, inputs: readonly LayerInput[]): D;
  widths(dims: D, inputs: readonly LayerInput[], weightBits: number | undefined, outputBits: number): DerivedWidths;
  memories(dims: D, widths: DerivedWidths, inputs: readonly LayerInput[], outputBits: number): readonly MemoryShape[];
  /** Operand widths of the layer's one multiplier, or undefined when it has none. */
  multiplier(dims: D, widths: DerivedWidths, inputs: readonly LayerInput[], outputBits: number): { aBits: number; bBits: number } | undefined;
}

/** A batch of float tensors: `samples` windows of `elements` values each, sample-major. */
export interface FloatBatch {
  readonly samples: number;
  readonly data: Float64Array;
}

/** A quantized layer of kind K: the quantization of its inputs and output, and its integer parameters P. */
export interface KindQuantLayer<K extends LayerKind, P> {
  readonly path: string;
  readonly kind: K;
  /** Quantization of each input, equal to its producer's output quantization. */
  readonly inputs: readonly AffineParams[];
  readonly output: AffineParams;
  readonly params: P;
}

/** A tensor a trained model gives a kind, named under the layer's module path (PyTorch names: `weight`, `bias`, …). */
export interface TensorSpec {
  readonly name: string;
  readonly shape: readonly number[];
  /** Whether the file may hold it as integers with a per-tensor scale and zero point (quantization-aware training). */
  readonly quantizable?: boolean;
}

/** A tensor read from a weights file: its values as reals, and its integers when the file stored them quantized. */
export interface ImportedTensor {
  readonly values: Float64Array;
  readonly quantized?: { readonly values: Int32Array; readonly scale: number; readonly zeroPoint: number };
}

/**
 * The meaning of a kind, independent of any hardware: files implementing it never import a plan, an engine or
 * VHDL code (test/kinds/registry.test.ts reads their imports), so that the GHDL comparison checks the hardware
 * against an independent description.
 */
export interface KindSemantics<K extends LayerKind, D, F, P> {
  /** Synthetic float parameters (PyTorch-style initialisation), deterministic in the rng. */
  init(node: KindNode<K, D>, rng: Rng): F;
  /** For kinds with trainable parameters: the tensors a weights file gives them, and the float parameters they make. */
  readonly tensors?: {
    specs(node: KindNode<K, D>): readonly TensorSpec[];
    params(node: KindNode<K, D>, tensors: Readonly<Record<string, ImportedTensor>>): F;
  };
  /** Float forward over a batch (calibration). May record statistics of its inputs into `params`. */
  float(node: KindNode<K, D>, params: F, inputs: readonly FloatBatch[]): FloatBatch;
  /**
   * The members of F that `float` records from its inputs (Float64Arrays), so that a stored calibration can
   * restore them without running the float forward again.
   */
  readonly statistics?: readonly (keyof F & string)[];
  /** The output quantization when the kind fixes it; otherwise it is calibrated from the float outputs. */
  fixedOutput?(node: KindNode<K, D>, inputs: readonly AffineParams[]): AffineParams;
  /** Integer parameters from the float ones and the tensors' quantization. */
  quantize(node: KindNode<K, D>, params: F, inputs: readonly AffineParams[], output: AffineParams): P;
  /**
   * The integer-only forward: what the hardware must compute, bit for bit. `inputs` hold one window or several
   * back to back (each input's elements per window, window after window), the output likewise: the search and
   * the evaluation run a layer over a batch of windows in one call.
   */
  int(node: KindNode<K, D>, layer: KindQuantLayer<K, P>, inputs: readonly Int32Array[]): Int32Array;
}

/** A kind kiln can estimate structurally but not build: the capability check refuses it with `reason`. */
export interface NoHardware {
  readonly engine: 'none';
  readonly reason: string;
}

/**
 * Everything about one layer kind. D: its dimensions in the IR; F: its float parameters; P: its integer
 * parameters.
 */
export interface KindDefinition<K extends LayerKind, D, F, P> {
  readonly kind: K;
  readonly rules: KindRules<K, D>;
  readonly semantics: KindSemantics<K, D, F, P>;
  /** The engine that runs the kind, with the plan (from the IR) and the constants (from the parameters) it needs. */
  readonly hardware: EngineBinding<KindNode<K, D>, P> | NoHardware;
}
