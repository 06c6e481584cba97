/**
 * Datapath pieces shared by several kinds. Each layer owns one multiplier, time-shared between its products
 * and its requantization, so the operand muxes in front of it are part of every arithmetic layer.
 */
import type { LayerNode } from '../../ir/types.js';
import { macCycles, macPlan } from '../../emitters/vhdl/plan.js';
import { adder, memory, multiplier, mux, register, saturate, type Part } from '../primitives.js';

export interface KindEstimator {
  /** The hardware the layer is made of. */
  parts(node: LayerNode): Part[];
  /** Cycles from enable to done in the layer-at-a-time schedule. */
  cycles(node: LayerNode): number;
}

/** Cycles of a layer running on the MAC engine, from its hardware plan (the same one the VHDL follows). */
export function planCycles(node: LayerNode): number {
  const plan = macPlan(node);
  if (!plan) throw new Error(`${node.path}: no MAC plan for ${node.kind}`);
  return macCycles(plan);
}

/** The layer's multiplier and the operand muxes that let products and requantization share it. */
export function sharedMultiplier(node: LayerNode): Part[] {
  const m = node.multiplier;
  if (!m) return [];
  return [mux('multiplier operand a', 2, m.aBits), mux('multiplier operand b', 2, m.bBits), multiplier('shared', m)];
}

/** y = clamp(z_y + round(v · m / 2^n)): rounding add on the product, zero-point add, saturation, output register. */
export function requantizer(node: LayerNode): Part[] {
  const m = node.multiplier!;
  const product = m.aBits + m.bBits;
  const out = node.output.bits;
  return [adder('requant rounding', product), adder('requant zero point', out + 2), saturate('requant', out + 2, out), register('output', out)];
}

/** x − z_x for each operand read from a buffer. */
export function zeroPointSubtract(node: LayerNode): Part[] {
  return node.inputs.map((i, k) => adder(`input ${k} zero point`, i.bits + 1));
}

export function accumulator(bits: number): Part[] {
  return [adder('accumulator', bits), register('accumulator', bits)];
}

/** Output buffer and parameter memories of a layer, as resolved in the IR. */
export function memories(node: LayerNode): Part[] {
  const parts: Part[] = [];
  if (node.buffer) parts.push(memory('output buffer', node.buffer));
  for (const m of node.memories) parts.push(memory(`${m.role} memory`, m));
  return parts;
}
