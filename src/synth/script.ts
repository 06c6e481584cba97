/**
 * The yosys script of one unit. GHDL drops `ram_style`/`rom_style`, so each memory's configured storage is
 * re-applied with `setattr` before synthesis (RAMs by name, ROMs by their width and depth within their
 * module, which are unique per layer). Multiplier mapping needs no command: 'lut' multipliers are written
 * as shift-and-add in the VHDL, 'dsp' ones as `*`, which synth_xilinx maps to DSP48E1 (products narrower
 * than 9 bits stay in LUTs).
 */
import type { LayerNode, ResolvedDesign } from '../ir/types.js';
import { hardwareOf } from '../kinds/index.js';
import type { NetlistMemory } from './netlist.js';

export interface MemoryStyle {
  module: string;
  memory: string;
  attribute: 'ram_style' | 'rom_style';
  value: string;
  /** What the config asked for, for reports. */
  role: string;
}

/** Matches every netlist memory to its engine's rules; throws if one cannot be matched (no silent default placement). */
export function memoryStyles(design: ResolvedDesign, memories: readonly NetlistMemory[]): MemoryStyle[] {
  const byEntity = new Map<string, LayerNode>(design.layers.map((l) => [l.name, l]));
  return memories.map((m) => {
    const node = byEntity.get(m.module);
    if (!node) throw new Error(`netlist memory ${m.module}.${m.name} belongs to no layer`);
    const rules = hardwareOf(node).memories();
    const named = rules.find((r) => 'signal' in r.match && r.match.signal === m.name);
    const shaped = rules.filter((r) => 'depth' in r.match && r.match.depth === m.depth && r.match.width === m.width);
    const rule = named ?? (shaped.length === 1 ? shaped[0] : undefined);
    if (!rule) throw new Error(`cannot tell which memory of '${node.path}' the netlist memory ${m.name} (${m.depth} x ${m.width}) is`);
    return { module: m.module, memory: m.name, attribute: rule.attribute, value: rule.value, role: rule.role };
  });
}

export function yosysScript(top: string, netlist: string, styles: readonly MemoryStyle[], statFile: string): string {
  return [
    `# kiln synthesis of ${top}: GHDL netlist -> yosys synth_xilinx (xc7), flattened, no IO buffers`,
    `read_verilog ${netlist}`,
    `hierarchy -top ${top}`,
    '# storage configured in fpga.config.ts (GHDL drops the VHDL attributes)',
    ...styles.map((s) => `setattr -set ${s.attribute} "${s.value}" ${s.module}/m:${s.memory}`),
    `synth_xilinx -family xc7 -top ${top} -flatten -noiopad -noclkbuf`,
    `tee -q -o ${statFile} stat -json`,
    '',
  ].join('\n');
}
