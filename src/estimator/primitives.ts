/**
 * Cost of the building blocks every layer is made of. Each function is a first analytic model of what
 * yosys `synth_xilinx` (and Vivado) build for that block on a 7-series part; the constants are documented in
 * docs/estimator.md and are the ones a calibration against synthesis will refit.
 */
import { addressBits, bram18Count, dspCount, DSP_MIN_PRODUCT_BITS, lutramLuts } from '../devices/mapping.js';
import type { MemoryNode, MultiplierNode } from '../ir/types.js';

export interface Cost {
  lut: number;
  ff: number;
  /** LUTs used as memory (a subset of `lut`). */
  lutram: number;
  bram18: number;
  dsp: number;
}

/**
 * What kind of logic a part is; calibration scales LUT and FF per (layer kind, group). 'regfile' (a memory
 * kept in flip-flops) is not fitted: its depth × width flip-flops are an exact count.
 */
export const PART_GROUPS = ['memory', 'regfile', 'arith', 'mux', 'control', 'multiplier', 'register'] as const;
export type PartGroup = (typeof PART_GROUPS)[number];

export interface Part {
  /** What the part is, e.g. 'multiplier 24×16 (dsp)'. */
  readonly name: string;
  readonly group: PartGroup;
  readonly cost: Cost;
}

export const ZERO: Cost = Object.freeze({ lut: 0, ff: 0, lutram: 0, bram18: 0, dsp: 0 });

export function cost(partial: Partial<Cost>): Cost {
  // explicit fields rather than object spread: this runs for every part of every estimate
  return { lut: partial.lut ?? 0, ff: partial.ff ?? 0, lutram: partial.lutram ?? 0, bram18: partial.bram18 ?? 0, dsp: partial.dsp ?? 0 };
}

export function sum(costs: readonly Cost[]): Cost {
  const out = cost({});
  for (const c of costs) {
    out.lut += c.lut;
    out.ff += c.ff;
    out.lutram += c.lutram;
    out.bram18 += c.bram18;
    out.dsp += c.dsp;
  }
  return out;
}

/** Ripple-carry adder/subtractor: one LUT per bit (the CARRY4 chain is free in LUT terms). */
export function adder(name: string, bits: number): Part {
  return { name: `${name} adder ${bits}b`, group: 'arith', cost: cost({ lut: bits }) };
}

export function register(name: string, bits: number): Part {
  return { name: `${name} register ${bits}b`, group: 'register', cost: cost({ ff: bits }) };
}

/** Counter over 0..n-1 with terminal detection: incrementer LUTs + a compare per 6 bits, one FF per bit. */
export function counter(name: string, n: number): Part {
  const bits = addressBits(n);
  return { name: `${name} counter 0..${n - 1}`, group: 'control', cost: cost({ lut: bits + Math.ceil(bits / 6), ff: bits }) };
}

/** Magnitude comparison on the carry chain: about one LUT per two bits. */
export function comparator(name: string, bits: number): Part {
  return { name: `${name} compare ${bits}b`, group: 'arith', cost: cost({ lut: Math.ceil(bits / 2) }) };
}

/** n-to-1 multiplexer: a LUT6 per 4 inputs per bit (MUXF7/F8 combine them); 2-to-1 packs two bits per LUT6. */
export function mux(name: string, inputs: number, bits: number): Part {
  if (inputs <= 1) return { name: `${name} wire`, group: 'mux', cost: ZERO };
  const lut = inputs === 2 ? Math.ceil(bits / 2) : bits * Math.ceil(inputs / 4);
  return { name: `${name} mux ${inputs}:1 × ${bits}b`, group: 'mux', cost: cost({ lut }) };
}

/** Saturation to a b-bit signed range: two comparisons and a select. */
export function saturate(name: string, fromBits: number, toBits: number): Part {
  return { name: `${name} saturate ${fromBits}b→${toBits}b`, group: 'arith', cost: cost({ lut: fromBits + Math.ceil(toBits / 2) }) };
}

/**
 * Signed a × b multiplier with a registered product. On DSP48E1: slices by the port-splitting rule (products
 * narrower than 9 bits stay in LUTs). In LUTs: kiln's shift-and-add array, b rows of adders.
 */
export function multiplier(name: string, m: Pick<MultiplierNode, 'aBits' | 'bBits' | 'mapping'>): Part {
  const label = `${name} multiplier ${m.aBits}×${m.bBits}`;
  const productBits = m.aBits + m.bBits;
  if (m.mapping === 'dsp' && productBits >= DSP_MIN_PRODUCT_BITS) {
    return { name: `${label} (dsp)`, group: 'multiplier', cost: cost({ dsp: dspCount(m.aBits, m.bBits), ff: 0 }) };
  }
  // kiln_arith.multiply_lut: one shifted partial-product row per bit of b, each an adder as wide as the
  // running sum (a + i bits), the AND of the partial product folded into the adder's LUTs.
  const rows = m.bBits;
  return { name: `${label} (lut, shift-and-add)`, group: 'multiplier', cost: cost({ lut: rows * m.aBits + (rows * (rows - 1)) / 2, ff: productBits }) };
}

/**
 * A memory with one write port (buffers) or none (ROMs) and one clocked read port.
 * - bram: RAMB18E1 count by the best aspect ratio; the read register is inside the block.
 * - lutram: RAM32M/RAM64M banks plus a read mux and an output register.
 * - registers: one FF per bit, write decode and a read mux.
 * - logic / lutram ROM: LUT6 as 64×1 tables per bit, a mux across tables, an output register.
 */
export function memory(name: string, mem: Pick<MemoryNode, 'role' | 'depth' | 'width' | 'storage'>): Part {
  const { depth, width, storage } = mem;
  const label = `${name} ${depth}×${width} (${storage})`;
  const isRom = mem.role !== 'buffer';
  switch (storage) {
    case 'bram':
      return { name: label, group: 'memory', cost: cost({ bram18: bram18Count(depth, width) }) };
    case 'lutram': {
      if (isRom) return { name: label, group: 'memory', cost: romLuts(depth, width) };
      const l = lutramLuts(depth, width);
      return { name: label, group: 'memory', cost: cost({ lut: l.memory + l.readMux, lutram: l.memory, ff: width }) };
    }
    case 'registers':
      return {
        name: label,
        group: 'regfile',
        cost: cost({ ff: depth * width + width, lut: Math.ceil(depth / 2) + mux('', depth, width).cost.lut }),
      };
    case 'logic':
      return { name: label, group: 'memory', cost: romLuts(depth, width) };
  }
}

function romLuts(depth: number, width: number): Cost {
  const tables = Math.ceil(depth / 64);
  const perBit = depth <= 32 ? 0.5 : tables;
  return cost({ lut: Math.ceil(width * perBit) + (tables > 1 ? width * Math.ceil(tables / 4) : 0), ff: width });
}

/** Layer controller: state register, enable/done handshake, and a base of glue logic. */
export function controller(states: number): Part {
  return { name: `controller ${states} states`, group: 'control', cost: cost({ lut: 4 + 2 * states, ff: addressBits(states) + 2 }) };
}
