/** The model input: no computation; its quantization is calibrated on the synthetic input windows. */
import type { KindSemantics } from '../types.js';

export const input: KindSemantics = {
  init: () => ({}),
  float: (_node, _p, inputs) => inputs[0]!,
  quantize: () => ({ kind: 'input' }),
  int: (_node, _layer, inputs) => inputs[0]!,
};
