/**
 * Positional encoding: y = x + PE with the sinusoidal table PE[t][2i] = sin(t/10000^(2i/d)),
 * PE[t][2i+1] = cos(t/10000^(2i/d)). The table is quantized with the layer's weight width; both operands are
 * rescaled to the output scale with one shared rounding shift:
 * y = z_y + round((m1·(x − z_x) + m2·(t − z_t)) / 2^n), m1/2^n ≈ s_x/s_y, m2/2^n ≈ s_t/s_y.
 */
import { affineParams, quantizeAll, requantizer } from '../../arith/index.js';
import type { RowsCols } from '../_shared/rules.js';
import { batchOf, minMax, sharedShift } from '../_shared/semantics.js';
import type { KindSemantics } from '../types.js';

export function sinusoidalTable(rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const angle = r / 10000 ** ((c - (c % 2)) / cols);
      t[r * cols + c] = c % 2 === 0 ? Math.sin(angle) : Math.cos(angle);
    }
  }
  return t;
}

export interface PosencFloat {
  readonly table: Float64Array;
}

export interface PosencParams {
  /** [rows][cols] quantized sinusoidal table. */
  readonly table: Int32Array;
  readonly tableZero: number;
  /** y = z_y + round((m1·(x − z_x) + m2·(t − z_t)) / 2^shift) */
  readonly m1: number;
  readonly m2: number;
  readonly shift: number;
}

export const semantics: KindSemantics<'posenc', RowsCols, PosencFloat, PosencParams> = {
  init: ({ dims }) => ({ table: sinusoidalTable(dims.rows, dims.cols) }),
  float(node, { table }, [x]) {
    const n = node.output.elements;
    const out = batchOf(x!.samples, n);
    for (let s = 0; s < x!.samples; s++) for (let e = 0; e < n; e++) out.data[s * n + e] = x!.data[s * n + e]! + table[e]!;
    return out;
  },
  quantize(node, { table }, [xq], yq) {
    const { min, max } = minMax(table);
    const tq = affineParams(min, max, node.widths.weight!);
    const { ms, shift } = sharedShift([xq!.scale / yq.scale, tq.scale / yq.scale], node.path);
    return { table: quantizeAll(table, tq), tableZero: tq.zeroPoint, m1: ms[0]!, m2: ms[1]!, shift };
  },
  int(node, layer, [x]) {
    const q = layer.params;
    const zx = layer.inputs[0]!.zeroPoint;
    const n = node.output.elements;
    const out = new Int32Array(x!.length);
    const requant = requantizer({ m: 1, n: q.shift }, layer.output.zeroPoint, layer.output.bits);
    for (let e = 0; e < out.length; e++) {
      const acc = q.m1 * (x![e]! - zx) + q.m2 * (q.table[e % n]! - q.tableZero);
      out[e] = requant(acc);
    }
    return out;
  },
};
