/**
 * Datapath blocks more than one engine builds, each written once: its VHDL and its cost side by side, so two
 * engines cannot drift apart and a block's VHDL and its cost model cannot either.
 */
import { addressBits } from '../../devices/mapping.js';
import { adder, block, comparator, counter, mux, register, type Sink } from '../../devices/primitives.js';
import type { MemoryNode } from '../../ir/types.js';
import { ramStyle } from './vhdl.js';

const indented = (indent: string, lines: readonly string[]) => lines.map((l) => indent + l).join('\n') + '\n';

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
  block(s, 'control', 'input address row·cols + c', addressBits(o.inputs), 0);
}
