/**
 * Residual add: each input rescaled to the output scale, one shared rounding shift, saturation:
 * y = z_y + round((m1·(a − z_a) + m2·(b − z_b)) / 2^n).
 */
import { requantizer } from '../../arith/index.js';
import type { RowsCols } from '../_shared/rules.js';
import { batchOf, sharedShift } from '../_shared/semantics.js';
import type { KindSemantics, NoParams } from '../types.js';

export interface AddParams {
  readonly m1: number;
  readonly m2: number;
  readonly shift: number;
}

export const semantics: KindSemantics<'add', RowsCols, NoParams, AddParams> = {
  init: () => ({}),
  float(node, _p, [a, b]) {
    const out = batchOf(a!.samples, node.output.elements);
    for (let i = 0; i < out.data.length; i++) out.data[i] = a!.data[i]! + b!.data[i]!;
    return out;
  },
  quantize(node, _p, [aq, bq], yq) {
    const { ms, shift } = sharedShift([aq!.scale / yq.scale, bq!.scale / yq.scale], node.path);
    return { m1: ms[0]!, m2: ms[1]!, shift };
  },
  int(node, layer, [a, b]) {
    const q = layer.params;
    const za = layer.inputs[0]!.zeroPoint;
    const zb = layer.inputs[1]!.zeroPoint;
    const out = new Int32Array(a!.length);
    const requant = requantizer({ m: 1, n: q.shift }, layer.output.zeroPoint, layer.output.bits);
    for (let e = 0; e < out.length; e++) {
      const acc = q.m1 * (a![e]! - za) + q.m2 * (b![e]! - zb);
      out[e] = requant(acc);
    }
    return out;
  },
};
