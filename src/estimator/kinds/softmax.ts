/**
 * Row-wise integer softmax, costed block by block from its VHDL (src/emitters/vhdl/softmax.ts): a max pass,
 * an exponential-table pass that sums the row into a row buffer of numerators, then a restoring divider
 * producing one quotient bit per cycle.
 */
import { addressBits } from '../../devices/mapping.js';
import { softmaxCycles, softmaxQuotientBits } from '../../emitters/vhdl/plan.js';
import { softmaxExpFractionBits } from '../../ir/kinds.js';
import type { LayerNode } from '../../ir/types.js';
import { adder, comparator, cost, counter, memory, mux, register } from '../primitives.js';
import { type KindEstimator, memories } from './_shared.js';

const SOFTMAX_STATES = 11;

function rc(node: LayerNode) {
  if (node.dims.kind !== 'softmax') throw new Error(`not a softmax layer: ${node.path}`);
  return node.dims;
}

export const softmax: KindEstimator = {
  parts: (node) => {
    const { rows, cols } = rc(node);
    const inBits = node.inputs[0]!.bits;
    const expBits = softmaxExpFractionBits(node.output.bits) + 1;
    const sumBits = Math.ceil(Math.log2(cols * 2 ** (expBits - 1) + 1));
    const q = softmaxQuotientBits(node);
    const numBits = sumBits + 1 + q;
    const colBits = addressBits(cols);
    return [
      ...memories(node),
      memory('row buffer of numerators', { role: 'buffer', depth: cols, width: expBits, storage: 'lutram' }),
      { name: `softmax FSM (${SOFTMAX_STATES} states)`, group: 'control', cost: cost({ lut: 2 * SOFTMAX_STATES, ff: 4 + 1 + 5 + 2 * colBits }) },
      counter('row', rows),
      counter('column', cols),
      counter('divider step', q),
      counter('output address', node.output.elements),
      { name: 'input address row·cols + c', group: 'control', cost: cost({ lut: addressBits(node.inputs[0]!.elements) }) },
      comparator('row max', inBits),
      mux('row max load', 2, inBits),
      register('row max', inBits),
      adder('k = max − x', inBits + 1),
      mux('table index clamp', 2, addressBits(2 ** inBits)),
      adder('row sum', sumBits),
      mux('row sum start', 2, sumBits),
      register('row sum', sumBits),
      adder('numerator 2eK', numBits),
      adder('numerator + S', numBits),
      comparator('remainder ≥ divisor', numBits),
      adder('remainder − divisor', numBits),
      mux('remainder', 3, numBits),
      register('remainder', numBits),
      mux('divisor load or shift', 2, numBits),
      register('divisor', numBits),
      register('quotient', q),
      adder('output zero point', node.output.bits + 1),
    ];
  },
  cycles: softmaxCycles,
};
