/**
 * Positional encoding: y = x + PE with the sinusoidal table PE[t][2i] = sin(t/10000^(2i/d)),
 * PE[t][2i+1] = cos(t/10000^(2i/d)). The table is quantized with the layer's weight width; both operands are
 * rescaled to the output scale with one shared rounding shift:
 * y = z_y + round((m1·(x − z_x) + m2·(t − z_t)) / 2^n), m1/2^n ≈ s_x/s_y, m2/2^n ≈ s_t/s_y.
 */
import { affineParams, quantizeAll, requantizer } from '../../arith/index.js';
import type { LayerNode } from '../../ir/types.js';
import type { KindSemantics } from '../types.js';
import { batchOf, minMax, sharedShift } from './_shared.js';

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

const rc = (node: LayerNode) => ({ rows: node.output.shape[0]!, cols: node.output.shape[1]! });

export const posenc: KindSemantics = {
  init: (node) => ({ table: sinusoidalTable(rc(node).rows, rc(node).cols) }),
  float(node, p, [x]) {
    const table = p.table as Float64Array;
    const n = node.output.elements;
    const out = batchOf(x!.samples, n);
    for (let s = 0; s < x!.samples; s++) for (let e = 0; e < n; e++) out.data[s * n + e] = x!.data[s * n + e]! + table[e]!;
    return out;
  },
  quantize(node, p, [xq], yq) {
    const table = p.table as Float64Array;
    const { min, max } = minMax(table);
    const tq = affineParams(min, max, node.widths.weight!);
    const { ms, shift } = sharedShift([xq!.scale / yq.scale, tq.scale / yq.scale], node.path);
    return { kind: 'posenc', table: quantizeAll(table, tq), tableZero: tq.zeroPoint, m1: ms[0]!, m2: ms[1]!, shift };
  },
  int(node, layer, [x]) {
    const q = layer.params;
    if (q.kind !== 'posenc') throw new Error('params mismatch');
    const zx = layer.inputs[0]!.zeroPoint;
    const out = new Int32Array(node.output.elements);
    const requant = requantizer({ m: 1, n: q.shift }, layer.output.zeroPoint, layer.output.bits);
    for (let e = 0; e < out.length; e++) {
      const acc = q.m1 * (x![e]! - zx) + q.m2 * (q.table[e]! - q.tableZero);
      out[e] = requant(acc);
    }
    return out;
  },
};
