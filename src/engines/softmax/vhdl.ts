/**
 * Row-wise integer softmax (semantics in src/kinds/softmax/semantics.ts): a max pass, an exponential-table
 * pass that sums the row and keeps the row's numerators in a small row buffer, then one restoring division
 * per element: y = z_y + floor((2·e·K + S) / (2·S)), K = 2^b_y − 1, computed with shifts (no multiplier).
 */
import type { LayerNode } from '../../ir/types.js';
import type { LayerQuantization } from '../types.js';
import { dividerLoad, dividerSignals, dividerStep, outputBufferSignals, OUTPUT_BUFFER_PROCESS, rowSweepAddress, rowSweepFlags, rowSweepFlagSignals, rowSweepReset, rowWalkWrite, type RowSweep } from '../_shared/blocks.js';
import { layerPrologue, romStyle } from '../_shared/vhdl.js';
import { expBitsOf, numeratorBitsOf, quotientBitsOf, SOFTMAX_STATES, softmaxCycles, type SoftmaxConstants, type SoftmaxPlan } from './plan.js';

/** The two passes over each row (src/engines/_shared/blocks.ts). */
const SWEEP: RowSweep = { first: { flag: 'max', state: 'S_MAX' }, second: { flag: 'exp', state: 'S_EXP' } };

export function emitSoftmaxLayer(node: LayerNode, plan: SoftmaxPlan, constants: SoftmaxConstants, q: LayerQuantization): string {
  const { rows, cols, inputBits: inBits, outputBits: outBits, sumBits } = plan;
  const table = constants.expTable;
  const Q = quotientBitsOf(plan);
  const fraction = plan.expFractionBits;
  const expBits = expBitsOf(plan);
  const numBits = numeratorBitsOf(plan);
  const tableStorage = node.memories.find((m) => m.role === 'table')!.storage;
  const entries: string[] = [];
  for (let i = 0; i < table.length; i += 8) {
    entries.push('      ' + Array.from(table.subarray(i, i + 8), (v, j) => `${i + j} => to_unsigned(${v}, ${expBits})`).join(', '));
  }
  return `${layerPrologue(node, [
    `exponential table: E[k] = round(2^${fraction} * exp(-${q.inputs[0]!.scale.toExponential(6)} * k)), ${table.length} entries`,
    `output: y = ${q.output.zeroPoint} + floor((2*e*${2 ** outBits - 1} + S) / (2*S)); row sum ${sumBits} bits, ${Q}-step restoring divider`,
    `schedule: ${rows} rows x ${cols} columns; ${softmaxCycles(plan)} cycles from enable to done`,
  ])}
  constant ROWS     : positive := ${rows};
  constant COLS     : positive := ${cols};
  constant OUT_BITS : positive := ${outBits};
  constant OUT_ZERO : integer := ${q.output.zeroPoint};
  constant Q_BITS   : positive := ${Q};
  constant EXP_BITS : positive := ${expBits};
  constant SUM_BITS : positive := ${sumBits};
  constant NUM_BITS : positive := ${numBits};

  type state_t is (${SOFTMAX_STATES.join(', ')});
  signal state : state_t := S_IDLE;
  signal row   : natural range 0 to ROWS - 1 := 0;
  signal c     : natural range 0 to COLS - 1 := 0;  -- column being issued
  signal c1, c2 : natural range 0 to COLS - 1 := 0; -- column of the data in pipeline stages 1 and 2
${rowSweepFlagSignals(SWEEP)}  signal step  : natural range 0 to Q_BITS - 1 := 0;
  signal wr    : natural range 0 to ROWS * COLS - 1 := 0;
  signal row_max : signed(${inBits - 1} downto 0) := (others => '0');
  signal k       : signed(${inBits} downto 0);
  signal row_sum : unsigned(SUM_BITS - 1 downto 0) := (others => '0');
${dividerSignals('NUM_BITS', 'Q_BITS')}
  -- exponential table, clocked read
  type exp_rom_t is array (${table.length - 1} downto 0) of unsigned(EXP_BITS - 1 downto 0);
  constant EXP_ROM : exp_rom_t := (
${entries.join(',\n')}
  );
  attribute rom_style : string;
  attribute rom_style of EXP_ROM : constant is "${romStyle(tableStorage)}";
  signal exp_addr : natural range 0 to ${table.length - 1} := 0;
  signal exp_data : unsigned(EXP_BITS - 1 downto 0) := (others => '0');

  -- numerators of the current row
  type row_mem_t is array (COLS - 1 downto 0) of unsigned(EXP_BITS - 1 downto 0);
  signal row_mem : row_mem_t := (others => (others => '0'));
  attribute ram_style : string;
  attribute ram_style of row_mem : signal is "distributed";
  signal row_data : unsigned(EXP_BITS - 1 downto 0) := (others => '0');

${outputBufferSignals('ROWS * COLS', node.buffer!.storage, true)}begin
${rowSweepAddress(cols)}  -- k = max - x is the table index; it is only negative for reads outside the exponential pass
  k <= resize(row_max, ${inBits + 1}) - resize(x0_data, ${inBits + 1});
  exp_addr <= to_integer(k) when k >= 0 else 0;

  tables : process (clk)
  begin
    if rising_edge(clk) then
      exp_data <= EXP_ROM(exp_addr);
      if exp_v2 = '1' then
        row_mem(c2) <= exp_data;
      end if;
      row_data <= row_mem(c);
    end if;
  end process;

  y_we <= '1' when state = S_WRITE else '0';
  y_wdata <= to_signed(to_integer(quotient) + OUT_ZERO, OUT_BITS);  -- 0 <= quotient <= 2^OUT_BITS - 1: in range

  control : process (clk)
    variable numerator : unsigned(NUM_BITS - 1 downto 0);
  begin
    if rising_edge(clk) then
      if enable = '0' then
${rowSweepReset('        ', SWEEP)}      else
${rowSweepFlags('        ', SWEEP)}        c1 <= c;
        c2 <= c1;
        -- if/elsif rather than case: GHDL 2.0 drops case default arms in its Verilog (latches in yosys)
        if state = S_IDLE then
            state <= S_MAX;
        elsif state = S_MAX or state = S_MAX_DRAIN then
            if max_v1 = '1' then
              if first1 = '1' or x0_data > row_max then
                row_max <= x0_data;
              end if;
            end if;
            if state = S_MAX_DRAIN then
              state <= S_EXP;
            elsif c = COLS - 1 then
              c <= 0;
              state <= S_MAX_DRAIN;
            else
              c <= c + 1;
            end if;
        elsif state = S_EXP or state = S_EXP_DRAIN1 or state = S_EXP_DRAIN2 then
            if exp_v2 = '1' then
              if first2 = '1' then
                row_sum <= resize(exp_data, SUM_BITS);
              else
                row_sum <= row_sum + exp_data;
              end if;
            end if;
            if state = S_EXP then
              if c = COLS - 1 then
                c <= 0;
                state <= S_EXP_DRAIN1;
              else
                c <= c + 1;
              end if;
            elsif state = S_EXP_DRAIN1 then
              state <= S_EXP_DRAIN2;
            else
              state <= S_READ;
            end if;
        elsif state = S_READ then
            state <= S_LOAD;  -- row_data <= row_mem(c) this cycle
        elsif state = S_LOAD then
            -- numerator 2·e·K + S with K = 2^OUT_BITS - 1, divisor 2·S aligned to the top quotient bit
            numerator := shift_left(resize(row_data, NUM_BITS), OUT_BITS + 1) - shift_left(resize(row_data, NUM_BITS), 1) + resize(row_sum, NUM_BITS);
${dividerLoad('            ', 'numerator', 'shift_left(resize(row_sum, NUM_BITS), Q_BITS)')}            step <= 0;
            state <= S_DIVIDE;
        elsif state = S_DIVIDE then
${dividerStep('            ')}            if step = Q_BITS - 1 then
              state <= S_WRITE;
            else
              step <= step + 1;
            end if;
${rowWalkWrite('        ', 'ROWS * COLS', 'S_MAX')}        else  -- S_DONE
            done <= '1';
        end if;
      end if;
    end if;
  end process;

${OUTPUT_BUFFER_PROCESS}end architecture rtl;
`;
}
