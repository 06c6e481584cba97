/** Layer norm runs on its own engine; its plan's widths are the kind's (rules.ts). */
import type { EngineBinding } from '../../engines/index.js';
import type { RowsCols } from '../_shared/rules.js';
import type { KindNode } from '../types.js';
import { layernormStatistics } from './rules.js';
import type { LayernormParams } from './semantics.js';

export const hardware: EngineBinding<KindNode<'layernorm', RowsCols>, LayernormParams> = {
  engine: 'layernorm',
  plan: (node) => {
    const inputBits = node.inputs[0]!.bits;
    const { fraction, sumBits, diffBits, varianceBits, rootBits } = layernormStatistics(node.dims.cols, inputBits, node.output.bits);
    return { rows: node.dims.rows, cols: node.dims.cols, inputBits, fraction, sumBits, diffBits, varianceBits, rootBits };
  },
  constants: (_node, p) => ({ weights: p.weights, weightZero: p.weightZero, bias: p.bias, m: p.mult.m, shift: p.mult.n, eps: p.eps }),
};
