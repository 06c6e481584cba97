/**
 * The plan of the multiply-accumulate engine: pure data derived from the IR alone (no parameters), read by the
 * VHDL writer to generate the datapath, by the cost model to count its blocks and by both for the schedule.
 *
 * For every output element, in row-major output order, the engine streams `terms` products (a − z_a)·(b − z_b)
 * into an accumulator (optionally preloaded with a bias), then requantizes the accumulator, multiplying it by
 * m on the same multiplier when `scale`.
 */

/** address = Σ loops[i]·loopIndex[i] + term·termIndex + offset */
export interface Affine {
  readonly loops: readonly number[];
  readonly term: number;
  readonly offset: number;
}

export type RomRole = 'weights' | 'table';

export type Operand =
  | { readonly source: 'port'; readonly port: number }
  | { readonly source: 'rom'; readonly rom: RomRole }
  | { readonly source: 'const'; readonly value: 'm1' | 'm2' | 'one' };

export interface MacPlan {
  /** Output loop counts, outermost first; outputs are written in this order at consecutive addresses. */
  readonly loops: readonly number[];
  /** Products per output. */
  readonly terms: number;
  /** Read address of each input port. */
  readonly ports: readonly Affine[];
  /** Read address of each parameter ROM used as an operand. */
  readonly roms: Partial<Record<RomRole, Affine>>;
  /** The accumulator starts from bias[loopIndex[loop]] instead of 0. */
  readonly bias?: { readonly loop: number };
  /** Operands a and b: one entry used for every term, or one entry per term. */
  readonly a: readonly Operand[];
  readonly b: readonly Operand[];
  /** Requantize acc·m (true) or acc alone (false: the terms already carry their multipliers m1, m2). */
  readonly scale: boolean;
}

/** A ROM's contents and the zero point subtracted from every entry. */
export interface MacRom {
  readonly values: ArrayLike<number>;
  readonly zero: number;
}

/** What the engine's VHDL needs from the layer's integer parameters. */
export interface MacConstants {
  readonly roms: Partial<Record<RomRole, MacRom>>;
  /** Biases at the accumulator's scale (plans with `bias`). */
  readonly bias?: ArrayLike<number>;
  /** Requantization y = z_y + round(v·m / 2^shift); m is 1 for plans without `scale`. */
  readonly m: number;
  readonly shift: number;
  /** The per-term multipliers of plans without `scale`. */
  readonly terms?: { readonly m1: number; readonly m2: number };
}

export const affine = (loops: readonly number[], term = 0, offset = 0): Affine => ({ loops, term, offset });

// Operands are shared constants: plans are made for every layer of every estimate.
export const PORT0: Operand = Object.freeze({ source: 'port', port: 0 });
export const PORT1: Operand = Object.freeze({ source: 'port', port: 1 });
export const WEIGHTS: Operand = Object.freeze({ source: 'rom', rom: 'weights' });
export const TABLE: Operand = Object.freeze({ source: 'rom', rom: 'table' });
export const M1: Operand = Object.freeze({ source: 'const', value: 'm1' });
export const M2: Operand = Object.freeze({ source: 'const', value: 'm2' });
export const ONE: Operand = Object.freeze({ source: 'const', value: 'one' });
export const A_PORT0: readonly Operand[] = Object.freeze([PORT0]);
export const B_PORT1: readonly Operand[] = Object.freeze([PORT1]);
export const B_WEIGHTS: readonly Operand[] = Object.freeze([WEIGHTS]);
export const B_ONE: readonly Operand[] = Object.freeze([ONE]);
/** Per-term operands of y = m1·a + m2·b. */
export const B_M1_M2: readonly Operand[] = Object.freeze([M1, M2]);
export const BIAS_FROM_LOOP1 = Object.freeze({ loop: 1 });

/** The controller's states, in order; the VHDL declares them and the cost model counts them. */
export const MAC_STATES = ['S_IDLE', 'S_ISSUE', 'S_DRAIN1', 'S_DRAIN2', 'S_SCALE', 'S_WRITE', 'S_DONE'] as const;

/**
 * Schedule, in cycles from `enable` rising to `done` high:
 * 1 (start) + per output [terms (issue) + 2 (read and multiply pipeline) + 1 if scale (acc·m) + 1 (write)]
 * + 1 (done).
 */
export const START_CYCLES = 1;
export const PIPELINE_CYCLES = 2;
export const WRITE_CYCLES = 1;
export const DONE_CYCLES = 1;

export function outputsOf(plan: MacPlan): number {
  let n = 1;
  for (const l of plan.loops) n *= l;
  return n;
}

export function macCycles(plan: MacPlan): number {
  return START_CYCLES + outputsOf(plan) * (plan.terms + PIPELINE_CYCLES + (plan.scale ? 1 : 0) + WRITE_CYCLES) + DONE_CYCLES;
}

/** Whether operands differ per term (a per-term select and a registered term index in the pipeline). */
export function isPerTerm(plan: MacPlan): boolean {
  return plan.a.length > 1 || plan.b.length > 1;
}
