/**
 * What each layer kind means structurally: which settings apply to it, its dimensions, derived widths,
 * parameter memories and multiplier. One entry per kind; adding a kind does not compile until it is here.
 */
import { signedBitsFor } from '../devices/mapping.js';
import type { LayerKind, LayerSpec } from '../dsl/index.js';
import type { DerivedWidths, LayerDims, LayerInput, MemoryNode } from './types.js';

/** Signed width of every requantization multiplier m (m is kept in [2^14, 2^15), so the relative error of
 * m·2^-n against the real factor is below 2^-15 ≈ 3·10⁻⁵). */
export const REQUANT_MULTIPLIER_BITS = 16;
/**
 * Fraction bits of the softmax exponential table, E[k] = round(2^f · e^(−s·k)): at least 16, and 4 more than
 * the output width so the table's resolution stays well below one output step. Entries are f + 1 bits.
 */
export function softmaxExpFractionBits(outputBits: number): number {
  return Math.max(16, outputBits + 4);
}

export type Setting = 'weightBits' | 'outputBits' | 'buffer' | 'weightStorage' | 'multiplier';

export interface KindRules {
  /** Settings that mean something for this kind. */
  readonly settings: readonly Setting[];
  /** A short phrase for error messages, e.g. "has no weights". */
  readonly describe: string;
  dims(spec: LayerSpec, inputs: readonly LayerInput[]): LayerDims;
  widths(dims: LayerDims, inputs: readonly LayerInput[], weightBits: number | undefined, outputBits: number): DerivedWidths;
  memories(dims: LayerDims, widths: DerivedWidths, inputs: readonly LayerInput[], outputBits: number): readonly Pick<MemoryNode, 'role' | 'depth' | 'width'>[];
  multiplier(dims: LayerDims, widths: DerivedWidths, inputs: readonly LayerInput[]): { aBits: number; bBits: number } | undefined;
}

const M = REQUANT_MULTIPLIER_BITS;
const maxMag = (bits: number) => (1n << BigInt(bits)) - 1n; // |x − z| for signed b-bit x and z
const inBits = (inputs: readonly LayerInput[], i = 0) => inputs[i]!.bits;
const rowsCols = (spec: LayerSpec) => ({ rows: spec.shape[0]!, cols: spec.shape[1]! });

/** Widths of a MAC over `n` products of (a − z_a)(b − z_b), plus an optional bias of (a+1)+(b+1) bits. */
function macWidths(aBits: number, bBits: number, n: number, withBias: boolean): DerivedWidths {
  const pmax = maxMag(aBits) * maxMag(bBits);
  const bias = withBias ? aBits + 1 + (bBits + 1) : undefined;
  const biasMax = bias === undefined ? 0n : 1n << BigInt(bias - 1);
  return {
    weight: bBits,
    ...(bias === undefined ? {} : { bias }),
    product: signedBitsFor(pmax),
    acc: signedBitsFor(BigInt(n) * pmax + biasMax),
    requantMultiplier: M,
  };
}

const noMemories = () => [] as const;
const none = () => undefined;

export const KIND_RULES = {
  input: {
    settings: ['outputBits', 'buffer'],
    describe: 'is the model input',
    dims: (spec) => ({ kind: 'input', ...rowsCols(spec) }),
    widths: () => ({}),
    memories: noMemories,
    multiplier: none,
  },
  linear: {
    settings: ['weightBits', 'outputBits', 'buffer', 'weightStorage', 'multiplier'],
    describe: 'is a linear layer',
    dims: (spec, inputs) => ({
      kind: 'linear',
      rows: spec.shape[0]!,
      inFeatures: inputs[0]!.shape[1]!,
      outFeatures: spec.shape[1]!,
      bias: spec.kind === 'linear' ? spec.bias : true,
    }),
    widths: (dims, inputs, wb) => macWidths(inBits(inputs), wb!, (dims as { inFeatures: number }).inFeatures, (dims as { bias: boolean }).bias),
    memories: (dims, w) => {
      const d = dims as Extract<LayerDims, { kind: 'linear' }>;
      const weights = { role: 'weights' as const, depth: d.inFeatures * d.outFeatures, width: w.weight! };
      return d.bias ? [weights, { role: 'bias' as const, depth: d.outFeatures, width: w.bias! }] : [weights];
    },
    multiplier: (_d, w, inputs) => ({ aBits: Math.max(inBits(inputs) + 1, w.acc!), bBits: Math.max(w.weight! + 1, M) }),
  },
  posenc: {
    settings: ['weightBits', 'outputBits', 'buffer', 'weightStorage', 'multiplier'],
    describe: 'adds a positional-encoding table',
    dims: (spec) => ({ kind: 'posenc', ...rowsCols(spec) }),
    widths: (_d, inputs, wb) => ({ weight: wb!, acc: signedBitsFor(2n * maxMag(Math.max(inBits(inputs), wb!)) * maxMag(M - 1)), requantMultiplier: M }),
    memories: (dims, w) => {
      const d = dims as { rows: number; cols: number };
      return [{ role: 'table', depth: d.rows * d.cols, width: w.weight! }];
    },
    multiplier: (_d, w, inputs) => ({ aBits: Math.max(inBits(inputs), w.weight!) + 1, bBits: M }),
  },
  matmul: {
    settings: ['outputBits', 'buffer', 'multiplier'],
    describe: 'multiplies two activations and has no weights',
    dims: (spec, inputs) => {
      if (spec.kind !== 'matmul') throw new Error('matmul rules applied to ' + spec.kind);
      const dHead = inputs[1]!.shape[1]! / spec.heads;
      return spec.mode === 'scores'
        ? { kind: 'matmul', mode: 'scores', heads: spec.heads, rows: spec.shape[1]!, cols: spec.shape[2]!, inner: dHead }
        : { kind: 'matmul', mode: 'context', heads: spec.heads, rows: spec.shape[0]!, cols: dHead, inner: inputs[0]!.shape[2]! };
    },
    widths: (dims, inputs) => {
      const { weight: _unused, ...rest } = macWidths(inBits(inputs, 0), inBits(inputs, 1), (dims as { inner: number }).inner, false);
      void _unused;
      return rest;
    },
    memories: noMemories,
    multiplier: (_d, w, inputs) => ({ aBits: Math.max(inBits(inputs, 0) + 1, w.acc!), bBits: Math.max(inBits(inputs, 1) + 1, M) }),
  },
  softmax: {
    settings: ['outputBits', 'buffer', 'weightStorage'],
    describe: 'is a softmax (its only memory is the exponential table)',
    dims: (spec) => ({ kind: 'softmax', rows: spec.shape.slice(0, -1).reduce((a, b) => a * b, 1), cols: spec.shape[spec.shape.length - 1]! }),
    widths: (dims, _inputs, _wb, outputBits) => ({ acc: softmaxExpFractionBits(outputBits) + 1 + Math.ceil(Math.log2((dims as { cols: number }).cols)) + 1 }),
    memories: (_d, _w, inputs, outputBits) => [{ role: 'table', depth: 2 ** inBits(inputs), width: softmaxExpFractionBits(outputBits) + 1 }],
    multiplier: none,
  },
  add: {
    settings: ['outputBits', 'buffer', 'multiplier'],
    describe: 'adds two activations and has no weights',
    dims: (spec) => ({ kind: 'add', ...rowsCols(spec) }),
    widths: (_d, inputs) => ({ acc: signedBitsFor(2n * maxMag(Math.max(inBits(inputs, 0), inBits(inputs, 1))) * maxMag(M - 1)), requantMultiplier: M }),
    memories: noMemories,
    multiplier: (_d, _w, inputs) => ({ aBits: Math.max(inBits(inputs, 0), inBits(inputs, 1)) + 1, bBits: M }),
  },
  batchnorm: {
    settings: ['weightBits', 'outputBits', 'buffer', 'weightStorage', 'multiplier'],
    describe: 'is a folded batch norm',
    dims: (spec) => ({ kind: 'batchnorm', ...rowsCols(spec) }),
    widths: (_d, inputs, wb) => macWidths(inBits(inputs), wb!, 1, true),
    memories: (dims, w) => {
      const d = dims as { cols: number };
      return [
        { role: 'weights', depth: d.cols, width: w.weight! },
        { role: 'bias', depth: d.cols, width: w.bias! },
      ];
    },
    multiplier: (_d, w, inputs) => ({ aBits: Math.max(inBits(inputs) + 1, w.acc!), bBits: Math.max(w.weight! + 1, M) }),
  },
  layernorm: {
    settings: ['weightBits', 'outputBits', 'buffer', 'weightStorage', 'multiplier'],
    describe: 'is a layer norm',
    dims: (spec) => ({ kind: 'layernorm', ...rowsCols(spec) }),
    widths: (dims, inputs, wb) => {
      // Row statistics: Σ(x − mean)² over cols needs 2(b+1) + log2(cols) bits.
      const cols = (dims as { cols: number }).cols;
      const affine = macWidths(inBits(inputs), wb!, 1, true);
      const sq = signedBitsFor(BigInt(cols) * maxMag(inBits(inputs) + 1) ** 2n);
      return { ...affine, acc: Math.max(affine.acc!, sq) };
    },
    memories: (dims, w) => {
      const d = dims as { cols: number };
      return [
        { role: 'weights', depth: d.cols, width: w.weight! },
        { role: 'bias', depth: d.cols, width: w.bias! },
      ];
    },
    multiplier: (_d, w, inputs) => ({ aBits: Math.max(inBits(inputs) + 2, w.acc!), bBits: Math.max(w.weight! + 1, M) }),
  },
  relu: {
    settings: [],
    describe: 'is applied on read and keeps its input\'s width and buffer',
    dims: (spec) => ({ kind: 'relu', ...rowsCols(spec) }),
    widths: () => ({}),
    memories: noMemories,
    multiplier: none,
  },
  avgpool: {
    settings: ['outputBits', 'buffer', 'multiplier'],
    describe: 'averages over time and has no weights',
    dims: (spec, inputs) => ({ kind: 'avgpool', window: inputs[0]!.shape[0]!, cols: spec.shape[1]! }),
    widths: (dims, inputs) => ({ acc: signedBitsFor(BigInt((dims as { window: number }).window) * maxMag(inBits(inputs))), requantMultiplier: M }),
    memories: noMemories,
    multiplier: (_d, w) => ({ aBits: w.acc!, bBits: M }),
  },
} as const satisfies Record<LayerKind, KindRules>;

export function kindRules(kind: LayerKind): KindRules {
  return KIND_RULES[kind];
}
