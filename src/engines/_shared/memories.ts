/**
 * How synthesis finds a layer's memories in GHDL's netlist (GHDL drops the VHDL storage attributes, so `kiln
 * synth` re-applies them with yosys `setattr`): buffers by their signal name, ROMs by their shape, which is
 * unique within a layer.
 */
import type { LayerNode, MemoryNode } from '../../ir/types.js';
import type { NetlistMemoryRule } from '../types.js';
import { ramStyle } from './vhdl.js';

/** Yosys rom_style: BRAM, or LUT logic for 'logic' and 'lutram' alike. */
export function synthRomStyle(storage: MemoryNode['storage']): string {
  return storage === 'bram' ? 'block' : 'logic';
}

/** The output buffer (`y_mem`, or `signal` for entities that name it otherwise). */
export function bufferRule(node: LayerNode, signal = 'y_mem'): NetlistMemoryRule {
  const b = node.buffer!;
  return { match: { signal }, attribute: 'ram_style', value: ramStyle(b.storage), role: `buffer ${b.storage}` };
}

/** Every parameter memory of the node, matched by shape. */
export function romRules(node: LayerNode): NetlistMemoryRule[] {
  return node.memories.map((m) => ({ match: { depth: m.depth, width: m.width }, attribute: 'rom_style', value: synthRomStyle(m.storage), role: `${m.role} ${m.storage}` }));
}
