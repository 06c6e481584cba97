/**
 * How memories and multipliers map onto Xilinx 7-series primitives. These are counting rules, not estimates:
 * the storage resolver uses them to place 'auto' memories and multipliers within the budget, and the estimator
 * uses the same functions, so a decision and its cost cannot disagree.
 */
import { LUT_MULTIPLIER_ROWS, LUT_MULTIPLIER_SURFACE, SMALL_PRODUCT_LUTS } from './characterized.generated.js';

/** Simple-dual-port RAMB18E1 shapes (UG473): depth × width. Widths 9/18/36 include parity bits. */
const BRAM18_SHAPES: readonly (readonly [depth: number, width: number])[] = [
  [16384, 1],
  [8192, 2],
  [4096, 4],
  [2048, 9],
  [1024, 18],
  [512, 36],
];

/** Fewest RAMB18E1 holding a depth × width memory: the best single aspect ratio, tiled. */
export function bram18Count(depth: number, width: number): number {
  if (depth <= 0 || width <= 0) return 0;
  let best = Infinity;
  for (let i = 0; i < BRAM18_SHAPES.length; i++) {
    const shape = BRAM18_SHAPES[i]!;
    const n = Math.ceil(depth / shape[0]) * Math.ceil(width / shape[1]);
    if (n < best) best = n;
  }
  return best;
}

/** Bits of one RAMB18E1, parity included (a ROM uses them all). */
const BRAM18_BITS = 18 * 1024;

/**
 * RAMB18E1 of a read-only memory (a parameter ROM) in BRAM: yosys packs several narrow words into each wide
 * row and selects among them on the read side, so a ROM takes its bits over 18 Kbit (a RAMB36E1 counting as
 * two), at most what the shape rule gives and at least one block per 36 bits of width. Measured on ROMs 1,536
 * to 4,608 deep and 3 to 12 wide (bench/results/characterize.md, family `rom`); a 2,304 × 6 ROM is one block,
 * where the best single aspect ratio needs two.
 */
export function romBram18Count(depth: number, width: number): number {
  if (depth <= 0 || width <= 0) return 0;
  return Math.min(bram18Count(depth, width), Math.max(Math.ceil((depth * width) / BRAM18_BITS), Math.ceil(width / 36)));
}

/** RAMB18E1 of a memory placed in BRAM: buffers (written while the layer runs) by shape, ROMs packed. */
export function memoryBram18Count(role: 'buffer' | 'weights' | 'bias' | 'table', depth: number, width: number): number {
  // a one-entry buffer is a register whatever its storage says (yosys maps no memory of depth 1)
  if (role === 'buffer' && depth <= 1) return 0;
  return role === 'buffer' ? bram18Count(depth, width) : romBram18Count(depth, width);
}

/**
 * How yosys (memory_libmap with the Series-7 LUTRAM library, lutrams_xc5v.txt) lays out a memory with one write
 * and one separate read port. Every library option is an instance of 4 LUTs holding `unit` bits of 2^abits
 * entries; a memory takes `banks` = ⌈depth / 2^abits⌉ address banks of ⌈width / unit⌉ instances each, read
 * through a banks:1 multiplexer per bit and written through a banks-way enable decoder. yosys picks the option
 * of least cost, (cost − widthscale)·instances + widthscale·banks·width/unit + ½·(banks − 1)·width (read mux)
 * + ½·banks when banks > 1 (write decode); on a tie the earlier option in the library. The rule is checked
 * against the characterization sweep (bench/characterize.ts): 65 × 5 takes three RAM32M (12 LUTs), where
 * RAM64M banks would take 16.
 */
const LUTRAM_OPTIONS = [
  // dual port (one read/write, one read): RAM32M, a pair of RAM64X1D, RAM128X1D
  { abits: 5, unit: 4, cost: 8, widthscale: 8 },
  { abits: 6, unit: 2, cost: 8, widthscale: 8 },
  { abits: 7, unit: 1, cost: 8, widthscale: 8 },
  // quad port: RAM32M, RAM64M
  { abits: 5, unit: 2, cost: 7, widthscale: 7 },
  { abits: 6, unit: 1, cost: 7, widthscale: 7 },
  // simple dual port: RAM32M, RAM64M
  { abits: 5, unit: 6, cost: 8, widthscale: 7 },
  { abits: 6, unit: 3, cost: 8, widthscale: 7 },
] as const;

export interface LutramLayout {
  /** Address banks: entries 2^abits each. */
  readonly banks: number;
  /** 4-LUT instances (the LUTRAM count is 4 per instance). */
  readonly instances: number;
}

export function lutramLayout(depth: number, width: number): LutramLayout {
  let best: LutramLayout & { cost: number } = { banks: 0, instances: 0, cost: Infinity };
  for (const o of LUTRAM_OPTIONS) {
    const banks = Math.ceil(depth / 2 ** o.abits);
    const instances = banks * Math.ceil(width / o.unit);
    const cost = (o.cost - o.widthscale) * instances + (o.widthscale * banks * width) / o.unit + 0.5 * (banks - 1) * width + (banks > 1 ? 0.5 * banks : 0);
    if (cost < best.cost) best = { banks, instances, cost };
  }
  return { banks: best.banks, instances: best.instances };
}

/**
 * LUTs of a LUTRAM memory with one write and one read port (simple dual port, as the layer buffers are): the
 * LUTRAM instances, and the logic LUTs of the read multiplexer and the write-enable decoder across banks.
 */
export function lutramLuts(depth: number, width: number): { memory: number; readMux: number } {
  return { memory: lutramMemoryLuts(depth, width), readMux: lutramReadMuxLuts(depth, width) };
}

/** The LUTs of the LUTRAM instances themselves (the LUTRAM count). */
export function lutramMemoryLuts(depth: number, width: number): number {
  if (depth <= 0 || width <= 0) return 0;
  return 4 * lutramLayout(depth, width).instances;
}

/** LUT6s of a banks:1 multiplexer: 4:1 per LUT6 (with the slice's MUXF7/F8), in stages. */
function bankMuxLuts(banks: number): number {
  return banks <= 1 ? 0 : banks <= 4 ? 1 : Math.ceil(banks / 4) + bankMuxLuts(Math.ceil(banks / 4));
}

/** The read multiplexer across banks, per bit, and the write-enable decoder (logic LUTs, not LUTRAM). */
export function lutramReadMuxLuts(depth: number, width: number): number {
  if (depth <= 0 || width <= 0) return 0;
  const { banks } = lutramLayout(depth, width);
  const decoder = banks <= 1 ? 0 : banks <= 4 ? banks : 2 * banks - 2;
  return width * bankMuxLuts(banks) + decoder;
}

/** DSP48E1 multiplier port limits for signed operands (A: 25 bits, B: 18 bits). */
export const DSP_A_BITS = 25;
export const DSP_B_BITS = 18;
/** yosys leaves products narrower than this (result width) in LUTs even when DSPs are allowed. */
export const DSP_MIN_PRODUCT_BITS = 9;

/**
 * DSP48E1 slices for a signed a × b multiplier. The wider operand goes to the 25-bit port; operands that do
 * not fit are split into 24- and 17-bit unsigned chunks (plus the sign chunk), one slice per partial product.
 */
export function dspCount(aBits: number, bBits: number): number {
  const wide = Math.max(aBits, bBits);
  const narrow = Math.min(aBits, bBits);
  if (wide + narrow < DSP_MIN_PRODUCT_BITS) return 0;
  const chunks = (bits: number, port: number) => (bits <= port ? 1 : 1 + Math.ceil((bits - port) / (port - 1)));
  return chunks(wide, DSP_A_BITS) * chunks(narrow, DSP_B_BITS);
}

/**
 * Logic around a product split over several DSP48E1 slices (measured to 32 × 32 in bench/characterize.ts):
 * split in one operand, the slices cascade and the low 17 bits of each earlier partial product are
 * registered; split in both, the upper partial products are added in LUTs (a + b − 17 of them) and the whole
 * product is registered in fabric.
 */
export function dspGlue(aBits: number, bBits: number): { lut: number; ff: number } {
  const wide = Math.max(aBits, bBits);
  const narrow = Math.min(aBits, bBits);
  const splitWide = wide > DSP_A_BITS;
  const splitNarrow = narrow > DSP_B_BITS;
  if (splitWide && splitNarrow) return { lut: aBits + bBits - (DSP_B_BITS - 1), ff: aBits + bBits };
  if (splitWide || splitNarrow) return { lut: 0, ff: (DSP_B_BITS - 1) * (dspCount(aBits, bBits) - 1) };
  return { lut: 0, ff: 0 };
}

/**
 * LUTs of a signed a × b multiplier built in LUTs: kiln's shift-and-add (`multiply_lut`), or a product too
 * narrow for yosys to put on a DSP (`inferred`). Both from the characterization sweep of bench/characterize.ts:
 * a line in a per width b where measured, the fitted surface beyond.
 */
export function lutMultiplierLuts(aBits: number, bBits: number, inferred = false): number {
  if (inferred) {
    const measured = SMALL_PRODUCT_LUTS[`${aBits}x${bBits}`];
    if (measured !== undefined) return measured;
  }
  const row = LUT_MULTIPLIER_ROWS[bBits];
  if (row !== undefined) return Math.max(1, Math.round(row[0] * aBits + row[1]));
  const [k0 = 0, k1 = 0, k2 = 0, k3 = 0, k4 = 0] = LUT_MULTIPLIER_SURFACE;
  return Math.max(1, Math.round(k0 * aBits * bBits + k1 * bBits * bBits + k2 * aBits + k3 * bBits + k4));
}

/** Bits of an unsigned counter or address able to hold values 0..n-1 (at least 1). */
export function addressBits(n: number): number {
  // ⌈log2 n⌉ in integer arithmetic (exact, and cheap on the estimator's hot path)
  return n <= 2 ? 1 : 32 - Math.clz32(n - 1);
}
