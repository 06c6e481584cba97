/** The layer-norm engine's blocks with their raw costs, read off the same plan as its VHDL (vhdl.ts). */
import { adder, comparator, memory, multiplier, mux, register, type Sink } from '../../devices/primitives.js';
import type { LayerNode } from '../../ir/types.js';
import { requantizerParts } from '../_shared/cost.js';
import { dividerParts, rowSweepControl, setBits } from '../_shared/blocks.js';
import { LAYERNORM_STATES, normalizedBits, numeratorBits, quotientBits, rootIterations, type LayernormPlan } from './plan.js';

export function layernormParts(node: LayerNode, p: LayernormPlan, s: Sink): void {
  const m = node.multiplier!;
  const acc = node.widths.acc!;
  const { sumBits, diffBits, varianceBits: vb } = p;
  const nb = numeratorBits(p);
  const qb = quotientBits(p);

  // storage: output buffer, γ and β ROMs
  memory(s, 'output buffer', node.buffer!);
  for (const mem of node.memories) memory(s, s.named ? `${mem.role} ROM` : '', mem);

  rowSweepControl(s, { fsm: 'layer-norm', states: LAYERNORM_STATES.length, extraFlipFlops: 0, rows: p.rows, cols: p.cols, stepLabel: 'step', steps: Math.max(rootIterations(p), qb), outputs: node.output.elements, inputs: node.inputs[0]!.elements });

  // sum pass: S = Σ x
  adder(s, 'row sum', sumBits);
  mux(s, 'row sum start', 2, sumBits);
  register(s, 'row sum', sumBits);
  // D = n·x − S: shifted adds for the set bits of n, then the subtraction; registered for the element pass
  if (setBits(p.cols) > 1) adder(s, s.named ? `n·x (${setBits(p.cols)} shifted terms)` : '', (setBits(p.cols) - 1) * diffBits);
  adder(s, 'D = n·x − S', diffBits);
  register(s, 'D', diffBits);
  // variance pass: V = Σ D²
  adder(s, 'variance', vb);
  mux(s, 'variance start', 2, vb);
  register(s, 'variance', vb);
  // square root: op − (res + one) with a compare, res/2 + one, three registers
  adder(s, 'root V + E', vb);
  adder(s, 'root trial', vb + 1);
  comparator(s, 'root compare', vb + 1);
  adder(s, 'root remainder', vb);
  adder(s, 'root result', vb);
  mux(s, 'root remainder', 2, vb);
  mux(s, 'root result', 2, vb);
  register(s, 'root remainder', vb);
  register(s, 'root result', vb);
  register(s, 'root bit', vb);
  // divider: |D|, numerator load, restoring steps, sign
  adder(s, '|D|', diffBits);
  adder(s, 'numerator + R', nb);
  dividerParts(s, nb, qb);
  adder(s, 'sign of Q', normalizedBits(p));
  register(s, 'Q', normalizedBits(p));

  // the shared multiplier and its operand muxes (D·D, Q·γ', acc·m)
  adder(s, 'parameter zero point', node.widths.weight! + 1);
  mux(s, 'multiplier operand a', 3, m.aBits);
  mux(s, 'multiplier operand b', 3, m.bBits);
  multiplier(s, 'shared', m);
  // affine: acc = Q·γ' + B
  adder(s, 'accumulator', acc);
  register(s, 'accumulator', acc);
  requantizerParts(s, m.aBits + m.bBits, node.output.bits);
}
