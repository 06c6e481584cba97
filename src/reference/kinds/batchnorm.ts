/**
 * Batch norm folded into a per-column affine: w' = γ/√(σ²+ε), b' = β − w'·μ (statistics of the calibration
 * data stand in for trained running statistics). w' is quantized per tensor, b' at s_x·s_w':
 * y = z_y + round(M·((x − z_x)(w'[c] − z_w) + b'[c])), M = s_x·s_w'/s_y.
 */
import { affineParams, chooseMultiplier, quantizeAll, requantizer } from '../../arith/index.js';
import type { KindSemantics } from '../types.js';
import { batchOf, minMax, normAffineInit, quantizeBias } from './_shared.js';

export const BATCHNORM_EPS = 1e-5;

export const batchnorm: KindSemantics = {
  init: (node, rng) => normAffineInit(node.output.shape[1]!, rng),
  statistics: ['scale', 'shift'],
  float(node, p, [x]) {
    const [rows, cols] = [node.output.shape[0]!, node.output.shape[1]!];
    const n = rows * cols;
    if (!p.scale) {
      const mean = new Float64Array(cols);
      const sq = new Float64Array(cols);
      const count = x!.samples * rows;
      for (let i = 0; i < x!.data.length; i++) {
        const c = i % cols;
        mean[c] = mean[c]! + x!.data[i]! / count;
        sq[c] = sq[c]! + x!.data[i]! ** 2 / count;
      }
      const gamma = p.gamma as Float64Array;
      const beta = p.beta as Float64Array;
      p.scale = Float64Array.from(gamma, (g, c) => g / Math.sqrt(Math.max(0, sq[c]! - mean[c]! ** 2) + BATCHNORM_EPS));
      p.shift = Float64Array.from(beta, (b, c) => b - (p.scale as Float64Array)[c]! * mean[c]!);
    }
    const scale = p.scale as Float64Array;
    const shift = p.shift as Float64Array;
    const out = batchOf(x!.samples, n);
    for (let i = 0; i < out.data.length; i++) out.data[i] = x!.data[i]! * scale[i % cols]! + shift[i % cols]!;
    return out;
  },
  quantize(node, p, [xq], yq) {
    const scale = p.scale as Float64Array;
    const { min, max } = minMax(scale);
    const wq = affineParams(min, max, node.widths.weight!);
    return {
      kind: 'batchnorm',
      weights: quantizeAll(scale, wq),
      weightZero: wq.zeroPoint,
      bias: quantizeBias(p.shift as Float64Array, xq!.scale * wq.scale, node.widths.bias!),
      mult: chooseMultiplier((xq!.scale * wq.scale) / yq.scale),
    };
  },
  int(node, layer, [x]) {
    const q = layer.params;
    if (q.kind !== 'batchnorm') throw new Error('params mismatch');
    const cols = node.output.shape[1]!;
    const zx = layer.inputs[0]!.zeroPoint;
    const out = new Int32Array(node.output.elements);
    const requant = requantizer(q.mult, layer.output.zeroPoint, layer.output.bits);
    for (let e = 0; e < out.length; e++) {
      const c = e % cols;
      const acc = (x![e]! - zx) * (q.weights[c]! - q.weightZero) + q.bias[c]!;
      out[e] = requant(acc);
    }
    return out;
  },
};
