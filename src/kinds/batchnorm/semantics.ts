/**
 * Batch norm folded into a per-column affine: w' = γ/√(σ²+ε), b' = β − w'·μ. Without trained running
 * statistics, the float forward records μ and σ² of its calibration inputs. w' is quantized per tensor, b' at
 * s_x·s_w': y = z_y + round(M·((x − z_x)(w'[c] − z_w) + b'[c])), M = s_x·s_w'/s_y.
 */
import { affineParams, chooseMultiplier, quantizeAll, requantizer, type Multiplier } from '../../arith/index.js';
import type { RowsCols } from '../_shared/rules.js';
import { batchOf, minMax, normAffineInit, quantizeBias } from '../_shared/semantics.js';
import type { KindSemantics } from '../types.js';

export const BATCHNORM_EPS = 1e-5;

export interface BatchnormFloat {
  readonly gamma: Float64Array;
  readonly beta: Float64Array;
  /** Per-column mean and variance (PyTorch's running_mean, running_var); recorded by the float forward when absent. */
  mean?: Float64Array;
  variance?: Float64Array;
}

export interface BatchnormParams {
  /** [cols] folded scale γ/√(σ²+ε), quantized per tensor. */
  readonly weights: Int32Array;
  readonly weightZero: number;
  /** [cols] folded bias β − scale·μ at s_x·s_w (integers). */
  readonly bias: Float64Array;
  readonly mult: Multiplier;
}

/** Mean and (biased) variance of every column over all rows of all samples. */
function columnStatistics(x: Float64Array, cols: number, count: number): { mean: Float64Array; variance: Float64Array } {
  const mean = new Float64Array(cols);
  const sq = new Float64Array(cols);
  for (let i = 0; i < x.length; i++) {
    const c = i % cols;
    mean[c] = mean[c]! + x[i]! / count;
    sq[c] = sq[c]! + x[i]! ** 2 / count;
  }
  return { mean, variance: Float64Array.from(mean, (m, c) => Math.max(0, sq[c]! - m ** 2)) };
}

/** The folded affine: scale = γ/√(σ²+ε), shift = β − scale·μ. */
function folded(p: BatchnormFloat): { scale: Float64Array; shift: Float64Array } {
  const scale = Float64Array.from(p.gamma, (g, c) => g / Math.sqrt(p.variance![c]! + BATCHNORM_EPS));
  return { scale, shift: Float64Array.from(p.beta, (b, c) => b - scale[c]! * p.mean![c]!) };
}

export const semantics: KindSemantics<'batchnorm', RowsCols, BatchnormFloat, BatchnormParams> = {
  init: ({ dims }, rng) => normAffineInit(dims.cols, rng),
  tensors: {
    specs: ({ dims: { cols } }) => ['weight', 'bias', 'running_mean', 'running_var'].map((name) => ({ name, shape: [cols] })),
    params: (_node, t) => ({ gamma: t.weight!.values, beta: t.bias!.values, mean: t.running_mean!.values, variance: t.running_var!.values }),
  },
  statistics: ['mean', 'variance'],
  float(node, p, [x]) {
    const { rows, cols } = node.dims;
    if (!p.mean || !p.variance) Object.assign(p, columnStatistics(x!.data, cols, x!.samples * rows));
    const { scale, shift } = folded(p);
    const out = batchOf(x!.samples, rows * cols);
    for (let i = 0; i < out.data.length; i++) out.data[i] = x!.data[i]! * scale[i % cols]! + shift[i % cols]!;
    return out;
  },
  quantize(node, p, [xq], yq) {
    const { scale, shift } = folded(p);
    const { min, max } = minMax(scale);
    const wq = affineParams(min, max, node.widths.weight!);
    return {
      weights: quantizeAll(scale, wq),
      weightZero: wq.zeroPoint,
      bias: quantizeBias(shift, xq!.scale * wq.scale, node.widths.bias!),
      mult: chooseMultiplier((xq!.scale * wq.scale) / yq.scale),
    };
  },
  int(node, layer, [x]) {
    const q = layer.params;
    const cols = node.dims.cols;
    const zx = layer.inputs[0]!.zeroPoint;
    const out = new Int32Array(x!.length);
    const requant = requantizer(q.mult, layer.output.zeroPoint, layer.output.bits);
    for (let e = 0; e < out.length; e++) {
      const c = e % cols;
      out[e] = requant((x![e]! - zx) * (q.weights[c]! - q.weightZero) + q.bias[c]!);
    }
    return out;
  },
};
