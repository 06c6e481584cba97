/**
 * Parts of a layer built on the MAC engine, read off its hardware plan (src/emitters/vhdl/plan.ts) and the
 * engine's VHDL (src/emitters/vhdl/mac.ts) block by block, so the estimate follows what is generated.
 */
import { addressBits } from '../../devices/mapping.js';
import { macPlan, type Affine, type MacPlan } from '../../emitters/vhdl/plan.js';
import type { LayerNode } from '../../ir/types.js';
import { adder, comparator, cost, counter, memory, multiplier, mux, register, saturate, type Part } from '../primitives.js';

/** FSM of the engine: 7 states, done, and the pipeline flags v1, v2, first1, first2 (and t1 per-term). */
const ENGINE_STATES = 7;

function planOf(node: LayerNode): MacPlan {
  const plan = macPlan(node);
  if (!plan) throw new Error(`${node.path}: no MAC plan for ${node.kind}`);
  return plan;
}

/** An address Σ c_i·i_i + c_t·t: one adder per extra term, constant multiplies by powers of two are wiring. */
function addressLogic(name: string, a: Affine, depth: number): Part[] {
  const terms = [...a.loops, a.term].filter((c) => c !== 0);
  const bits = addressBits(depth);
  const adders = Math.max(0, terms.length - 1 + (a.offset !== 0 ? 1 : 0));
  const constMults = terms.filter((c) => c > 1 && (c & (c - 1)) !== 0).length;
  return adders + constMults === 0 ? [] : [{ name: `${name} address (${terms.length} terms)`, group: 'control', cost: cost({ lut: (adders + constMults) * bits }) }];
}

export function macParts(node: LayerNode): Part[] {
  const plan = planOf(node);
  const m = node.multiplier!;
  const acc = node.widths.acc!;
  const product = m.aBits + m.bBits;
  const outBits = node.output.bits;
  const outputs = node.output.elements;
  const perTerm = plan.a.length > 1 || plan.b.length > 1;
  const parts: Part[] = [];

  // storage: output buffer, ROMs (their read registers are inside BRAM, or in fabric otherwise)
  parts.push(memory('output buffer', node.buffer!));
  for (const mem of node.memories) parts.push(memory(`${mem.role} ROM`, mem));

  // control: state register and next-state logic, done, pipeline flags, counters
  parts.push({ name: `engine FSM (${ENGINE_STATES} states)`, group: 'control', cost: cost({ lut: 2 * ENGINE_STATES, ff: 3 + 1 + 4 + (perTerm ? addressBits(plan.terms) : 0) }) });
  plan.loops.forEach((n, i) => {
    if (n > 1) parts.push(counter(`output loop ${i}`, n));
  });
  if (plan.terms > 1) parts.push(counter('product', plan.terms));
  parts.push(counter('output address', outputs));

  // addresses of the operand reads
  plan.ports.forEach((a, p) => parts.push(...addressLogic(`input ${p}`, a, node.inputs[p]!.elements)));
  for (const [rom, a] of Object.entries(plan.roms)) {
    const mem = node.memories.find((x) => x.role === (rom === 'weights' ? 'weights' : 'table'))!;
    parts.push(...addressLogic(`${rom} ROM`, a!, mem.depth));
  }

  // operands: zero points subtracted, per-term selection, the shared multiplier and its operand muxes
  node.inputs.forEach((inp, p) => parts.push(adder(`input ${p} zero point`, inp.bits + 1)));
  if (node.widths.weight !== undefined) parts.push(adder('parameter zero point', node.widths.weight + 1));
  if (perTerm) parts.push(mux('per-term operand a', plan.a.length, Math.max(...node.inputs.map((i) => i.bits), node.widths.weight ?? 0) + 1));
  if (plan.scale) parts.push(mux('multiplier operand a (acc or operand)', 2, m.aBits), mux('multiplier operand b (m or operand)', 2, m.bBits));
  parts.push(multiplier('shared', m));

  // accumulation: add the product (or start from the bias), register
  parts.push(adder('accumulator', acc), mux('accumulator start (bias or acc)', 2, acc), register('accumulator', acc));

  // requantization: + 2^(n-1), arithmetic shift (wiring), + z_y, saturate to the output width
  const requantIn = plan.scale ? product : acc;
  parts.push(adder('requant rounding', requantIn), adder('requant zero point', outBits + 2), saturate('requant', outBits + 2, outBits), comparator('requant high', outBits + 2));
  return parts;
}
