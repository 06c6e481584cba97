/**
 * Row-wise integer softmax: a max pass, an exponential-table pass that also sums the row, then one restoring
 * division per element (one cycle per quotient bit) producing the requantized probability.
 */
import type { LayerNode } from '../../ir/types.js';
import { adder, comparator, controller, counter, register } from '../primitives.js';
import { softmaxCycles, softmaxQuotientBits } from '../../emitters/vhdl/plan.js';
import { type KindEstimator, memories } from './_shared.js';

function rc(node: LayerNode) {
  if (node.dims.kind !== 'softmax') throw new Error(`not a softmax layer: ${node.path}`);
  return node.dims;
}

export const softmax: KindEstimator = {
  parts: (node) => {
    const d = rc(node);
    const inBits = node.inputs[0]!.bits;
    const sumBits = node.widths.acc!;
    const q = softmaxQuotientBits(node);
    return [
      ...memories(node),
      controller(7),
      counter('row', d.rows),
      counter('column', d.cols),
      counter('input address', node.inputs[0]!.elements),
      comparator('row max', inBits),
      register('row max', inBits),
      adder('max subtraction', inBits + 1),
      ...[adder('row sum', sumBits), register('row sum', sumBits)],
      adder('divider subtract', sumBits + 1),
      register('divider remainder', sumBits + 1),
      register('divider quotient', q),
      counter('divider step', q),
      adder('output zero point', node.output.bits + 1),
      register('output', node.output.bits),
    ];
  },
  cycles: softmaxCycles,
};
