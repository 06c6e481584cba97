/** Average over time: y[c] = z_y + round(M·Σ_t (x[t][c] − z_x)), M = s_x/(s_y·L) (1/L folded into M). */
import { chooseMultiplier, requantizer, type Multiplier } from '../../arith/index.js';
import { batchOf } from '../_shared/semantics.js';
import type { KindSemantics, NoParams } from '../types.js';
import type { AvgpoolDims } from './rules.js';

export interface AvgpoolParams {
  readonly mult: Multiplier;
}

export const semantics: KindSemantics<'avgpool', AvgpoolDims, NoParams, AvgpoolParams> = {
  init: () => ({}),
  float({ dims: { window, cols } }, _p, [x]) {
    const out = batchOf(x!.samples, cols);
    for (let s = 0; s < x!.samples; s++)
      for (let c = 0; c < cols; c++) {
        let acc = 0;
        for (let t = 0; t < window; t++) acc += x!.data[s * window * cols + t * cols + c]!;
        out.data[s * cols + c] = acc / window;
      }
    return out;
  },
  quantize: (node, _p, [xq], yq) => ({ mult: chooseMultiplier(xq!.scale / (yq.scale * node.dims.window)) }),
  int({ dims: { window, cols } }, layer, [x]) {
    const zx = layer.inputs[0]!.zeroPoint;
    const samples = x!.length / (window * cols);
    const out = new Int32Array(samples * cols);
    const requant = requantizer(layer.params.mult, layer.output.zeroPoint, layer.output.bits);
    for (let s = 0; s < samples; s++) {
      for (let c = 0; c < cols; c++) {
        let acc = 0;
        for (let t = 0, xi = s * window * cols + c; t < window; t++, xi += cols) acc += x![xi]! - zx;
        out[s * cols + c] = requant(acc);
      }
    }
    return out;
  },
};
