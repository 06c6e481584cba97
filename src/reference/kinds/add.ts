/**
 * Residual add: each input rescaled to the output scale, one shared rounding shift, saturation:
 * y = z_y + round((m1·(a − z_a) + m2·(b − z_b)) / 2^n).
 */
import { requantizer } from '../../arith/index.js';
import type { KindSemantics } from '../types.js';
import { batchOf, sharedShift } from './_shared.js';

export const add: KindSemantics = {
  init: () => ({}),
  float(node, _p, [a, b]) {
    const n = node.output.elements;
    const out = batchOf(a!.samples, n);
    for (let i = 0; i < out.data.length; i++) out.data[i] = a!.data[i]! + b!.data[i]!;
    return out;
  },
  quantize(node, _p, [aq, bq], yq) {
    const { ms, shift } = sharedShift([aq!.scale / yq.scale, bq!.scale / yq.scale], node.path);
    return { kind: 'add', m1: ms[0]!, m2: ms[1]!, shift };
  },
  int(node, layer, [a, b]) {
    const q = layer.params;
    if (q.kind !== 'add') throw new Error('params mismatch');
    const za = layer.inputs[0]!.zeroPoint;
    const zb = layer.inputs[1]!.zeroPoint;
    const out = new Int32Array(node.output.elements);
    const requant = requantizer({ m: 1, n: q.shift }, layer.output.zeroPoint, layer.output.bits);
    for (let e = 0; e < out.length; e++) {
      const acc = q.m1 * (a![e]! - za) + q.m2 * (b![e]! - zb);
      out[e] = requant(acc);
    }
    return out;
  },
};
