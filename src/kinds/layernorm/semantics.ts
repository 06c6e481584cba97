/**
 * Layer norm: the float model exists (so such models can be estimated and calibrated), but there is no
 * integer-only implementation yet, so quantizing one is refused with a clear error.
 */
import { fail } from '../../dsl/diagnostics.js';
import type { RowsCols } from '../_shared/rules.js';
import { batchOf, normAffineInit } from '../_shared/semantics.js';
import type { KindSemantics, NoParams } from '../types.js';

export const LAYERNORM_EPS = 1e-5;

export interface LayernormFloat {
  readonly gamma: Float64Array;
  readonly beta: Float64Array;
}

export const semantics: KindSemantics<'layernorm', RowsCols, LayernormFloat, NoParams> = {
  init: ({ dims }, rng) => normAffineInit(dims.cols, rng),
  float(node, { gamma, beta }, [x]) {
    const cols = node.dims.cols;
    const out = batchOf(x!.samples, node.output.elements);
    for (let r = 0; r < x!.data.length / cols; r++) {
      let mean = 0;
      for (let c = 0; c < cols; c++) mean += x!.data[r * cols + c]! / cols;
      let v = 0;
      for (let c = 0; c < cols; c++) v += (x!.data[r * cols + c]! - mean) ** 2 / cols;
      for (let c = 0; c < cols; c++) out.data[r * cols + c] = ((x!.data[r * cols + c]! - mean) / Math.sqrt(v + LAYERNORM_EPS)) * gamma[c]! + beta[c]!;
    }
    return out;
  },
  quantize(node) {
    return fail('KILN_E_UNSUPPORTED', ['model', node.path], `layer norm '${node.path}' has no integer-only implementation yet, so kiln cannot generate or verify its hardware`, "use norm: 'batchnorm' (transformer) or g.batchnorm(...) (graph); estimates still work");
  },
  int() {
    throw new Error('unreachable: layer norm is refused when quantizing');
  },
};
