/**
 * The plan of the layer-norm engine: per row, a sum pass, a variance pass (squares on the layer's multiplier),
 * an integer square root (one result bit per cycle), then per element a restoring division (Q = D·2^F / R), the
 * affine Q·γ' + B and the requantization, both on the same multiplier. Read by the VHDL writer and the cost
 * model; the widths come from the kind's rules (src/kinds/layernorm/rules.ts).
 */
export interface LayernormPlan {
  readonly rows: number;
  readonly cols: number;
  readonly inputBits: number;
  /** F: fraction bits of Q; the divider produces F + 1 quotient bits. */
  readonly fraction: number;
  readonly sumBits: number;
  readonly diffBits: number;
  /** Width of V + E and of the square root's working registers. */
  readonly varianceBits: number;
  readonly rootBits: number;
}

export interface LayernormConstants {
  readonly weights: ArrayLike<number>;
  readonly weightZero: number;
  readonly bias: ArrayLike<number>;
  readonly m: number;
  readonly shift: number;
  /** ε in units of V. */
  readonly eps: number;
}

export const LAYERNORM_STATES = [
  'S_IDLE',
  'S_SUM',
  'S_SUM_DRAIN',
  'S_VAR',
  'S_VAR_DRAIN1',
  'S_VAR_DRAIN2',
  'S_ROOT_INIT',
  'S_ROOT',
  'S_READ',
  'S_DIFF',
  'S_LOAD',
  'S_DIVIDE',
  'S_SIGN',
  'S_MUL',
  'S_ACC',
  'S_SCALE',
  'S_WRITE',
  'S_DONE',
] as const;

/** Iterations of the square root: one result bit each. */
export const rootIterations = (p: LayernormPlan): number => Math.ceil(p.varianceBits / 2);
/** Quotient bits of Q's magnitude (|Q| ≤ 2^F). */
export const quotientBits = (p: LayernormPlan): number => p.fraction + 1;
/** Signed width of Q. */
export const normalizedBits = (p: LayernormPlan): number => p.fraction + 2;
/** The divider's working width: |D|·2^(F+1) + R < 2^(rootBits + F + 2). */
export const numeratorBits = (p: LayernormPlan): number => p.rootBits + p.fraction + 2;

/** Cycles per element of the normalization pass: read, difference, load, F + 1 divide steps, sign, Q·γ', + B, ·m, write. */
export const elementCycles = (p: LayernormPlan): number => 3 + quotientBits(p) + 5;

/**
 * Schedule: 1 start cycle; per row a sum pass (cols reads + 1 drain), a variance pass (cols reads + 2 drain),
 * the square root (1 load + one cycle per result bit) and cols elements; 1 done cycle.
 */
export function layernormCycles(p: LayernormPlan): number {
  const perRow = p.cols + 1 + (p.cols + 2) + 1 + rootIterations(p) + p.cols * elementCycles(p);
  return 1 + p.rows * perRow + 1;
}
