/**
 * Linear: y[r][o] = z_y + round(M·(b[o] + Σ_i (x[r][i] − z_x)(w[o][i] − z_w))), M = s_x·s_w/s_y,
 * bias quantized at s_x·s_w with (b_x+1)+(b_w+1) bits.
 */
import { chooseMultiplier, requantizer, type Multiplier } from '../../arith/index.js';
import { batchOf, checkExact, quantizeBias } from '../_shared/semantics.js';
import { quantizedOrAffine } from '../_shared/semantics.js';
import type { ImportedTensor, KindSemantics } from '../types.js';
import type { LinearDims } from './rules.js';

export interface LinearFloat {
  /** [out][in], as PyTorch's `weight`. */
  readonly weights: Float64Array;
  readonly bias: Float64Array | undefined;
  /** The weights as a quantization-aware-trained file stores them: used as they are. */
  readonly quantizedWeights?: ImportedTensor['quantized'];
}

export interface LinearParams {
  /** [out][in] raw weights; the zero point is subtracted at run time. */
  readonly weights: Int32Array;
  readonly weightZero: number;
  /** [out] biases at scale s_x·s_w (integers; up to 34 bits, so not an Int32Array), or undefined without bias. */
  readonly bias: Float64Array | undefined;
  readonly mult: Multiplier;
}

export const semantics: KindSemantics<'linear', LinearDims, LinearFloat, LinearParams> = {
  init({ dims: d }, rng) {
    const bound = 1 / Math.sqrt(d.inFeatures);
    return {
      weights: Float64Array.from({ length: d.inFeatures * d.outFeatures }, () => rng.uniform(-bound, bound)),
      bias: d.bias ? Float64Array.from({ length: d.outFeatures }, () => rng.uniform(-bound, bound)) : undefined,
    };
  },
  tensors: {
    specs: ({ dims: d }) => [{ name: 'weight', shape: [d.outFeatures, d.inFeatures], quantizable: true }, ...(d.bias ? [{ name: 'bias', shape: [d.outFeatures] }] : [])],
    params: ({ dims: d }, t) => ({ weights: t.weight!.values, bias: d.bias ? t.bias!.values : undefined, ...(t.weight!.quantized ? { quantizedWeights: t.weight!.quantized } : {}) }),
  },
  float(node, { weights: w, bias: b }, [x]) {
    const d = node.dims;
    const out = batchOf(x!.samples, node.output.elements);
    for (let s = 0; s < x!.samples; s++) {
      const xo = s * d.rows * d.inFeatures;
      const yo = s * d.rows * d.outFeatures;
      for (let r = 0; r < d.rows; r++) {
        for (let o = 0; o < d.outFeatures; o++) {
          let acc = b ? b[o]! : 0;
          for (let i = 0; i < d.inFeatures; i++) acc += x!.data[xo + r * d.inFeatures + i]! * w[o * d.inFeatures + i]!;
          out.data[yo + r * d.outFeatures + o] = acc;
        }
      }
    }
    return out;
  },
  quantize(node, p, [xq], yq) {
    const { values, wq } = quantizedOrAffine(p.weights, p.quantizedWeights, node.widths.weight!);
    return {
      weights: values,
      weightZero: wq.zeroPoint,
      bias: p.bias ? quantizeBias(p.bias, xq!.scale * wq.scale, node.widths.bias!) : undefined,
      mult: chooseMultiplier((xq!.scale * wq.scale) / yq.scale),
    };
  },
  int(node, layer, [x]) {
    const d = node.dims;
    const q = layer.params;
    const zx = layer.inputs[0]!.zeroPoint;
    const out = new Int32Array(node.output.elements);
    const requant = requantizer(q.mult, layer.output.zeroPoint, layer.output.bits);
    for (let r = 0; r < d.rows; r++) {
      for (let o = 0; o < d.outFeatures; o++) {
        let acc = q.bias ? q.bias[o]! : 0;
        for (let i = 0; i < d.inFeatures; i++) acc += (x![r * d.inFeatures + i]! - zx) * (q.weights[o * d.inFeatures + i]! - q.weightZero);
        out[r * d.outFeatures + o] = requant(checkExact(acc, node.path));
      }
    }
    return out;
  },
};
