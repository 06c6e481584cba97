/**
 * Linear: y[r][o] = z_y + round(M·(b[o] + Σ_i (x[r][i] − z_x)(w[o][i] − z_w))), M = s_x·s_w/s_y,
 * bias quantized at s_x·s_w with (b_x+1)+(b_w+1) bits.
 */
import { affineParams, chooseMultiplier, quantizeAll, requantizer } from '../../arith/index.js';
import type { LayerNode } from '../../ir/types.js';
import type { KindSemantics } from '../types.js';
import { batchOf, checkExact, minMax, quantizeBias } from './_shared.js';

function dims(node: LayerNode) {
  if (node.dims.kind !== 'linear') throw new Error(`${node.path} is not linear`);
  return node.dims;
}

export const linear: KindSemantics = {
  init(node, rng) {
    const d = dims(node);
    const bound = 1 / Math.sqrt(d.inFeatures);
    return {
      weights: Float64Array.from({ length: d.inFeatures * d.outFeatures }, () => rng.uniform(-bound, bound)),
      bias: d.bias ? Float64Array.from({ length: d.outFeatures }, () => rng.uniform(-bound, bound)) : undefined,
    };
  },
  float(node, p, [x]) {
    const d = dims(node);
    const w = p.weights as Float64Array;
    const b = p.bias as Float64Array | undefined;
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
    const wf = p.weights as Float64Array;
    const { min, max } = minMax(wf);
    const wq = affineParams(min, max, node.widths.weight!);
    const biasScale = xq!.scale * wq.scale;
    return {
      kind: 'linear',
      weights: quantizeAll(wf, wq),
      weightZero: wq.zeroPoint,
      bias: p.bias ? quantizeBias(p.bias as Float64Array, biasScale, node.widths.bias!) : undefined,
      mult: chooseMultiplier((xq!.scale * wq.scale) / yq.scale),
    };
  },
  int(node, layer, [x]) {
    const d = dims(node);
    const q = layer.params;
    if (q.kind !== 'linear') throw new Error('params mismatch');
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
