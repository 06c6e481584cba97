/**
 * The plan of the row-wise softmax engine: a max pass, an exponential-table pass that sums the row and keeps
 * its numerators in a small row buffer, then one restoring division per element. Read by the VHDL writer and
 * the cost model; the widths come from the IR (src/kinds/softmax/rules.ts), so the three agree by construction.
 */
export interface SoftmaxPlan {
  readonly rows: number;
  readonly cols: number;
  readonly inputBits: number;
  readonly outputBits: number;
  /** f: E[k] = round(2^f · e^(−s·k)); entries are f + 1 bits unsigned. */
  readonly expFractionBits: number;
  /** Unsigned width of the row sum S (at most cols · 2^f). */
  readonly sumBits: number;
}

/** The exponential table's entries (E[0] = 2^f). */
export const expBitsOf = (p: SoftmaxPlan): number => p.expFractionBits + 1;
/** One quotient bit per output bit: y − z_y ∈ [0, 2^b_y − 1]. */
export const quotientBitsOf = (p: SoftmaxPlan): number => p.outputBits;
/** The divider's working width: 2·e·K + S needs sumBits + 1 + quotient bits. */
export const numeratorBitsOf = (p: SoftmaxPlan): number => p.sumBits + 1 + quotientBitsOf(p);

export interface SoftmaxConstants {
  readonly expTable: Int32Array;
}

export const SOFTMAX_STATES = ['S_IDLE', 'S_MAX', 'S_MAX_DRAIN', 'S_EXP', 'S_EXP_DRAIN1', 'S_EXP_DRAIN2', 'S_READ', 'S_LOAD', 'S_DIVIDE', 'S_WRITE', 'S_DONE'] as const;

/**
 * Schedule per row: a max pass (cols reads + 1 drain), an exponential pass (cols reads + 2 drain: read and
 * table), then per element one row-buffer read, a load, `quotientBits` restoring-division steps and a write;
 * plus 1 start and 1 done cycle.
 */
export function softmaxCycles(p: SoftmaxPlan): number {
  const perRow = p.cols + 1 + (p.cols + 2) + p.cols * (quotientBitsOf(p) + 3);
  return 1 + p.rows * perRow + 1;
}
