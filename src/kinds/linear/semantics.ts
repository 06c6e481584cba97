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

const centred = new WeakMap<Int32Array, { zero: number; values: Float64Array }>();
/** (w − z_w) transposed to [in][out], as doubles, once per weight tensor (the search runs a layer many times). */
function centredColumns(weights: Int32Array, zero: number, outFeatures: number, inFeatures: number): Float64Array {
  let c = centred.get(weights);
  if (c?.zero !== zero) {
    const values = new Float64Array(weights.length);
    for (let o = 0; o < outFeatures; o++) for (let i = 0; i < inFeatures; i++) values[i * outFeatures + o] = weights[o * inFeatures + i]! - zero;
    centred.set(weights, (c = { zero, values }));
  }
  return c.values;
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
    const { rows, inFeatures: n, outFeatures: m } = node.dims;
    const out = batchOf(x!.samples, node.output.elements);
    const [xs, ys] = [x!.data, out.data];
    for (let s = 0; s < x!.samples; s++) {
      for (let r = 0; r < rows; r++) {
        const xr = (s * rows + r) * n;
        const yr = (s * rows + r) * m;
        for (let o = 0; o < m; o++) {
          let acc = b ? b[o]! : 0;
          for (let i = 0, wi = o * n; i < n; i++, wi++) acc += xs[xr + i]! * w[wi]!;
          ys[yr + o] = acc;
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
    const { inFeatures: n, outFeatures: m } = node.dims;
    const zx = layer.inputs[0]!.zeroPoint;
    const xs = x!;
    // Row-wise: any whole number of rows (a batch of windows is more rows).
    const rows = xs.length / n;
    const out = new Int32Array(rows * m);
    const requant = requantizer(layer.params.mult, layer.output.zeroPoint, layer.output.bits);
    // One input at a time into all the row's accumulators (an input at its zero point adds nothing: after a
    // ReLU, most do), in doubles: the centred products and their sums are integers below 2^53 (checked), so exact.
    const wt = centredColumns(layer.params.weights, layer.params.weightZero, m, n);
    const bias = layer.params.bias;
    const acc = new Float64Array(m);
    for (let r = 0; r < rows; r++) {
      if (bias) acc.set(bias);
      else acc.fill(0);
      for (let i = 0; i < n; i++) {
        const xv = xs[r * n + i]! - zx;
        if (xv === 0) continue;
        for (let o = 0, wi = i * m; o < m; o++, wi++) acc[o] = acc[o]! + xv * wt[wi]!;
      }
      for (let o = 0; o < m; o++) out[r * m + o] = requant(checkExact(acc[o]!, node.path));
    }
    return out;
  },
};
