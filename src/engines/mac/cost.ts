/**
 * The MAC engine's blocks with their raw costs, read off the same plan as its VHDL (vhdl.ts), block by block.
 */
import { addressBits } from '../../devices/mapping.js';
import { adder, block, counter, memory, multiplier, mux, register, type Sink } from '../../devices/primitives.js';
import type { LayerNode } from '../../ir/types.js';
import { addressAdders, constantProductLuts } from '../_shared/blocks.js';
import { requantizerParts } from '../_shared/cost.js';
import { isPerTerm, MAC_STATES, type Affine, type MacPlan } from './plan.js';

/** An address Σ c_i·i_i + c_t·t + offset over the plan's loop and product counters (_shared/blocks.ts). */
function addressLogic(s: Sink, name: string, a: Affine, plan: MacPlan, depth: number): void {
  let terms = 0;
  let productLuts = 0;
  for (let i = 0; i < a.loops.length; i++) {
    const c = a.loops[i]!;
    if (c === 0) continue;
    terms++;
    productLuts += constantProductLuts(c, plan.loops[i]!);
  }
  if (a.term !== 0) {
    terms++;
    productLuts += constantProductLuts(a.term, plan.terms);
  }
  addressAdders(s, name, terms, productLuts, a.offset !== 0, depth);
}

export function macParts(node: LayerNode, plan: MacPlan, s: Sink): void {
  const m = node.multiplier!;
  const acc = node.widths.acc!;
  const perTerm = isPerTerm(plan);

  // storage: output buffer, ROMs (their read registers are inside BRAM, or in fabric otherwise)
  memory(s, 'output buffer', node.buffer!);
  for (const mem of node.memories) memory(s, s.named ? `${mem.role} ROM` : '', mem);

  // control: state register and next-state logic, done, pipeline flags (v1, v2, first1, first2), counters
  block(s, 'control', s.named ? `engine FSM (${MAC_STATES.length} states)` : '', 2 * MAC_STATES.length, 3 + 1 + 4 + (perTerm ? addressBits(plan.terms) : 0));
  for (let i = 0; i < plan.loops.length; i++) if (plan.loops[i]! > 1) counter(s, s.named ? `output loop ${i}` : '', plan.loops[i]!);
  if (plan.terms > 1) counter(s, 'product', plan.terms);
  counter(s, 'output address', node.output.elements);

  // addresses of the operand reads
  for (let p = 0; p < plan.ports.length; p++) addressLogic(s, s.named ? `input ${p}` : '', plan.ports[p]!, plan, node.inputs[p]!.elements);
  for (const mem of node.memories) {
    if (mem.role === 'weights' && plan.roms.weights) addressLogic(s, 'weights ROM', plan.roms.weights, plan, mem.depth);
    else if (mem.role === 'table' && plan.roms.table) addressLogic(s, 'table ROM', plan.roms.table, plan, mem.depth);
  }

  // operands: zero points subtracted, per-term selection, the shared multiplier and its operand muxes
  let widest = 0;
  for (let p = 0; p < node.inputs.length; p++) {
    const bits = node.inputs[p]!.bits;
    adder(s, s.named ? `input ${p} zero point` : '', bits + 1);
    if (bits > widest) widest = bits;
  }
  if (node.widths.weight !== undefined) adder(s, 'parameter zero point', node.widths.weight + 1);
  if (perTerm) mux(s, 'per-term operand a', plan.a.length, Math.max(widest, node.widths.weight ?? 0) + 1);
  if (plan.scale) {
    mux(s, 'multiplier operand a (acc or operand)', 2, m.aBits);
    mux(s, 'multiplier operand b (m or operand)', 2, m.bBits);
  }
  multiplier(s, 'shared', m);

  // accumulation: add the product (or start from the bias), register
  adder(s, 'accumulator', acc);
  mux(s, 'accumulator start (bias or acc)', 2, acc);
  register(s, 'accumulator', acc);

  requantizerParts(s, plan.scale ? m.aBits + m.bBits : acc, node.output.bits);
}
