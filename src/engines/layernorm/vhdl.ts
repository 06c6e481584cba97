/**
 * Integer layer norm (semantics in src/kinds/layernorm/semantics.ts), one row at a time: a sum pass, a variance
 * pass, an integer square root, then per element a restoring divider for Q = D·2^F / R (rounded half away from
 * zero), the affine Q·(γ − z_γ) + B and the requantization, the two products on the layer's one multiplier.
 */
import type { LayerNode } from '../../ir/types.js';
import { dividerLoad, dividerSignals, dividerStep, multiplyStatement, outputBufferSignals, OUTPUT_BUFFER_PROCESS, rowSweepAddress, rowSweepFlags, rowSweepFlagSignals, rowSweepReset, rowWalkWrite, timesConstant, type RowSweep } from '../_shared/blocks.js';
import { aggregate, layerPrologue, romStyle } from '../_shared/vhdl.js';
import type { LayerQuantization } from '../types.js';
import { LAYERNORM_STATES, layernormCycles, numeratorBits, quotientBits, rootIterations, type LayernormConstants, type LayernormPlan } from './plan.js';

/** The two passes over each row (src/engines/_shared/blocks.ts). */
const SWEEP: RowSweep = { first: { flag: 'sum', state: 'S_SUM' }, second: { flag: 'var', state: 'S_VAR' } };

/** The low `bits` bits of a signed expression of `from` bits (or its sign extension when narrower). */
const low = (expr: string, from: number, bits: number) => (from > bits ? `${expr}(${bits - 1} downto 0)` : `resize(${expr}, ${bits})`);

export function emitLayernormLayer(node: LayerNode, plan: LayernormPlan, c: LayernormConstants, q: LayerQuantization): string {
  const mult = node.multiplier!;
  const { rows, cols, fraction: F, sumBits, diffBits, varianceBits } = plan;
  const outBits = node.output.bits;
  const outputs = node.output.elements;
  const WB = node.widths.weight!;
  const BB = node.widths.bias!;
  const ACC = node.widths.acc!;
  const QB = quotientBits(plan);
  const NB = numeratorBits(plan);
  const IT = rootIterations(plan);
  const steps = Math.max(IT, QB);
  const storage = (role: 'weights' | 'bias') => node.memories.find((m) => m.role === role)!.storage;
  const prodBits = mult.aBits + mult.bBits;

  return `${layerPrologue(node, [
    `statistics: S ${sumBits} bits, D = ${cols}*x - S ${diffBits} bits, V + E ${varianceBits} bits (E = ${c.eps}), R = isqrt(V + E) ${plan.rootBits} bits`,
    `normalized: Q = D * 2^${F} / R (${IT}-step square root, ${QB}-step restoring divider); affine: y = ${q.output.zeroPoint} + round((Q * (g - ${c.weightZero}) + B) * ${c.m} / 2^${c.shift})`,
    `schedule: ${rows} rows x ${cols} columns; ${layernormCycles(plan)} cycles from enable to done`,
  ])}
  constant ROWS       : positive := ${rows};
  constant COLS       : positive := ${cols};
  constant OUTPUTS    : positive := ${outputs};
  constant SUM_BITS   : positive := ${sumBits};
  constant DIFF_BITS  : positive := ${diffBits};
  constant VAR_BITS   : positive := ${varianceBits};
  constant ROOT_STEPS : positive := ${IT};
  constant Q_BITS     : positive := ${QB};  -- magnitude of Q; signed Q has Q_BITS + 1
  constant NUM_BITS   : positive := ${NB};
  constant ACC_BITS   : positive := ${ACC};
  constant MUL_A_BITS : positive := ${mult.aBits};
  constant MUL_B_BITS : positive := ${mult.bBits};
  constant OUT_BITS   : positive := ${outBits};
  constant OUT_ZERO   : integer := ${q.output.zeroPoint};
  constant REQ_M      : integer := ${c.m};
  constant REQ_SHIFT  : natural := ${c.shift};
  constant W_ZERO     : integer := ${c.weightZero};
  constant EPS        : unsigned(VAR_BITS - 1 downto 0) := to_unsigned(${c.eps}, VAR_BITS);

  type state_t is (${LAYERNORM_STATES.join(', ')});
  signal state : state_t := S_IDLE;
  signal row   : natural range 0 to ROWS - 1 := 0;
  signal c     : natural range 0 to COLS - 1 := 0;
  signal step  : natural range 0 to ${steps - 1} := 0;
  signal wr    : natural range 0 to OUTPUTS - 1 := 0;
${rowSweepFlagSignals(SWEEP)}  signal row_sum  : signed(SUM_BITS - 1 downto 0) := (others => '0');
  signal diff     : signed(DIFF_BITS - 1 downto 0);
  signal diff_r   : signed(DIFF_BITS - 1 downto 0) := (others => '0');
  signal variance : unsigned(VAR_BITS - 1 downto 0) := (others => '0');
  signal op, res, one : unsigned(VAR_BITS - 1 downto 0) := (others => '0');  -- square root: remainder, root, bit
  signal divisor_root : unsigned(NUM_BITS - 1 downto 0);
${dividerSignals('NUM_BITS', 'Q_BITS')}  signal negative : std_logic := '0';
  signal normalized : signed(Q_BITS downto 0) := (others => '0');
  signal acc   : signed(ACC_BITS - 1 downto 0) := (others => '0');
  signal mul_a : signed(MUL_A_BITS - 1 downto 0);
  signal mul_b : signed(MUL_B_BITS - 1 downto 0);
  signal prod  : signed(MUL_A_BITS + MUL_B_BITS - 1 downto 0) := (others => '0');
  attribute use_dsp : string;
  attribute use_dsp of prod : signal is "${mult.mapping === 'dsp' ? 'yes' : 'no'}";

  -- weights ROM (gamma): ${cols} x ${WB} (${storage('weights')}), clocked read
  type w_rom_t is array (${cols - 1} downto 0) of signed(${WB - 1} downto 0);
  constant W_ROM : w_rom_t := ${aggregate(c.weights, WB, '    ')};
  attribute rom_style : string;
  attribute rom_style of W_ROM : constant is "${romStyle(storage('weights'))}";
  signal w_data : signed(${WB - 1} downto 0) := (others => '0');

  -- bias ROM (beta at the scale of Q * gamma): ${cols} x ${BB} (${storage('bias')}), clocked read
  type b_rom_t is array (${cols - 1} downto 0) of signed(${BB - 1} downto 0);
  constant B_ROM : b_rom_t := ${aggregate(c.bias, BB, '    ')};
  attribute rom_style of B_ROM : constant is "${romStyle(storage('bias'))}";
  signal b_data : signed(${BB - 1} downto 0) := (others => '0');

${outputBufferSignals('OUTPUTS', node.buffer!.storage)}begin
${rowSweepAddress(cols)}  -- D = n * x - S, the row mean without a division
  diff <= ${timesConstant('x0_data', cols, 'DIFF_BITS')} - resize(row_sum, DIFF_BITS);
  -- the divisor R, at least 1 (a row of equal values has V = 0)
  divisor_root <= resize(res, NUM_BITS) when res /= 0 else to_unsigned(1, NUM_BITS);

  roms : process (clk)
  begin
    if rising_edge(clk) then
      w_data <= W_ROM(c);
      b_data <= B_ROM(c);
    end if;
  end process;

  -- the layer's one multiplier: D * D (variance pass), Q * (g - z_g) (affine), acc * m (requantization)
  mul_a <= resize(normalized, MUL_A_BITS) when state = S_MUL else
           resize(acc, MUL_A_BITS) when state = S_SCALE else
           resize(diff, MUL_A_BITS);
  mul_b <= resize(resize(w_data, ${WB + 1}) - W_ZERO, MUL_B_BITS) when state = S_MUL else
           to_signed(REQ_M, MUL_B_BITS) when state = S_SCALE else
           resize(diff, MUL_B_BITS);

  y_we <= '1' when state = S_WRITE else '0';
  y_wdata <= requantize(prod, REQ_SHIFT, OUT_ZERO, OUT_BITS);

  control : process (clk)
    variable trial : unsigned(VAR_BITS downto 0);
    variable magnitude : unsigned(DIFF_BITS - 1 downto 0);
  begin
    if rising_edge(clk) then
      if enable = '1' then  -- the product register loads only while the layer runs (an idle multiplier never switches)
        ${multiplyStatement(mult.mapping)}
      end if;
      if enable = '0' then
${rowSweepReset('        ', SWEEP)}      else
${rowSweepFlags('        ', SWEEP)}        if sum_v1 = '1' then
          if first1 = '1' then
            row_sum <= resize(x0_data, SUM_BITS);
          else
            row_sum <= row_sum + resize(x0_data, SUM_BITS);
          end if;
        end if;
        if var_v2 = '1' then
          if first2 = '1' then
            variance <= unsigned(${low('prod', prodBits, varianceBits)});
          else
            variance <= variance + unsigned(${low('prod', prodBits, varianceBits)});
          end if;
        end if;
        -- if/elsif rather than case: GHDL 2.0 drops case default arms in its Verilog (latches in yosys)
        if state = S_IDLE then
            state <= S_SUM;
        elsif state = S_SUM or state = S_VAR then
            if c = COLS - 1 then
              c <= 0;
              state <= S_SUM_DRAIN when state = S_SUM else S_VAR_DRAIN1;
            else
              c <= c + 1;
            end if;
        elsif state = S_SUM_DRAIN then
            state <= S_VAR;
        elsif state = S_VAR_DRAIN1 then
            state <= S_VAR_DRAIN2;
        elsif state = S_VAR_DRAIN2 then
            state <= S_ROOT_INIT;
        elsif state = S_ROOT_INIT then
            op <= variance + EPS;
            res <= (others => '0');
            one <= shift_left(to_unsigned(1, VAR_BITS), 2 * (ROOT_STEPS - 1));
            step <= 0;
            state <= S_ROOT;
        elsif state = S_ROOT then
            -- one bit of floor(sqrt(V + E)) per cycle (digit-by-digit method)
            trial := resize(res, VAR_BITS + 1) + one;
            if resize(op, VAR_BITS + 1) >= trial then
              op <= op - trial(VAR_BITS - 1 downto 0);
              res <= shift_right(res, 1) + one;
            else
              res <= shift_right(res, 1);
            end if;
            one <= shift_right(one, 2);
            if step = ROOT_STEPS - 1 then
              step <= 0;
              state <= S_READ;
            else
              step <= step + 1;
            end if;
        elsif state = S_READ then
            state <= S_DIFF;  -- x0_data, w_data and b_data of column c arrive
        elsif state = S_DIFF then
            diff_r <= diff;
            state <= S_LOAD;
        elsif state = S_LOAD then
            -- numerator 2*|D|*2^F + R, divisor 2*R aligned to the top quotient bit
            if diff_r < 0 then
              magnitude := unsigned(-diff_r);
              negative <= '1';
            else
              magnitude := unsigned(diff_r);
              negative <= '0';
            end if;
${dividerLoad('            ', `shift_left(resize(magnitude, NUM_BITS), ${F + 1}) + divisor_root`, `shift_left(divisor_root, ${F + 1})`)}            step <= 0;
            state <= S_DIVIDE;
        elsif state = S_DIVIDE then
${dividerStep('            ')}            if step = Q_BITS - 1 then
              step <= 0;
              state <= S_SIGN;
            else
              step <= step + 1;
            end if;
        elsif state = S_SIGN then
            if negative = '1' then
              normalized <= -signed(resize(quotient, Q_BITS + 1));
            else
              normalized <= signed(resize(quotient, Q_BITS + 1));
            end if;
            state <= S_MUL;
        elsif state = S_MUL then
            state <= S_ACC;  -- prod <= Q * (g - z_g)
        elsif state = S_ACC then
            acc <= ${low('prod', prodBits, ACC)} + resize(b_data, ACC_BITS);
            state <= S_SCALE;
        elsif state = S_SCALE then
            state <= S_WRITE;  -- prod <= acc * m
${rowWalkWrite('        ', 'OUTPUTS', 'S_SUM')}        else  -- S_DONE
            done <= '1';
        end if;
      end if;
    end if;
  end process;

${OUTPUT_BUFFER_PROCESS}end architecture rtl;
`;
}
