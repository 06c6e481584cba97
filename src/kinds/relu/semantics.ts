/** ReLU keeps its input's quantization: y = max(x, z_x). */
import type { RowsCols } from '../_shared/rules.js';
import { batchOf } from '../_shared/semantics.js';
import type { KindSemantics, NoParams } from '../types.js';

export const semantics: KindSemantics<'relu', RowsCols, NoParams, NoParams> = {
  init: () => ({}),
  float(node, _p, [x]) {
    const out = batchOf(x!.samples, node.output.elements);
    for (let i = 0; i < out.data.length; i++) out.data[i] = Math.max(0, x!.data[i]!);
    return out;
  },
  fixedOutput: (_node, [xq]) => xq!,
  quantize: () => ({}),
  int(_node, layer, [x]) {
    const z = layer.inputs[0]!.zeroPoint;
    const xs = x!;
    const out = new Int32Array(xs.length);
    for (let i = 0; i < xs.length; i++) out[i] = xs[i]! > z ? xs[i]! : z;
    return out;
  },
};
