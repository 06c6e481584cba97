/**
 * The hardware plan of each layer: pure data derived from the IR alone (no parameters), read by the VHDL
 * emitters to generate the datapath and by the estimator to count cycles, so both follow one schedule.
 *
 * Most kinds run on one multiply-accumulate engine ("MAC plan"): for every output element, in row-major
 * output order, it streams `terms` products (a − z_a)·(b − z_b) into an accumulator (optionally preloaded
 * with a bias), then requantizes the accumulator, multiplying it by m on the same multiplier when `scale`.
 */
import type { LayerNode } from '../../ir/types.js';

/** address = Σ loops[i]·loopIndex[i] + term·termIndex + offset */
export interface Affine {
  readonly loops: readonly number[];
  readonly term: number;
  readonly offset: number;
}

export type Operand =
  | { readonly source: 'port'; readonly port: number }
  | { readonly source: 'rom'; readonly rom: 'weights' | 'table' }
  | { readonly source: 'const'; readonly value: 'm1' | 'm2' | 'one' };

export interface MacPlan {
  /** Output loop counts, outermost first; outputs are written in this order at consecutive addresses. */
  readonly loops: readonly number[];
  /** Products per output. */
  readonly terms: number;
  /** Read address of each input port. */
  readonly ports: readonly Affine[];
  /** Read address of each parameter ROM used as an operand. */
  readonly roms: Partial<Record<'weights' | 'table', Affine>>;
  /** The accumulator starts from bias[loopIndex[loop]] instead of 0. */
  readonly bias?: { readonly loop: number };
  /** Operands a and b: one entry used for every term, or one entry per term. */
  readonly a: readonly Operand[];
  readonly b: readonly Operand[];
  /** Requantize acc·m (true) or acc alone (false: the terms already carry their multipliers). */
  readonly scale: boolean;
}

const affine = (loops: readonly number[], term = 0, offset = 0): Affine => ({ loops, term, offset });

// Operands are shared constants: plans are made for every layer of every estimate.
const PORT0: Operand = Object.freeze({ source: 'port', port: 0 });
const PORT1: Operand = Object.freeze({ source: 'port', port: 1 });
const WEIGHTS: Operand = Object.freeze({ source: 'rom', rom: 'weights' });
const TABLE: Operand = Object.freeze({ source: 'rom', rom: 'table' });
const M1: Operand = Object.freeze({ source: 'const', value: 'm1' });
const M2: Operand = Object.freeze({ source: 'const', value: 'm2' });
const ONE: Operand = Object.freeze({ source: 'const', value: 'one' });
const A_PORT0 = Object.freeze([PORT0]);
const B_PORT1 = Object.freeze([PORT1]);
const B_WEIGHTS = Object.freeze([WEIGHTS]);
const BIAS_FROM_LOOP1 = Object.freeze({ loop: 1 });

export function macPlan(node: LayerNode): MacPlan | undefined {
  const d = node.dims;
  switch (d.kind) {
    case 'linear':
      return {
        loops: [d.rows, d.outFeatures],
        terms: d.inFeatures,
        ports: [affine([d.inFeatures, 0], 1)],
        roms: { weights: affine([0, d.inFeatures], 1) },
        bias: d.bias ? BIAS_FROM_LOOP1 : undefined,
        a: A_PORT0,
        b: B_WEIGHTS,
        scale: true,
      };
    case 'matmul': {
      const width = node.inputs[1]!.shape[1]!;
      return d.mode === 'scores'
        ? {
            // loops h, i, j; q[i][h·dh + k], k[j][h·dh + k]
            loops: [d.heads, d.rows, d.cols],
            terms: d.inner,
            ports: [affine([d.inner, width, 0], 1), affine([d.inner, 0, width], 1)],
            roms: {},
            a: A_PORT0,
            b: B_PORT1,
            scale: true,
          }
        : {
            // loops i, h, c; a[h][i][k], v[k][h·dh + c]
            loops: [d.rows, d.heads, d.cols],
            terms: d.inner,
            ports: [affine([d.inner, d.rows * d.inner, 0], 1), affine([0, d.cols, 1], width)],
            roms: {},
            a: A_PORT0,
            b: B_PORT1,
            scale: true,
          };
    }
    case 'batchnorm':
      return {
        loops: [d.rows, d.cols],
        terms: 1,
        ports: [affine([d.cols, 1])],
        roms: { weights: affine([0, 1]) },
        bias: BIAS_FROM_LOOP1,
        a: A_PORT0,
        b: B_WEIGHTS,
        scale: true,
      };
    case 'avgpool':
      return {
        loops: [d.cols],
        terms: d.window,
        ports: [affine([1], d.cols)],
        roms: {},
        a: A_PORT0,
        b: Object.freeze([ONE]),
        scale: true,
      };
    case 'add':
      return {
        loops: [d.rows * d.cols],
        terms: 2,
        ports: [affine([1]), affine([1])],
        roms: {},
        a: [PORT0, PORT1],
        b: [M1, M2],
        scale: false,
      };
    case 'posenc':
      return {
        loops: [d.rows * d.cols],
        terms: 2,
        ports: [affine([1])],
        roms: { table: affine([1]) },
        a: [PORT0, TABLE],
        b: [M1, M2],
        scale: false,
      };
    default:
      return undefined;
  }
}

/**
 * MAC engine schedule, in cycles from `enable` rising to `done` high:
 * 1 (start) + per output [terms (issue) + 2 (read and multiply pipeline) + 1 if scale (acc·m) + 1 (write)]
 * + 1 (done).
 */
export const MAC_START_CYCLES = 1;
export const MAC_PIPELINE_CYCLES = 2;
export const MAC_WRITE_CYCLES = 1;
export const DONE_CYCLES = 1;

export function macCycles(plan: MacPlan): number {
  const outputs = plan.loops.reduce((a, b) => a * b, 1);
  return MAC_START_CYCLES + outputs * (plan.terms + MAC_PIPELINE_CYCLES + (plan.scale ? 1 : 0) + MAC_WRITE_CYCLES) + DONE_CYCLES;
}

/**
 * Softmax schedule per row: a max pass (cols reads + 1 drain), an exponential pass (cols reads + 2 drain:
 * read and table), then per element one row-buffer read, a load, `quotientBits` restoring-division steps
 * and a write.
 */
export function softmaxQuotientBits(node: LayerNode): number {
  return node.output.bits;
}

export function softmaxCycles(node: LayerNode): number {
  if (node.dims.kind !== 'softmax') throw new Error(`${node.path} is not a softmax`);
  const { rows, cols } = node.dims;
  const perRow = cols + 1 + (cols + 2) + cols * (softmaxQuotientBits(node) + 3);
  return MAC_START_CYCLES + rows * perRow + DONE_CYCLES;
}
