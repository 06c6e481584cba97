/** The model input: no computation; its quantization is calibrated on the input windows. */
import type { RowsCols } from '../_shared/rules.js';
import type { KindSemantics, NoParams } from '../types.js';

export const semantics: KindSemantics<'input', RowsCols, NoParams, NoParams> = {
  init: () => ({}),
  float: (_node, _p, inputs) => inputs[0]!,
  quantize: () => ({}),
  int: (_node, _layer, inputs) => inputs[0]!,
};
