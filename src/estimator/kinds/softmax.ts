/**
 * Row-wise integer softmax, costed block by block from its VHDL (src/emitters/vhdl/softmax.ts): a max pass,
 * an exponential-table pass that sums the row into a row buffer of numerators, then a restoring divider
 * producing one quotient bit per cycle.
 */
import { addressBits } from '../../devices/mapping.js';
import { softmaxCycles, softmaxQuotientBits } from '../../emitters/vhdl/plan.js';
import { softmaxExpFractionBits } from '../../ir/kinds.js';
import type { LayerNode } from '../../ir/types.js';
import { adder, block, comparator, counter, memory, mux, register } from '../primitives.js';
import { type KindEstimator, memories } from './_shared.js';

const SOFTMAX_STATES = 11;

function rc(node: LayerNode) {
  if (node.dims.kind !== 'softmax') throw new Error(`not a softmax layer: ${node.path}`);
  return node.dims;
}

export const softmax: KindEstimator = {
  parts: (node, s) => {
    const { rows, cols } = rc(node);
    const inBits = node.inputs[0]!.bits;
    const expBits = softmaxExpFractionBits(node.output.bits) + 1;
    const sumBits = Math.ceil(Math.log2(cols * 2 ** (expBits - 1) + 1));
    const q = softmaxQuotientBits(node);
    const numBits = sumBits + 1 + q;
    const colBits = addressBits(cols);
    memories(node, s);
    memory(s, 'row buffer of numerators', { role: 'buffer', depth: cols, width: expBits, storage: 'lutram' });
    block(s, 'control', s.named ? `softmax FSM (${SOFTMAX_STATES} states)` : '', 2 * SOFTMAX_STATES, 4 + 1 + 5 + 2 * colBits);
    counter(s, 'row', rows);
    counter(s, 'column', cols);
    counter(s, 'divider step', q);
    counter(s, 'output address', node.output.elements);
    block(s, 'control', 'input address row·cols + c', addressBits(node.inputs[0]!.elements), 0);
    comparator(s, 'row max', inBits);
    mux(s, 'row max load', 2, inBits);
    register(s, 'row max', inBits);
    adder(s, 'k = max − x', inBits + 1);
    mux(s, 'table index clamp', 2, addressBits(2 ** inBits));
    adder(s, 'row sum', sumBits);
    mux(s, 'row sum start', 2, sumBits);
    register(s, 'row sum', sumBits);
    adder(s, 'numerator 2eK', numBits);
    adder(s, 'numerator + S', numBits);
    comparator(s, 'remainder ≥ divisor', numBits);
    adder(s, 'remainder − divisor', numBits);
    mux(s, 'remainder', 3, numBits);
    register(s, 'remainder', numBits);
    mux(s, 'divisor load or shift', 2, numBits);
    register(s, 'divisor', numBits);
    register(s, 'quotient', q);
    adder(s, 'output zero point', node.output.bits + 1);
  },
  cycles: softmaxCycles,
};
