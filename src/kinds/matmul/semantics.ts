/**
 * Attention matmuls, per head h with d_head = d/heads:
 * - scores:  y[h][i][j] = z_y + round(M·Σ_k (q[i][h·dh+k] − z_q)(k[j][h·dh+k] − z_k)), M = s_q·s_k/(s_y·√d_head)
 *   (the 1/√d_head attention scale is folded into M);
 * - context: y[i][h·dh+c] = z_y + round(M·Σ_k (a[h][i][k] − z_a)(v[k][h·dh+c] − z_v)), M = s_a·s_v/s_y.
 * The indexing below is the reference's own; the hardware's address plans are written separately
 * (src/kinds/matmul/hardware.ts), so the GHDL comparison checks one against the other.
 */
import { chooseMultiplier, requantizer, type Multiplier } from '../../arith/index.js';
import { batchOf, checkExact } from '../_shared/semantics.js';
import type { KindNode, KindSemantics, NoParams } from '../types.js';
import type { MatmulDims } from './rules.js';

export interface MatmulParams {
  readonly mult: Multiplier;
}

/**
 * Calls f(out, a0, aStep, b0, bStep) for every output element in row-major output order: its dot product is
 * Σ_k a[a0 + k·aStep]·b[b0 + k·bStep] over k < inner.
 */
function forEachDot(node: KindNode<'matmul', MatmulDims>, f: (out: number, a0: number, aStep: number, b0: number, bStep: number) => void): void {
  const d = node.dims;
  const width = node.inputs[1]!.shape[1]!; // d_model of the second operand
  if (d.mode === 'scores') {
    // a = q [rows][width], b = k [cols][width]: head h reads columns h·dh … of both
    const dh = d.inner;
    for (let h = 0; h < d.heads; h++)
      for (let i = 0; i < d.rows; i++)
        for (let j = 0; j < d.cols; j++) f((h * d.rows + i) * d.cols + j, i * width + h * dh, 1, j * width + h * dh, 1);
  } else {
    // a = attention [heads][rows][L], b = v [L][width]: head h writes columns h·cols … of the output
    const L = d.inner;
    for (let i = 0; i < d.rows; i++)
      for (let h = 0; h < d.heads; h++)
        for (let c = 0; c < d.cols; c++) f(i * width + h * d.cols + c, (h * d.rows + i) * L, 1, h * d.cols + c, width);
  }
}

function centred(values: Int32Array, zero: number): Float64Array {
  const out = new Float64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = values[i]! - zero;
  return out;
}

/** The 1/√d_head attention scale of `scores` (1 for `context`). */
const attentionScale = (d: MatmulDims) => (d.mode === 'scores' ? 1 / Math.sqrt(d.inner) : 1);

export const semantics: KindSemantics<'matmul', MatmulDims, NoParams, MatmulParams> = {
  init: () => ({}),
  float(node, _p, [a, b]) {
    const d = node.dims;
    const na = node.inputs[0]!.elements;
    const nb = node.inputs[1]!.elements;
    const n = node.output.elements;
    const out = batchOf(a!.samples, n);
    const scale = attentionScale(d);
    const [x, y, inner] = [a!.data, b!.data, d.inner];
    for (let s = 0; s < a!.samples; s++) {
      forEachDot(node, (o, a0, aStep, b0, bStep) => {
        let acc = 0;
        for (let k = 0, ai = s * na + a0, bi = s * nb + b0; k < inner; k++, ai += aStep, bi += bStep) acc += x[ai]! * y[bi]!;
        out.data[s * n + o] = acc * scale;
      });
    }
    return out;
  },
  quantize: (node, _p, [aq, bq], yq) => ({ mult: chooseMultiplier((aq!.scale * bq!.scale * attentionScale(node.dims)) / yq.scale) }),
  int(node, layer, [a, b]) {
    const na = node.inputs[0]!.elements;
    const nb = node.inputs[1]!.elements;
    const n = node.output.elements;
    const samples = a!.length / na;
    const out = new Int32Array(samples * n);
    const requant = requantizer(layer.params.mult, layer.output.zeroPoint, layer.output.bits);
    // Centred operands in doubles: products and sums are integers below 2^53 (checked), so exact.
    const x = centred(a!, layer.inputs[0]!.zeroPoint);
    const y = centred(b!, layer.inputs[1]!.zeroPoint);
    const inner = node.dims.inner;
    for (let s = 0; s < samples; s++) {
      const [sa, sb, so] = [s * na, s * nb, s * n];
      forEachDot(node, (o, a0, aStep, b0, bStep) => {
        let acc = 0;
        for (let k = 0, ai = sa + a0, bi = sb + b0; k < inner; k++, ai += aStep, bi += bStep) acc += x[ai]! * y[bi]!;
        out[so + o] = requant(checkExact(acc, node.path));
      });
    }
    return out;
  },
};
