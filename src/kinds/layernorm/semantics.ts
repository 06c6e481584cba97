/**
 * Layer norm, y = (x − μ)/√(σ² + ε) · γ + β over each row of n = cols values, in integers only (docs/arithmetic.md,
 * "Layer norm"). With the input's own integers x (its scale and zero point cancel out of (x − μ)/σ):
 *
 *   S = Σ x_c,   D_c = n·x_c − S,   V = Σ D_c²                          (n·(x − μ) and n³·σ², exact)
 *   R = max(1, ⌊√(V + E)⌋),   E = min(round(ε·n³ / s_x²), E_max)         (ε in units of V)
 *   Q_c = D_c·2^F / R, rounded half away from zero                      (|Q| ≤ 2^F; (x − μ)/σ ≈ Q·√n / 2^F)
 *   y_c = z_y + round(M·(Q_c·(γ_c − z_γ) + B_c)),   M = s_Q·s_γ / s_y,   s_Q = √n / 2^F
 *
 * γ is quantized per tensor with the layer's weight width and β at s_Q·s_γ, like a folded batch norm's affine.
 */
import { affineParams, chooseMultiplier, isqrt, quantizeAll, requantizer, roundRatioSymmetric, type Multiplier } from '../../arith/index.js';
import type { RowsCols } from '../_shared/rules.js';
import { batchOf, minMax, normAffineInit, quantizeBias } from '../_shared/semantics.js';
import type { KindSemantics } from '../types.js';
import { layernormStatistics } from './rules.js';

export const LAYERNORM_EPS = 1e-5;

export interface LayernormFloat {
  readonly gamma: Float64Array;
  readonly beta: Float64Array;
}

export interface LayernormParams {
  /** [cols] γ quantized per tensor. */
  readonly weights: Int32Array;
  readonly weightZero: number;
  /** [cols] β at scale s_Q·s_γ (integers). */
  readonly bias: Float64Array;
  readonly mult: Multiplier;
  /** ε in units of V (see above). */
  readonly eps: number;
}

export const semantics: KindSemantics<'layernorm', RowsCols, LayernormFloat, LayernormParams> = {
  init: ({ dims }, rng) => normAffineInit(dims.cols, rng),
  tensors: {
    specs: ({ dims: { cols } }) => ['weight', 'bias'].map((name) => ({ name, shape: [cols] })),
    params: (_node, t) => ({ gamma: t.weight!.values, beta: t.bias!.values }),
  },
  float(node, { gamma, beta }, [x]) {
    const cols = node.dims.cols;
    const out = batchOf(x!.samples, node.output.elements);
    for (let r = 0; r < x!.data.length / cols; r++) {
      let mean = 0;
      for (let c = 0; c < cols; c++) mean += x!.data[r * cols + c]! / cols;
      let v = 0;
      for (let c = 0; c < cols; c++) v += (x!.data[r * cols + c]! - mean) ** 2 / cols;
      for (let c = 0; c < cols; c++) out.data[r * cols + c] = ((x!.data[r * cols + c]! - mean) / Math.sqrt(v + LAYERNORM_EPS)) * gamma[c]! + beta[c]!;
    }
    return out;
  },
  quantize(node, { gamma, beta }, [xq], yq) {
    const n = node.dims.cols;
    const st = layernormStatistics(n, xq!.bits, yq.bits);
    const { min, max } = minMax(gamma);
    const gq = affineParams(min, max, node.widths.weight!);
    const sQ = Math.sqrt(n) / 2 ** st.fraction;
    const eps = BigInt(Math.round((LAYERNORM_EPS * n ** 3) / xq!.scale ** 2));
    return {
      weights: quantizeAll(gamma, gq),
      weightZero: gq.zeroPoint,
      bias: quantizeBias(beta, sQ * gq.scale, node.widths.bias!),
      mult: chooseMultiplier((sQ * gq.scale) / yq.scale),
      eps: Number(eps > st.epsMax ? st.epsMax : eps),
    };
  },
  int(node, layer, [x]) {
    const { cols } = node.dims;
    const rows = x!.length / cols; // every row of every window in the batch
    const q = layer.params;
    const F = layernormStatistics(cols, layer.inputs[0]!.bits, layer.output.bits).fraction;
    const n = BigInt(cols);
    const out = new Int32Array(x!.length);
    const requant = requantizer(q.mult, layer.output.zeroPoint, layer.output.bits);
    const d = new Array<bigint>(cols);
    for (let r = 0; r < rows; r++) {
      const row = r * cols;
      let sum = 0n;
      for (let c = 0; c < cols; c++) sum += BigInt(x![row + c]!);
      let variance = 0n;
      for (let c = 0; c < cols; c++) {
        d[c] = n * BigInt(x![row + c]!) - sum;
        variance += d[c]! * d[c]!;
      }
      const root = isqrt(variance + BigInt(q.eps));
      const divisor = root > 0n ? root : 1n;
      for (let c = 0; c < cols; c++) {
        const normalized = Number(roundRatioSymmetric(d[c]! << BigInt(F), divisor));
        out[row + c] = requant(normalized * (q.weights[c]! - q.weightZero) + q.bias[c]!);
      }
    }
    return out;
  },
};
