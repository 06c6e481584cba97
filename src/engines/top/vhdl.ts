/**
 * The top level, generated from its plan (plan.ts): instantiates every layer, runs them one at a time (a stage
 * counter raises each layer's enable and advances on its done), and multiplexes the read address of every
 * buffer with several readers by stage. No hand-written composite per topology.
 */
import type { ResolvedDesign } from '../../ir/types.js';
import { addressBits, header, LIBRARIES } from '../_shared/vhdl.js';
import { topPlan } from './plan.js';

export function emitTop(design: ResolvedDesign): string {
  const byPath = new Map(design.layers.map((l) => [l.path, l]));
  const { scheduled, stageOf, reads } = topPlan(design);
  const N = scheduled.length;
  const inputNode = design.layers[0]!;
  const outputNode = byPath.get(design.output)!;

  const L: string[] = [];
  const emit = (s = '') => L.push(s);
  const inAw = addressBits(inputNode.output.elements);
  const outAw = addressBits(outputNode.output.elements);
  emit(
    header(`Top level '${design.name}': ${N} layers run one at a time`, [
      `input [${inputNode.output.shape.join('x')}] ${inputNode.output.bits}-bit, written through in_*; output [${outputNode.output.shape.join('x')}] ${outputNode.output.bits}-bit from '${outputNode.path}', read through out_* after done`,
      `schedule: ${scheduled.map((l) => l.path).join(' -> ')}`,
      `device ${design.device.part} at ${design.clockMHz} MHz`,
      `parameters: ${design.weights.source} (seed ${design.weights.seed}), not a trained model`,
    ]),
  );
  emit(LIBRARIES);
  emit(`entity ${design.name} is`);
  emit('  port (');
  emit('    clk      : in  std_logic;');
  emit("    enable   : in  std_logic;  -- '1' runs one inference; '0' resets the schedule");
  emit("    done     : out std_logic;  -- '1' once the output is ready, until enable falls");
  emit('    in_we    : in  std_logic;  -- host write port of the input window');
  emit(`    in_addr  : in  unsigned(${inAw - 1} downto 0);`);
  emit(`    in_data  : in  signed(${inputNode.output.bits - 1} downto 0);`);
  emit(`    out_addr : in  unsigned(${outAw - 1} downto 0);  -- host read port of the output (one cycle latency)`);
  emit(`    out_data : out signed(${outputNode.output.bits - 1} downto 0)`);
  emit('  );');
  emit(`end entity ${design.name};`);
  emit();
  emit(`architecture rtl of ${design.name} is`);
  emit(`  constant STAGES : natural := ${N};`);
  emit('  signal stage : natural range 0 to STAGES := 0;');
  emit('  signal stage_done : std_logic;');
  for (const l of design.layers) {
    emit(`  -- ${l.path}`);
    if (stageOf.has(l.path)) emit(`  signal ${l.name}_enable, ${l.name}_done : std_logic;`);
    l.inputs.forEach((inp, p) => {
      const src = byPath.get(inp.from)!;
      emit(`  signal ${l.name}_x${p}_addr : unsigned(${addressBits(src.output.elements) - 1} downto 0);`);
      emit(`  signal ${l.name}_x${p}_data : signed(${src.output.bits - 1} downto 0);`);
    });
    emit(`  signal ${l.name}_y_addr : unsigned(${addressBits(l.output.elements) - 1} downto 0);`);
    emit(`  signal ${l.name}_y_data : signed(${l.output.bits - 1} downto 0);`);
  }
  emit('begin');
  emit('  -- schedule: stage k enables the k-th layer; its done advances the stage');
  emit('  stage_done <=');
  scheduled.forEach((l, i) => emit(`    ${l.name}_done when stage = ${i} else`));
  emit("    '0';");
  emit('  schedule : process (clk)');
  emit('  begin');
  emit('    if rising_edge(clk) then');
  emit("      if enable = '0' then");
  emit('        stage <= 0;');
  emit("      elsif stage < STAGES and stage_done = '1' then");
  emit('        stage <= stage + 1;');
  emit('      end if;');
  emit('    end if;');
  emit('  end process;');
  emit("  done <= '1' when stage = STAGES else '0';");
  emit();

  for (const l of design.layers) {
    emit(`  -- ${l.path} (${l.kind})`);
    if (stageOf.has(l.path)) emit(`  ${l.name}_enable <= '1' when enable = '1' and stage = ${stageOf.get(l.path)} else '0';`);
    l.inputs.forEach((inp, p) => emit(`  ${l.name}_x${p}_data <= ${byPath.get(inp.from)!.name}_y_data;`));
    // Read-address multiplexer of this node's output, by the stage of whoever reads it.
    const readers = reads.get(l.path)!.map((r) => (r.stages ? `${r.address} when ${r.stages.map((st) => `stage = ${st}`).join(' or ')} else` : `${r.address} when stage = STAGES else`));
    emit(`  ${l.name}_y_addr <=`);
    for (const r of readers) emit(`    ${r}`);
    emit("    (others => '0');");
    emit(`  u_${l.name} : entity work.${l.name}`);
    emit('    port map (');
    const ports: string[] = [];
    if (l.role === 'host') ports.push('clk => clk', 'wr_en => in_we', 'wr_addr => in_addr', 'wr_data => in_data');
    else if (l.role === 'scheduled') ports.push('clk => clk', `enable => ${l.name}_enable`, `done => ${l.name}_done`);
    l.inputs.forEach((_, p) => ports.push(`x${p}_addr => ${l.name}_x${p}_addr`, `x${p}_data => ${l.name}_x${p}_data`));
    ports.push(`y_addr => ${l.name}_y_addr`, `y_data => ${l.name}_y_data`);
    emit(ports.map((p) => `      ${p}`).join(',\n'));
    emit('    );');
    emit();
  }
  emit(`  out_data <= ${outputNode.name}_y_data;`);
  emit('end architecture rtl;');
  return L.join('\n') + '\n';
}
