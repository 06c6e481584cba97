/**
 * Cost of the building blocks every layer is made of. Each function is a first analytic model of what
 * yosys `synth_xilinx` (and Vivado) build for that block on a 7-series part; the constants are documented in
 * docs/estimator.md and are the ones a calibration against synthesis will refit.
 */
import { addressBits, dspCount, memoryBram18Count, DSP_MIN_PRODUCT_BITS, dspGlue, lutMultiplierLuts, lutramMemoryLuts, lutramReadMuxLuts } from './mapping.js';
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

/** Index of each group, for sinks that sum by group without allocating. */
export const GROUP = { memory: 0, regfile: 1, arith: 2, mux: 3, control: 4, multiplier: 5, register: 6 } as const satisfies Record<PartGroup, number>;
export type GroupIndex = (typeof GROUP)[PartGroup];

/**
 * Where the building blocks report their cost. The estimate only sums numbers per group (`named` false: no
 * part names are built and nothing is allocated); reports and calibration record the parts themselves.
 */
export interface Sink {
  readonly named: boolean;
  add(group: GroupIndex, name: string, lut: number, ff: number, lutram: number, bram18: number, dsp: number): void;
}

/** Records every part (names included). */
export class PartList implements Sink {
  readonly named = true;
  readonly parts: Part[] = [];
  add(group: GroupIndex, name: string, lut: number, ff: number, lutram: number, bram18: number, dsp: number): void {
    this.parts.push({ name, group: PART_GROUPS[group], cost: { lut, ff, lutram, bram18, dsp } });
  }
}

/** Sums LUT, FF, LUTRAM, BRAM18 and DSP per group: values[group * 5 + resource]. */
export class GroupSums implements Sink {
  readonly named = false;
  readonly values = new Float64Array(PART_GROUPS.length * 5);
  add(group: GroupIndex, _name: string, lut: number, ff: number, lutram: number, bram18: number, dsp: number): void {
    const v = this.values;
    const o = group * 5;
    v[o] = v[o]! + lut;
    v[o + 1] = v[o + 1]! + ff;
    v[o + 2] = v[o + 2]! + lutram;
    v[o + 3] = v[o + 3]! + bram18;
    v[o + 4] = v[o + 4]! + dsp;
  }
}

/** Ripple-carry adder/subtractor: one LUT per bit (the CARRY4 chain is free in LUT terms). */
export function adder(s: Sink, name: string, bits: number): void {
  s.add(GROUP.arith, s.named ? `${name} adder ${bits}b` : '', bits, 0, 0, 0, 0);
}

export function register(s: Sink, name: string, bits: number): void {
  s.add(GROUP.register, s.named ? `${name} register ${bits}b` : '', 0, bits, 0, 0, 0);
}

/** Counter over 0..n-1 with terminal detection: incrementer LUTs + a compare per 6 bits, one FF per bit. */
export function counter(s: Sink, name: string, n: number): void {
  const bits = addressBits(n);
  s.add(GROUP.control, s.named ? `${name} counter 0..${n - 1}` : '', bits + Math.ceil(bits / 6), bits, 0, 0, 0);
}

/** Magnitude comparison on the carry chain: about one LUT per two bits. */
export function comparator(s: Sink, name: string, bits: number): void {
  s.add(GROUP.arith, s.named ? `${name} compare ${bits}b` : '', Math.ceil(bits / 2), 0, 0, 0, 0);
}

/** LUTs of an n-to-1 multiplexer: a LUT6 per 4 inputs per bit (MUXF7/F8 combine them); 2-to-1 packs two bits per LUT6. */
export function muxLuts(inputs: number, bits: number): number {
  if (inputs <= 1) return 0;
  return inputs === 2 ? Math.ceil(bits / 2) : bits * Math.ceil(inputs / 4);
}

export function mux(s: Sink, name: string, inputs: number, bits: number): void {
  s.add(GROUP.mux, s.named ? (inputs <= 1 ? `${name} wire` : `${name} mux ${inputs}:1 × ${bits}b`) : '', muxLuts(inputs, bits), 0, 0, 0, 0);
}

/** Saturation to a b-bit signed range: two comparisons and a select. */
export function saturate(s: Sink, name: string, fromBits: number, toBits: number): void {
  s.add(GROUP.arith, s.named ? `${name} saturate ${fromBits}b→${toBits}b` : '', fromBits + Math.ceil(toBits / 2), 0, 0, 0, 0);
}

/** A block costed directly (an FSM, an address adder), with its group. */
export function block(s: Sink, group: PartGroup, name: string, lut: number, ff: number): void {
  s.add(GROUP[group], s.named ? name : '', lut, ff, 0, 0, 0);
}

/**
 * Signed a × b multiplier with a registered product. On DSP48E1: slices by the port-splitting rule (products
 * narrower than 9 bits stay in LUTs). In LUTs: kiln's shift-and-add array, counted as characterized.
 */
export function multiplier(s: Sink, name: string, m: Pick<MultiplierNode, 'aBits' | 'bBits' | 'mapping'>): void {
  const productBits = m.aBits + m.bBits;
  if (m.mapping === 'dsp' && productBits >= DSP_MIN_PRODUCT_BITS) {
    const glue = dspGlue(m.aBits, m.bBits);
    s.add(GROUP.multiplier, s.named ? `${name} multiplier ${m.aBits}×${m.bBits} (dsp)` : '', glue.lut, glue.ff, 0, 0, dspCount(m.aBits, m.bBits));
    return;
  }
  // kiln_arith.multiply_lut (or a product too narrow for a DSP): LUTs as characterized, the product registered
  const inferred = m.mapping === 'dsp';
  s.add(GROUP.multiplier, s.named ? `${name} multiplier ${m.aBits}×${m.bBits} (${inferred ? 'lut, too narrow for a DSP' : 'lut, shift-and-add'})` : '', lutMultiplierLuts(m.aBits, m.bBits, inferred), productBits, 0, 0, 0);
}

/**
 * A memory with one write port (buffers) or none (ROMs) and one clocked read port.
 * - bram: RAMB18E1 count by the best aspect ratio; the read register is inside the block.
 * - lutram: RAM32M/RAM64M banks plus a read mux and an output register.
 * - registers: one FF per bit, write decode and a read mux.
 * - logic / lutram ROM: LUT6 as 64×1 tables per bit, a mux across tables, an output register.
 */
export function memory(s: Sink, name: string, mem: Pick<MemoryNode, 'role' | 'depth' | 'width' | 'storage'>): void {
  const { depth, width, storage } = mem;
  const label = s.named ? `${name} ${depth}×${width} (${storage})` : '';
  if (mem.role !== 'buffer' && depth <= 1) {
    // a one-entry ROM is a constant: synthesis keeps neither a table nor its read register (the output layer's
    // 1 × 18 bias ROM was 18 flip-flops over in every calibration model)
    s.add(GROUP.memory, label, 0, 0, 0, 0, 0);
  } else if (mem.role === 'buffer' && depth <= 1 && storage !== 'registers') {
    // one entry: yosys keeps it in flip-flops (the entry and the read register), whatever the storage
    s.add(GROUP.regfile, label, 0, 2 * width, 0, 0, 0);
  } else if (storage === 'bram') {
    s.add(GROUP.memory, label, 0, 0, 0, memoryBram18Count(mem.role, depth, width), 0);
  } else if (storage === 'registers') {
    s.add(GROUP.regfile, label, Math.ceil(depth / 2) + muxLuts(depth, width), depth * width + width, 0, 0, 0);
  } else if (storage === 'lutram' && mem.role === 'buffer') {
    const banks = lutramMemoryLuts(depth, width);
    s.add(GROUP.memory, label, banks + lutramReadMuxLuts(depth, width), width, banks, 0, 0);
  } else {
    // a ROM in 'logic' or 'lutram' (distributed ROM): LUT6 tables
    const tables = Math.ceil(depth / 64);
    const perBit = depth <= 32 ? 0.5 : tables;
    s.add(GROUP.memory, label, Math.ceil(width * perBit) + (tables > 1 ? width * Math.ceil(tables / 4) : 0), width, 0, 0, 0);
  }
}

/** Layer controller: state register, enable/done handshake, and a base of glue logic. */
export function controller(s: Sink, states: number): void {
  s.add(GROUP.control, s.named ? `controller ${states} states` : '', 4 + 2 * states, addressBits(states) + 2, 0, 0, 0);
}
