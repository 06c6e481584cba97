/**
 * The multiply-accumulate engine's VHDL, instantiated for every layer bound to it from its plan (plan.ts). One
 * multiplier, time-shared between products and requantization; clocked reads everywhere (ports, ROMs, the
 * output buffer); saturation only at requantization (kiln_arith).
 */
import type { LayerNode, MemoryNode } from '../../ir/types.js';
import type { LayerQuantization } from '../types.js';
import { addressExpr, multiplyStatement, outputBufferSignals, OUTPUT_BUFFER_PROCESS } from '../_shared/blocks.js';
import { aggregate, layerPrologue, romStyle } from '../_shared/vhdl.js';
import { isPerTerm, MAC_STATES, macCycles, type Affine, type MacConstants, type MacPlan, type Operand, type RomRole } from './plan.js';

interface Rom {
  name: string;
  values: ArrayLike<number>;
  bits: number;
  zero: number;
  storage: MemoryNode['storage'];
}

/** The ROMs of a layer: contents from its constants, widths and storage from its IR node. */
function romsOf(node: LayerNode, c: MacConstants): Partial<Record<RomRole | 'bias', Rom>> {
  const storage = (role: MemoryNode['role']) => node.memories.find((m) => m.role === role)!.storage;
  const roms: Partial<Record<RomRole | 'bias', Rom>> = {};
  if (c.roms.weights) roms.weights = { name: 'W', values: c.roms.weights.values, bits: node.widths.weight!, zero: c.roms.weights.zero, storage: storage('weights') };
  if (c.roms.table) roms.table = { name: 'PE', values: c.roms.table.values, bits: node.widths.weight!, zero: c.roms.table.zero, storage: storage('table') };
  if (c.bias) roms.bias = { name: 'B', values: c.bias, bits: node.widths.bias!, zero: 0, storage: storage('bias') };
  return roms;
}

export function emitMacLayer(node: LayerNode, plan: MacPlan, constants: MacConstants, q: LayerQuantization): string {
  const mult = node.multiplier!;
  const MA = mult.aBits;
  const MB = mult.bBits;
  const ACC = node.widths.acc!;
  const BY = node.output.bits;
  const OUT = node.output.elements;
  const roms = romsOf(node, constants);
  const sc = { m: constants.m, shift: constants.shift, m1: constants.terms?.m1, m2: constants.terms?.m2 };
  const loopNames = plan.loops.map((_, i) => `i${i}`);
  const perTerm = isPerTerm(plan);
  const addr = (a: Affine) => addressExpr([...a.loops.map((c, i) => [c, loopNames[i]!] as const), [a.term, 't']], a.offset);

  const L: string[] = [];
  const emit = (s = '') => L.push(s);

  // ── entity ──
  emit(layerPrologue(node, [`requantization: m = ${sc.m}${sc.m1 !== undefined ? ` (terms m1 = ${sc.m1}, m2 = ${sc.m2})` : ''}, shift = ${sc.shift}, output zero point = ${q.output.zeroPoint}`, `schedule: ${plan.loops.join(' x ')} outputs x ${plan.terms} products; ${macCycles(plan)} cycles from enable to done`]));
  emit(`  constant OUTPUTS   : positive := ${OUT};`);
  emit(`  constant TERMS     : positive := ${plan.terms};`);
  emit(`  constant ACC_BITS  : positive := ${ACC};`);
  emit(`  constant MUL_A_BITS : positive := ${MA};`);
  emit(`  constant MUL_B_BITS : positive := ${MB};`);
  emit(`  constant PROD_BITS : positive := MUL_A_BITS + MUL_B_BITS;`);
  emit(`  constant OUT_BITS  : positive := ${BY};`);
  emit(`  constant OUT_ZERO  : integer := ${q.output.zeroPoint};`);
  emit(`  constant REQ_M     : integer := ${sc.m};`);
  emit(`  constant REQ_SHIFT : natural := ${sc.shift};`);
  if (sc.m1 !== undefined) {
    emit(`  constant TERM_M1   : integer := ${sc.m1};`);
    emit(`  constant TERM_M2   : integer := ${sc.m2};`);
  }
  node.inputs.forEach((inp, p) => emit(`  constant X${p}_ZERO   : integer := ${q.inputs[p]!.zeroPoint};`));
  emit();
  emit(`  type state_t is (${MAC_STATES.join(', ')});`);
  emit('  signal state : state_t := S_IDLE;');
  plan.loops.forEach((n, i) => emit(`  signal ${loopNames[i]} : natural range 0 to ${n - 1} := 0;  -- output loop ${i}`));
  emit('  signal t     : natural range 0 to TERMS - 1 := 0;  -- product index');
  emit('  signal wr    : natural range 0 to OUTPUTS - 1 := 0;  -- output address');
  emit("  signal v1, v2, first1, first2 : std_logic := '0';  -- pipeline: data valid, product valid");
  if (perTerm) emit('  signal t1 : natural range 0 to TERMS - 1 := 0;');
  emit('  signal acc   : signed(ACC_BITS - 1 downto 0) := (others => \'0\');');
  emit('  signal mul_a : signed(MUL_A_BITS - 1 downto 0);');
  emit('  signal mul_b : signed(MUL_B_BITS - 1 downto 0);');
  emit('  signal prod  : signed(PROD_BITS - 1 downto 0) := (others => \'0\');');
  emit('  attribute use_dsp : string;');
  emit(`  attribute use_dsp of prod : signal is "${mult.mapping === 'dsp' ? 'yes' : 'no'}";`);
  emit(`  signal init_val : signed(ACC_BITS - 1 downto 0);`);

  const romDecl = (key: 'weights' | 'table' | 'bias', rom: Rom) => {
    const depth = rom.values.length;
    const lower = rom.name.toLowerCase();
    emit();
    emit(`  -- ${key} ROM: ${depth} x ${rom.bits} (${rom.storage}), clocked read`);
    emit(`  type ${lower}_rom_t is array (${depth - 1} downto 0) of signed(${rom.bits - 1} downto 0);`);
    emit(`  constant ${rom.name}_ROM : ${lower}_rom_t := ${aggregate(rom.values, rom.bits, '    ')};`);
    emit(`  attribute rom_style of ${rom.name}_ROM : constant is "${romStyle(rom.storage)}";`);
    if (key !== 'bias') emit(`  constant ${rom.name}_ZERO : integer := ${rom.zero};`);
    emit(`  signal ${lower}_addr : natural range 0 to ${depth - 1} := 0;`);
    emit(`  signal ${lower}_data : signed(${rom.bits - 1} downto 0) := (others => '0');`);
  };
  if (roms.weights || roms.table || roms.bias) emit('  attribute rom_style : string;');
  if (roms.weights) romDecl('weights', roms.weights);
  if (roms.table) romDecl('table', roms.table);
  if (roms.bias) romDecl('bias', roms.bias);

  const operandWidth = (o: Operand) => (o.source === 'port' ? node.inputs[o.port]!.bits + 1 : o.source === 'rom' ? romFor(o).bits + 1 : MB);
  const romFor = (o: Extract<Operand, { source: 'rom' }>) => roms[o.rom]!;
  const operandValue = (o: Operand, width: number) => {
    switch (o.source) {
      case 'port':
        return `resize(resize(x${o.port}_data, ${node.inputs[o.port]!.bits + 1}) - X${o.port}_ZERO, ${width})`;
      case 'rom': {
        const r = romFor(o);
        return `resize(resize(${r.name.toLowerCase()}_data, ${r.bits + 1}) - ${r.name}_ZERO, ${width})`;
      }
      case 'const':
        return `to_signed(${o.value === 'one' ? '1' : o.value === 'm1' ? 'TERM_M1' : 'TERM_M2'}, ${width})`;
    }
  };
  const select = (ops: readonly Operand[], width: number) =>
    ops.length === 1 ? operandValue(ops[0]!, width) : ops.map((o, i) => (i < ops.length - 1 ? `${operandValue(o, width)} when t1 = ${i} else` : operandValue(o, width))).join('\n           ');
  const aWidth = Math.max(...plan.a.map(operandWidth));
  const bWidth = Math.max(...plan.b.map(operandWidth));
  if (aWidth > MA || bWidth > MB) throw new Error(`${node.path}: operand wider than the multiplier`);

  emit();
  emit(outputBufferSignals('OUTPUTS', node.buffer!.storage).trimEnd());
  emit(`  signal a_val : signed(${aWidth - 1} downto 0);`);
  emit(`  signal b_val : signed(${bWidth - 1} downto 0);`);
  emit('begin');

  // ── addresses and reads ──
  emit('  -- operand addresses, from the loop and product counters');
  plan.ports.forEach((a, p) => emit(`  x${p}_addr <= to_unsigned(${addr(a)}, x${p}_addr'length);`));
  if (roms.weights) emit(`  w_addr <= ${addr(plan.roms.weights!)};`);
  if (roms.table) emit(`  pe_addr <= ${addr(plan.roms.table!)};`);
  if (roms.bias) emit(`  b_addr <= ${loopNames[plan.bias!.loop]};`);
  const romReads = [roms.weights, roms.table, roms.bias].filter((r): r is Rom => r !== undefined);
  if (romReads.length > 0) {
    emit();
    emit('  rom_read : process (clk)');
    emit('  begin');
    emit('    if rising_edge(clk) then');
    for (const r of romReads) emit(`      ${r.name.toLowerCase()}_data <= ${r.name}_ROM(${r.name.toLowerCase()}_addr);`);
    emit('    end if;');
    emit('  end process;');
  }
  emit();
  emit('  -- operands (zero points subtracted), the shared multiplier and the accumulator start value');
  emit(`  a_val <= ${select(plan.a, aWidth)};`);
  emit(`  b_val <= ${select(plan.b, bWidth)};`);
  if (plan.scale) {
    emit('  mul_a <= resize(acc, MUL_A_BITS) when state = S_SCALE else resize(a_val, MUL_A_BITS);');
    emit('  mul_b <= to_signed(REQ_M, MUL_B_BITS) when state = S_SCALE else resize(b_val, MUL_B_BITS);');
  } else {
    emit('  mul_a <= resize(a_val, MUL_A_BITS);');
    emit('  mul_b <= resize(b_val, MUL_B_BITS);');
  }
  emit(`  init_val <= ${roms.bias ? 'resize(b_data, ACC_BITS)' : "(others => '0')"};`);
  emit();
  emit("  y_we <= '1' when state = S_WRITE else '0';");
  emit(`  y_wdata <= requantize(${plan.scale ? 'prod' : 'acc'}, REQ_SHIFT, OUT_ZERO, OUT_BITS);`);
  emit();

  // ── controller and datapath ──
  emit('  control : process (clk)');
  emit('    variable sum : signed(PROD_BITS downto 0);');
  emit('  begin');
  emit('    if rising_edge(clk) then');
  // The product register only loads while the layer runs: an idle layer's multiplier then never switches,
  // which saves power and keeps a whole-model simulation from evaluating every layer's product every cycle.
  emit(`      if enable = '1' then ${multiplyStatement(mult.mapping)}`);
  emit('      end if;');
  emit("      if enable = '0' then");
  emit('        state <= S_IDLE;');
  emit("        done <= '0';");
  emit("        v1 <= '0';");
  emit("        v2 <= '0';");
  for (const n of loopNames) emit(`        ${n} <= 0;`);
  emit('        t <= 0;');
  emit('        wr <= 0;');
  emit('      else');
  emit("        v1 <= '1' when state = S_ISSUE else '0';");
  emit("        first1 <= '1' when state = S_ISSUE and t = 0 else '0';");
  if (perTerm) emit('        t1 <= t;');
  emit('        v2 <= v1;');
  emit('        first2 <= first1;');
  emit("        if v2 = '1' then");
  emit("          if first2 = '1' then");
  emit('            sum := resize(init_val, PROD_BITS + 1) + resize(prod, PROD_BITS + 1);');
  emit('          else');
  emit('            sum := resize(acc, PROD_BITS + 1) + resize(prod, PROD_BITS + 1);');
  emit('          end if;');
  emit('          acc <= sum(ACC_BITS - 1 downto 0);  -- exact: ACC_BITS holds every partial sum');
  emit('        end if;');
  // if/elsif rather than case: GHDL 2.0 writes case statements to Verilog without their default arm, which
  // yosys turns into latches (toolchain.md); an if chain with a final else is complete by construction.
  emit('        if state = S_IDLE then');
  emit('            state <= S_ISSUE;');
  emit('        elsif state = S_ISSUE then');
  emit('            if t = TERMS - 1 then');
  emit('              t <= 0;');
  emit('              state <= S_DRAIN1;');
  emit('            else');
  emit('              t <= t + 1;');
  emit('            end if;');
  emit('        elsif state = S_DRAIN1 then');
  emit('            state <= S_DRAIN2;');
  emit('        elsif state = S_DRAIN2 then');
  emit(`            state <= ${plan.scale ? 'S_SCALE' : 'S_WRITE'};`);
  emit('        elsif state = S_SCALE then');
  emit('            state <= S_WRITE;');
  emit('        elsif state = S_WRITE then');
  emit('            if wr = OUTPUTS - 1 then');
  emit('              state <= S_DONE;');
  emit('            else');
  emit('              wr <= wr + 1;');
  for (const line of advanceLoops(loopNames, plan.loops, '              ')) emit(line);
  emit('              state <= S_ISSUE;');
  emit('            end if;');
  emit('        else  -- S_DONE');
  emit("            done <= '1';");
  emit('        end if;');
  emit('      end if;');
  emit('    end if;');
  emit('  end process;');
  emit();
  emit(OUTPUT_BUFFER_PROCESS.trimEnd());
  emit(`end architecture rtl;`);
  return L.join('\n') + '\n';
}

/** Nested increment of the output loop counters, innermost fastest. */
function advanceLoops(names: readonly string[], counts: readonly number[], indent: string): string[] {
  const out: string[] = [];
  const rec = (i: number, pad: string) => {
    const n = names[i]!;
    if (i === 0) {
      out.push(`${pad}${n} <= ${counts[i] === 1 ? '0' : `${n} + 1`};`);
      return;
    }
    out.push(`${pad}if ${n} = ${counts[i]! - 1} then`);
    out.push(`${pad}  ${n} <= 0;`);
    rec(i - 1, pad + '  ');
    out.push(`${pad}else`);
    out.push(`${pad}  ${n} <= ${n} + 1;`);
    out.push(`${pad}end if;`);
  };
  rec(names.length - 1, indent);
  return out;
}
