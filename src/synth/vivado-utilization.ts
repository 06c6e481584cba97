/**
 * Vivado's `report_utilization -hierarchical` text, parsed. The format is taken from real reports of Vivado
 * 2018.1 to 2025.2 (test/fixtures/vivado, sources in its SOURCES.md): a "Utilization by Hierarchy" table whose
 * Instance cell is indented two spaces a level (the top one space), a `(<instance>)` row holding an instance's
 * own logic, and columns Total LUTs, Logic LUTs, LUTRAMs, SRLs, FFs, RAMB36, RAMB18, [URAM,] and "DSP48 Blocks"
 * (to 2019.1) or "DSP Blocks" (2021.2 on).
 */

export interface VivadoRow {
  instance: string;
  module: string;
  /** 0 for the top level. */
  depth: number;
  /** A `(<instance>)` row: the parent's own logic, not a child instance. */
  own: boolean;
  lut: number;
  logicLut: number;
  lutram: number;
  srl: number;
  ff: number;
  ramb36: number;
  ramb18: number;
  uram?: number;
  dsp: number;
  /** RAMB18 equivalents, as kiln counts them: RAMB18 + 2 × RAMB36. */
  bram18: number;
}

export interface VivadoUtilization {
  version?: string;
  device?: string;
  design?: string;
  state?: string;
  rows: VivadoRow[];
}

const COLUMNS: Record<string, keyof VivadoRow> = {
  'Total LUTs': 'lut',
  'Logic LUTs': 'logicLut',
  LUTRAMs: 'lutram',
  SRLs: 'srl',
  FFs: 'ff',
  RAMB36: 'ramb36',
  RAMB18: 'ramb18',
  URAM: 'uram',
  'DSP48 Blocks': 'dsp',
  'DSP Blocks': 'dsp',
};
const REQUIRED: readonly (keyof VivadoRow)[] = ['lut', 'ff', 'ramb36', 'ramb18', 'dsp'];

/** Throws an Error saying what is missing when `text` holds no hierarchical utilization table. */
export function parseVivadoUtilization(text: string): VivadoUtilization {
  const lines = text.split(/\r?\n/);
  const header = (name: string) => lines.map((l) => new RegExp(`^\\|\\s*${name}\\s*:\\s*(.*?)\\s*$`).exec(l)?.[1]).find((v) => v !== undefined);
  const at = lines.findIndex((l) => /^\|\s*Instance\s*\|\s*Module\s*\|/.test(l));
  if (at < 0) throw new Error('no "Utilization by Hierarchy" table (a header row "| Instance | Module | Total LUTs | …"): is it the output of report_utilization -hierarchical?');
  const names = cells(lines[at]!).map((c) => c.trim());
  const keys = names.map((n) => COLUMNS[n]);
  const missing = REQUIRED.filter((k) => !keys.includes(k));
  if (missing.length > 0) throw new Error(`the hierarchy table has no ${missing.map((k) => Object.keys(COLUMNS).find((n) => COLUMNS[n] === k)).join(', ')} column (columns: ${names.join(', ')})`);
  const rows: VivadoRow[] = [];
  for (let i = at + 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (/^\+-/.test(line)) {
      if (rows.length > 0) break;
      continue;
    }
    if (!line.startsWith('|')) break;
    const c = cells(line);
    if (c.length !== names.length) throw new Error(`line ${i + 1}: ${c.length} cells where the header has ${names.length}`);
    const rawInstance = c[0]!;
    const indent = rawInstance.length - rawInstance.trimStart().length;
    const instance = rawInstance.trim();
    const row: Record<string, number | string | boolean> = { instance, module: c[1]!.trim(), depth: Math.floor(indent / 2), own: /^\(.*\)$/.test(instance) };
    c.forEach((cell, k) => {
      const key = keys[k];
      if (!key || k < 2) return;
      const v = Number(cell.trim());
      if (!Number.isFinite(v)) throw new Error(`line ${i + 1}: ${names[k]} is '${cell.trim()}', not a number`);
      row[key] = v;
    });
    for (const k of ['logicLut', 'lutram', 'srl'] as const) row[k] ??= 0;
    row.bram18 = (row.ramb18 as number) + 2 * (row.ramb36 as number);
    rows.push(row as unknown as VivadoRow);
  }
  if (rows.length === 0) throw new Error('the hierarchy table has no rows');
  const version = header('Tool Version');
  const device = header('Device');
  const design = header('Design');
  const state = header('Design State');
  return { ...(version ? { version } : {}), ...(device ? { device } : {}), ...(design ? { design } : {}), ...(state ? { state } : {}), rows };
}

/** The cells of a `| a | b |` row, untrimmed (the Instance cell's indentation is its depth). */
function cells(line: string): string[] {
  const parts = line.split('|');
  return parts.slice(1, parts.length - 1).map((p) => p.replace(/^ /, ''));
}
