/**
 * Datapath blocks more than one engine builds, each written once: its VHDL and its cost side by side, so two
 * engines cannot drift apart and a block's VHDL and its cost model cannot either.
 */
import { addressBits } from '../../devices/mapping.js';
import { adder, block, comparator, counter, mux, register, type Sink } from '../../devices/primitives.js';
import type { MemoryNode, MultiplierNode } from '../../ir/types.js';
import { ramStyle } from './vhdl.js';

const indented = (indent: string, lines: readonly string[]) => lines.map((l) => indent + l).join('\n') + '\n';

// ───────────────────────────── constant multiplies ─────────────────────────────
//
// c·x for a constant c is written as shifted copies of x added up, never as `*`: GHDL strips the constant's
// trailing zeros and yosys then maps any product of 9 bits or more to a DSP48E1 (o·24 with o < 96 took one),
// which an address or a row statistic must not take from the layer's one multiplier budget.

/** Set bits of a non-negative integer c: c·x is that many shifted copies of x added up. */
export function setBits(c: number): number {
  let k = 0;
  for (let v = c; v > 0; v = Math.floor(v / 2)) k += v % 2;
  return k;
}

/** The shifts k where c has bit k set, lowest first. */
function shiftsOf(c: number): number[] {
  const shifts: number[] = [];
  for (let bit = 0, v = c; v > 0; bit++, v = Math.floor(v / 2)) if (v % 2 === 1) shifts.push(bit);
  return shifts;
}

/** c·x of a signed or unsigned vector, resized to `width` first. */
export function timesConstant(x: string, c: number, width: string): string {
  return shiftsOf(c)
    .map((bit) => (bit === 0 ? `resize(${x}, ${width})` : `shift_left(resize(${x}, ${width}), ${bit})`))
    .join(' + ');
}

/** An integer address Σ c_i·v_i + offset (natural counters, constant c_i ≥ 0), as shifted copies added up. */
export function addressExpr(terms: readonly (readonly [coefficient: number, name: string])[], offset: number): string {
  const parts: string[] = [];
  for (const [c, name] of terms) for (const bit of shiftsOf(c)) parts.push(bit === 0 ? name : `${name} * ${2 ** bit}`);
  if (offset !== 0 || parts.length === 0) parts.push(String(offset));
  return parts.join(' + ');
}

/**
 * LUTs of c·i for a counter i < range, written as shifted copies of i added up. Two copies: one adder only
 * where the second overlaps the first (below it the first's bits pass through, above it the carry chain runs
 * without LUTs); exact against synthesis. Three or more: yosys merges the copies into one multi-operand adder,
 * about one LUT per bit of i per extra copy (bench/results/characterize.md, family `address`).
 */
export function constantProductLuts(c: number, range: number): number {
  const bits = addressBits(range);
  let copies = 0;
  let low = 0;
  let high = 0;
  for (let shift = 0, v = c; v > 0; shift++, v = Math.floor(v / 2)) {
    if (v % 2 === 0) continue;
    if (copies === 0) low = shift;
    high = shift;
    copies++;
  }
  if (copies <= 1) return 0;
  return copies === 2 ? Math.max(0, bits - (high - low)) : (copies - 1) * bits;
}

/**
 * An address Σ c_i·v_i + offset: the constant products (`productLuts`, from constantProductLuts) and one adder
 * as wide as the address per further term and for the offset.
 */
export function addressAdders(s: Sink, name: string, terms: number, productLuts: number, hasOffset: boolean, depth: number): void {
  const adders = Math.max(0, terms - 1) + (hasOffset ? 1 : 0);
  const luts = adders * addressBits(depth) + productLuts;
  if (luts > 0) block(s, 'control', s.named ? `${name} address (${terms} terms${hasOffset ? ' + offset' : ''})` : '', luts, 0);
}

// ───────────────────────────── the layer's multiplier ─────────────────────────────

/** The registered product `prod <= mul_a × mul_b`: `*` for a DSP48E1, kiln_arith.multiply_lut in LUT fabric. */
export function multiplyStatement(mapping: MultiplierNode['mapping']): string {
  return mapping === 'dsp' ? 'prod <= mul_a * mul_b;  -- DSP48E1' : 'prod <= multiply_lut(mul_a, mul_b);  -- LUT fabric (shift-and-add)';
}

// ───────────────────────────── the output buffer ─────────────────────────────

/**
 * The output buffer a scheduled engine writes (`y_mem(wr) <= y_wdata` while `y_we`) and its consumers read through
 * `y_addr`/`y_data` one cycle later. `attributeDeclared`: the architecture declared `ram_style` already.
 */
export function outputBufferSignals(depth: string, storage: MemoryNode['storage'], attributeDeclared = false): string {
  return indented('  ', [
    '-- output buffer',
    `type y_mem_t is array (${depth} - 1 downto 0) of signed(OUT_BITS - 1 downto 0);`,
    "signal y_mem : y_mem_t := (others => (others => '0'));",
    ...(attributeDeclared ? [] : ['attribute ram_style : string;']),
    `attribute ram_style of y_mem : signal is "${ramStyle(storage)}";`,
    'signal y_we    : std_logic;',
    'signal y_wdata : signed(OUT_BITS - 1 downto 0);',
  ]);
}

export const OUTPUT_BUFFER_PROCESS = indented('  ', [
  'output_buffer : process (clk)',
  'begin',
  '  if rising_edge(clk) then',
  "    if y_we = '1' then",
  '      y_mem(wr) <= y_wdata;',
  '    end if;',
  '    y_data <= y_mem(to_integer(y_addr));',
  '  end if;',
  'end process;',
]);

// ───────────────────────────── the restoring divider ─────────────────────────────

/**
 * Softmax and layer norm divide with a restoring divider, one quotient bit per cycle: `remainder` starts at the
 * numerator, `divisor` at the divisor aligned to the top quotient bit; each step subtracts where it fits,
 * shifts a bit into `quotient` and halves `divisor`.
 */
export function dividerSignals(numBits: string, quotientBits: string): string {
  return indented('  ', [`signal remainder, divisor : unsigned(${numBits} - 1 downto 0) := (others => '0');`, `signal quotient : unsigned(${quotientBits} - 1 downto 0) := (others => '0');`]);
}

/** Starts a division (in the state before the steps). */
export function dividerLoad(indent: string, numerator: string, alignedDivisor: string): string {
  return indented(indent, [`remainder <= ${numerator};`, `divisor <= ${alignedDivisor};`, "quotient <= (others => '0');"]);
}

/** One step: one quotient bit (Q_BITS steps in all). */
export function dividerStep(indent: string): string {
  return indented(indent, [
    'if remainder >= divisor then',
    '  remainder <= remainder - divisor;',
    "  quotient <= quotient(Q_BITS - 2 downto 0) & '1';",
    'else',
    "  quotient <= quotient(Q_BITS - 2 downto 0) & '0';",
    'end if;',
    'divisor <= shift_right(divisor, 1);',
  ]);
}

/** The divider's registers, compare-and-subtract and load muxes (what dividerLoad and dividerStep build). */
export function dividerParts(s: Sink, numBits: number, quotientBits: number): void {
  comparator(s, 'remainder ≥ divisor', numBits);
  adder(s, 'remainder − divisor', numBits);
  mux(s, 'remainder', 3, numBits);
  register(s, 'remainder', numBits);
  mux(s, 'divisor load or shift', 2, numBits);
  register(s, 'divisor', numBits);
  register(s, 'quotient', quotientBits);
}

// ───────────────────────────── a row-by-row walk ─────────────────────────────

/**
 * The write state of an engine that walks its input row by row (softmax, layer norm): writes output `wr`, then
 * ends after `total` outputs, starts the next row in `rowState`, or reads the next column.
 */
export function rowWalkWrite(indent: string, total: string, rowState: string): string {
  return indented(indent, [
    'elsif state = S_WRITE then',
    `    if wr = ${total} - 1 then`,
    '      state <= S_DONE;',
    '    else',
    '      wr <= wr + 1;',
    '      if c = COLS - 1 then',
    '        c <= 0;',
    '        row <= row + 1;',
    `        state <= ${rowState};`,
    '      else',
    '        c <= c + 1;',
    '        state <= S_READ;',
    '      end if;',
    '    end if;',
  ]);
}

// ───────────────────────────── the two-pass row sweep ─────────────────────────────

/**
 * Softmax and layer norm sweep each row twice (max then exponentials; sum then squares): `c` issues the
 * columns, the first pass's data arrives one cycle later (`<first>_v1`), the second's through two pipeline
 * stages (`<second>_v1`, `<second>_v2`); `first1`/`first2` mark column 0 in those stages; `row` counts rows and
 * `wr` output writes.
 */
export interface RowSweep {
  /** Flag prefix and FSM state of each pass, e.g. `max`/`S_MAX` and `exp`/`S_EXP`. */
  readonly first: { readonly flag: string; readonly state: string };
  readonly second: { readonly flag: string; readonly state: string };
}

/** The input address of element (row, c): row·cols + c. */
export function rowSweepAddress(cols: number): string {
  return `  x0_addr <= to_unsigned(${addressExpr([[cols, 'row'], [1, 'c']], 0)}, x0_addr'length);\n`;
}

export function rowSweepFlagSignals(w: RowSweep): string {
  return indented('  ', [`signal ${w.first.flag}_v1, ${w.second.flag}_v1, ${w.second.flag}_v2, first1, first2 : std_logic := '0';  -- pipeline valid flags of the two passes, column 0 in stages 1 and 2`]);
}

/** The sweep's state while `enable` is low. */
export function rowSweepReset(indent: string, w: RowSweep): string {
  return indented(indent, ['state <= S_IDLE;', "done <= '0';", 'row <= 0;', 'c <= 0;', 'wr <= 0;', `${w.first.flag}_v1 <= '0';`, `${w.second.flag}_v1 <= '0';`, `${w.second.flag}_v2 <= '0';`]);
}

/** The pipeline flags, every cycle while enabled. */
export function rowSweepFlags(indent: string, w: RowSweep): string {
  return indented(indent, [
    '-- pipeline bookkeeping of the two streaming passes',
    `${w.first.flag}_v1 <= '1' when state = ${w.first.state} else '0';`,
    `${w.second.flag}_v1 <= '1' when state = ${w.second.state} else '0';`,
    "first1 <= '1' when c = 0 else '0';",
    `${w.second.flag}_v2 <= ${w.second.flag}_v1;`,
    'first2 <= first1;',
  ]);
}

/**
 * The sweep's control: the FSM (state register, next-state logic, done and the 5 pipeline flags, plus
 * `extraFlipFlops` of the engine's own), the row, column, step and output counters, and the input address.
 */
export function rowSweepControl(s: Sink, o: { fsm: string; states: number; extraFlipFlops: number; rows: number; cols: number; stepLabel: string; steps: number; outputs: number; inputs: number }): void {
  block(s, 'control', s.named ? `${o.fsm} FSM (${o.states} states)` : '', 2 * o.states, addressBits(o.states) + 1 + 5 + o.extraFlipFlops);
  counter(s, 'row', o.rows);
  counter(s, 'column', o.cols);
  counter(s, o.stepLabel, o.steps);
  counter(s, 'output address', o.outputs);
  addressAdders(s, 'input', 2, constantProductLuts(o.cols, o.rows), false, o.inputs);
}
