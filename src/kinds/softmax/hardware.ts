/** Softmax runs on its own engine; its plan's widths are the IR's (src/kinds/softmax/rules.ts). */
import type { EngineBinding } from '../../engines/index.js';
import type { RowsCols } from '../_shared/rules.js';
import type { KindNode } from '../types.js';
import { softmaxExpFractionBits } from './rules.js';
import type { SoftmaxParams } from './semantics.js';

export const hardware: EngineBinding<KindNode<'softmax', RowsCols>, SoftmaxParams> = {
  engine: 'softmax',
  plan: (node) => ({
    rows: node.dims.rows,
    cols: node.dims.cols,
    inputBits: node.inputs[0]!.bits,
    outputBits: node.output.bits,
    expFractionBits: softmaxExpFractionBits(node.output.bits),
    sumBits: node.widths.acc!,
  }),
  constants: (_node, p) => ({ expTable: p.expTable }),
};
