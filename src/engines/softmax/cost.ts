/** The softmax engine's blocks with their raw costs, read off the same plan as its VHDL (vhdl.ts). */
import { addressBits } from '../../devices/mapping.js';
import { adder, comparator, memory, mux, register, type Sink } from '../../devices/primitives.js';
import type { LayerNode } from '../../ir/types.js';
import { dividerParts, rowSweepControl } from '../_shared/blocks.js';
import { expBitsOf, numeratorBitsOf, quotientBitsOf, SOFTMAX_STATES, type SoftmaxPlan } from './plan.js';

export function softmaxParts(node: LayerNode, p: SoftmaxPlan, s: Sink): void {
  const { rows, cols, inputBits, sumBits } = p;
  const expBits = expBitsOf(p);
  const q = quotientBitsOf(p);
  const numBits = numeratorBitsOf(p);
  const colBits = addressBits(cols);
  memory(s, 'output buffer', node.buffer!);
  for (const m of node.memories) memory(s, s.named ? `${m.role} memory` : '', m);
  memory(s, 'row buffer of numerators', { role: 'buffer', depth: cols, width: expBits, storage: 'lutram' });
  // (c1, c2: the column of the data in pipeline stages 1 and 2)
  rowSweepControl(s, { fsm: 'softmax', states: SOFTMAX_STATES.length, extraFlipFlops: 2 * colBits, rows, cols, stepLabel: 'divider step', steps: q, outputs: node.output.elements, inputs: node.inputs[0]!.elements });
  comparator(s, 'row max', inputBits);
  mux(s, 'row max load', 2, inputBits);
  register(s, 'row max', inputBits);
  adder(s, 'k = max − x', inputBits + 1);
  mux(s, 'table index clamp', 2, addressBits(2 ** inputBits));
  adder(s, 'row sum', sumBits);
  mux(s, 'row sum start', 2, sumBits);
  register(s, 'row sum', sumBits);
  adder(s, 'numerator 2eK', numBits);
  adder(s, 'numerator + S', numBits);
  dividerParts(s, numBits, q);
  adder(s, 'output zero point', node.output.bits + 1);
}
