/**
 * The yosys script of one unit. GHDL drops `ram_style`/`rom_style`, so each memory's configured storage is
 * re-applied with `setattr` before synthesis (RAMs by name, ROMs by their width and depth within their
 * module, which are unique per layer). Multiplier mapping needs no command: 'lut' multipliers are written
 * as shift-and-add in the VHDL, 'dsp' ones as `*`, which synth_xilinx maps to DSP48E1 (products narrower
 * than 9 bits stay in LUTs).
 */
import type { LayerNode, ResolvedDesign } from '../ir/types.js';
import type { NetlistMemory } from './netlist.js';

export interface MemoryStyle {
  module: string;
  memory: string;
  attribute: 'ram_style' | 'rom_style';
  value: string;
  /** What the config asked for, for reports. */
  role: string;
}

function bufferStyle(storage: string): string {
  return storage === 'bram' ? 'block' : storage === 'registers' ? 'registers' : 'distributed';
}

/** Matches every netlist memory to the IR; throws if one cannot be matched (no silent default placement). */
export function memoryStyles(design: ResolvedDesign, memories: readonly NetlistMemory[]): MemoryStyle[] {
  const byEntity = new Map<string, LayerNode>(design.layers.map((l) => [l.name, l]));
  return memories.map((m) => {
    const node = byEntity.get(m.module);
    if (!node) throw new Error(`netlist memory ${m.module}.${m.name} belongs to no layer`);
    if (m.name === 'y_mem' || m.name === 'mem') {
      return { module: m.module, memory: m.name, attribute: 'ram_style', value: bufferStyle(node.buffer!.storage), role: `buffer ${node.buffer!.storage}` };
    }
    if (m.name === 'row_mem') return { module: m.module, memory: m.name, attribute: 'ram_style', value: 'distributed', role: 'softmax row buffer' };
    const rom = node.memories.filter((r) => r.width === m.width && r.depth === m.depth);
    if (rom.length !== 1) throw new Error(`cannot tell which memory of '${node.path}' the netlist memory ${m.name} (${m.depth} x ${m.width}) is`);
    return { module: m.module, memory: m.name, attribute: 'rom_style', value: rom[0]!.storage === 'bram' ? 'block' : 'logic', role: `${rom[0]!.role} ${rom[0]!.storage}` };
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
