/**
 * Datapath pieces shared by several kinds. Each layer owns one multiplier, time-shared between its products
 * and its requantization, so the operand muxes in front of it are part of every arithmetic layer.
 */
import type { LayerNode } from '../../ir/types.js';
import { macCycles } from '../../emitters/vhdl/plan.js';
import { planOf } from './_mac.js';
import { adder, memory, multiplier, mux, register, saturate, type Sink } from '../primitives.js';

export interface KindEstimator {
  /** Reports the hardware the layer is made of, block by block, to the sink. */
  parts(node: LayerNode, s: Sink): void;
  /** Cycles from enable to done in the layer-at-a-time schedule. */
  cycles(node: LayerNode): number;
}

/** Cycles of a layer running on the MAC engine, from its hardware plan (the same one the VHDL follows). */
export function planCycles(node: LayerNode): number {
  return macCycles(planOf(node));
}

/** The layer's multiplier and the operand muxes that let products and requantization share it. */
export function sharedMultiplier(node: LayerNode, s: Sink): void {
  const m = node.multiplier;
  if (!m) return;
  mux(s, 'multiplier operand a', 2, m.aBits);
  mux(s, 'multiplier operand b', 2, m.bBits);
  multiplier(s, 'shared', m);
}

/** y = clamp(z_y + round(v · m / 2^n)): rounding add on the product, zero-point add, saturation, output register. */
export function requantizer(node: LayerNode, s: Sink): void {
  const m = node.multiplier!;
  const out = node.output.bits;
  adder(s, 'requant rounding', m.aBits + m.bBits);
  adder(s, 'requant zero point', out + 2);
  saturate(s, 'requant', out + 2, out);
  register(s, 'output', out);
}

/** x − z_x for each operand read from a buffer. */
export function zeroPointSubtract(node: LayerNode, s: Sink): void {
  for (let k = 0; k < node.inputs.length; k++) adder(s, s.named ? `input ${k} zero point` : '', node.inputs[k]!.bits + 1);
}

export function accumulator(s: Sink, bits: number): void {
  adder(s, 'accumulator', bits);
  register(s, 'accumulator', bits);
}

/** Output buffer and parameter memories of a layer, as resolved in the IR. */
export function memories(node: LayerNode, s: Sink): void {
  if (node.buffer) memory(s, 'output buffer', node.buffer);
  for (const m of node.memories) memory(s, s.named ? `${m.role} memory` : '', m);
}
