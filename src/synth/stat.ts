/**
 * Reads yosys `stat -json` after `synth_xilinx` into kiln's resources. Counting rules:
 * - LUT: LUT1…LUT6 and INV (an inverter occupies a LUT), plus the LUTs inside LUT-RAM primitives;
 * - LUTRAM: the LUTs inside LUT-RAM primitives only (RAM32M, RAM64M, RAM256X1S: 4; RAM128X1D: 4;
 *   RAM128X1S, RAM64X1D, RAM32X1D: 2; RAM64X1S, RAM32X1S, SRL16E, SRLC32E: 1);
 * - FF: FDRE, FDSE, FDCE, FDPE; BRAM18: RAMB18E1 + 2 × RAMB36E1; DSP: DSP48E1; CARRY4 counted apart;
 * - MUXF7/MUXF8 use no LUT; yosys `$scopeinfo` pseudo-cells are ignored.
 */
import { LATCH_CELLS } from './netlist.js';

export interface SynthCounts {
  lut: number;
  lutram: number;
  ff: number;
  bram18: number;
  dsp: number;
  carry4: number;
  /** INV cells (part of `lut`). */
  inv: number;
  latches: number;
  cells: Record<string, number>;
}

export const LUTRAM_LUTS: Record<string, number> = {
  RAM32M: 4,
  RAM64M: 4,
  RAM256X1S: 4,
  RAM128X1D: 4,
  RAM128X1S: 2,
  RAM64X1D: 2,
  RAM32X1D: 2,
  RAM64X1S: 1,
  RAM32X1S: 1,
  SRL16E: 1,
  SRLC32E: 1,
};
const LUT_CELLS = ['LUT1', 'LUT2', 'LUT3', 'LUT4', 'LUT5', 'LUT6', 'INV'];
const FF_CELLS = ['FDRE', 'FDSE', 'FDCE', 'FDPE'];
const KNOWN = new Set([...LUT_CELLS, ...FF_CELLS, ...Object.keys(LUTRAM_LUTS), ...LATCH_CELLS, 'RAMB18E1', 'RAMB36E1', 'DSP48E1', 'CARRY4', 'MUXF7', 'MUXF8', '$scopeinfo']);

export function countCells(cells: Record<string, number>): SynthCounts {
  const n = (t: string) => cells[t] ?? 0;
  const lutram = Object.entries(LUTRAM_LUTS).reduce((s, [t, k]) => s + n(t) * k, 0);
  const unknown = Object.keys(cells).filter((t) => !KNOWN.has(t));
  if (unknown.length > 0) throw new Error(`yosys produced cells kiln does not count: ${unknown.join(', ')}`);
  return {
    lut: LUT_CELLS.reduce((s, t) => s + n(t), 0) + lutram,
    lutram,
    ff: FF_CELLS.reduce((s, t) => s + n(t), 0),
    bram18: n('RAMB18E1') + 2 * n('RAMB36E1'),
    dsp: n('DSP48E1'),
    carry4: n('CARRY4'),
    inv: n('INV'),
    latches: LATCH_CELLS.reduce((s, t) => s + n(t), 0),
    cells: Object.fromEntries(Object.entries(cells).filter(([t]) => t !== '$scopeinfo').sort(([a], [b]) => a.localeCompare(b))),
  };
}

/** Parses `stat -json` output (yosys 0.23 and later) for the flattened top module. */
export function parseStatJson(text: string, top: string): SynthCounts {
  const json = JSON.parse(text) as { modules?: Record<string, { num_cells_by_type?: Record<string, number> }> };
  const modules = json.modules ?? {};
  const mod = modules[top] ?? modules[`\\${top}`] ?? (Object.keys(modules).length === 1 ? Object.values(modules)[0] : undefined);
  if (!mod) throw new Error(`stat -json has no module '${top}' (modules: ${Object.keys(modules).join(', ')})`);
  return countCells(mod.num_cells_by_type ?? {});
}
