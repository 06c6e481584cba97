/**
 * Integer row-wise softmax with an exponential table and one integer division per element.
 *   k_j = max_row(x) − x_j                      (0 … 2^b_x − 1)
 *   e_j = E[k_j],  E[k] = round(2^f · e^(−s_x·k)),  f = max(16, b_y + 4)   (E[0] = 2^f, f + 1 bits unsigned)
 *   S   = Σ_j e_j
 *   y_j = z_y + floor((2·e_j·K + S) / (2·S)),   K = 2^b_y − 1   (round half up of e_j·K/S)
 * The output quantization is fixed: s_y = 1/K, z_y = −2^(b_y−1), so probability 1 maps to 2^(b_y−1) − 1
 * and no saturation is needed (e_j ≤ S).
 */
import type { AffineParams } from '../../arith/index.js';
import type { RowsCols } from '../_shared/rules.js';
import { batchOf } from '../_shared/semantics.js';
import type { KindSemantics, NoParams } from '../types.js';
import { softmaxExpFractionBits } from './rules.js';

export interface SoftmaxParams {
  /** E[k] = round(2^f · e^(−s_x·k)) for k = max − x, k = 0 … 2^b_x − 1, f = softmaxExpFractionBits(b_y). */
  readonly expTable: Int32Array;
}

export function softmaxOutputParams(bits: number): AffineParams {
  return { scale: 1 / (2 ** bits - 1), zeroPoint: -(2 ** (bits - 1)), bits };
}

export function expTable(inputScale: number, inputBits: number, fractionBits: number): Int32Array {
  return Int32Array.from({ length: 2 ** inputBits }, (_, k) => Math.round(2 ** fractionBits * Math.exp(-inputScale * k)));
}

export const semantics: KindSemantics<'softmax', RowsCols, NoParams, SoftmaxParams> = {
  init: () => ({}),
  float(node, _p, [x]) {
    const { rows, cols } = node.dims;
    const n = node.output.elements;
    const out = batchOf(x!.samples, n);
    for (let s = 0; s < x!.samples; s++) {
      for (let r = 0; r < rows; r++) {
        const base = s * n + r * cols;
        let mx = -Infinity;
        for (let c = 0; c < cols; c++) mx = Math.max(mx, x!.data[base + c]!);
        let sum = 0;
        for (let c = 0; c < cols; c++) sum += Math.exp(x!.data[base + c]! - mx);
        for (let c = 0; c < cols; c++) out.data[base + c] = Math.exp(x!.data[base + c]! - mx) / sum;
      }
    }
    return out;
  },
  fixedOutput: (node) => softmaxOutputParams(node.output.bits),
  quantize: (node, _p, [xq]) => ({ expTable: expTable(xq!.scale, xq!.bits, softmaxExpFractionBits(node.output.bits)) }),
  int(node, layer, [x]) {
    const { cols } = node.dims;
    const rows = x!.length / cols; // every row of every window in the batch
    const q = layer.params;
    const K = BigInt(2 ** layer.output.bits - 1);
    const zy = layer.output.zeroPoint;
    const out = new Int32Array(x!.length);
    const e = new Array<number>(cols);
    for (let r = 0; r < rows; r++) {
      const base = r * cols;
      let mx = -Infinity;
      for (let c = 0; c < cols; c++) mx = Math.max(mx, x![base + c]!);
      let sum = 0;
      for (let c = 0; c < cols; c++) sum += e[c] = q.expTable[mx - x![base + c]!]!;
      const S = BigInt(sum);
      for (let c = 0; c < cols; c++) out[base + c] = zy + Number((2n * BigInt(e[c]!) * K + S) / (2n * S));
    }
    return out;
  },
};
