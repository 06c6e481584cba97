/** Average over time: y[c] = z_y + round(M·Σ_t (x[t][c] − z_x)), M = s_x/(s_y·L) (1/L folded into M). */
import { chooseMultiplier, requantizer } from '../../arith/index.js';
import type { LayerNode } from '../../ir/types.js';
import type { KindSemantics } from '../types.js';
import { batchOf } from './_shared.js';

function d(node: LayerNode) {
  if (node.dims.kind !== 'avgpool') throw new Error(`${node.path} is not avgpool`);
  return node.dims;
}

export const avgpool: KindSemantics = {
  init: () => ({}),
  float(node, _p, [x]) {
    const { window, cols } = d(node);
    const out = batchOf(x!.samples, cols);
    for (let s = 0; s < x!.samples; s++)
      for (let c = 0; c < cols; c++) {
        let acc = 0;
        for (let t = 0; t < window; t++) acc += x!.data[s * window * cols + t * cols + c]!;
        out.data[s * cols + c] = acc / window;
      }
    return out;
  },
  quantize: (node, _p, [xq], yq) => ({ kind: 'avgpool', mult: chooseMultiplier(xq!.scale / (yq.scale * d(node).window)) }),
  int(node, layer, [x]) {
    const { window, cols } = d(node);
    const q = layer.params;
    if (q.kind !== 'avgpool') throw new Error('params mismatch');
    const zx = layer.inputs[0]!.zeroPoint;
    const out = new Int32Array(cols);
    const requant = requantizer(q.mult, layer.output.zeroPoint, layer.output.bits);
    for (let c = 0; c < cols; c++) {
      let acc = 0;
      for (let t = 0; t < window; t++) acc += x![t * cols + c]! - zx;
      out[c] = requant(acc);
    }
    return out;
  },
};
