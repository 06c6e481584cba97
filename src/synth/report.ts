/**
 * The synthesis report (`build/synth/report.json`, schema `kiln-synth` v1) and the estimate-vs-synthesis
 * table. Each unit records a hash of the VHDL it was synthesized from, so a later build shows a synthesized
 * figure next to its estimate only when the hardware is still the same.
 */
import { hashContent } from '../util/hash.js';
import { RESOURCES, type ResourceName } from '../dsl/index.js';
import type { Cost } from '../estimator/index.js';
import type { SynthUnit } from './index.js';

export const SYNTH_REPORT = 'synth/report.json';

export interface SynthReportUnit {
  unit: string;
  entity: string;
  kind: string;
  status: SynthUnit['status'];
  /** sha256 of the entity's VHDL file. */
  vhdlHash: string;
  /** The build key of the unit (a layer's key, or the design key for the top level) when it was synthesized. */
  unitKey?: string;
  estimate: Cost;
  synthesized?: Cost & { carry4: number; inv: number; cells: Record<string, number> };
  /** (estimate − synthesized) / synthesized per resource, in percent; null when synthesized is 0 and the estimate not. */
  errorPercent?: Record<ResourceName, number | null>;
  netlistCheck: SynthUnit['netlistCheck'];
  repairs: SynthUnit['repairs'];
  memories: SynthUnit['memories'];
  seconds: number;
  message?: string;
}

export interface SynthReport {
  schema: 'kiln-synth';
  schemaVersion: 1;
  kiln: string;
  tools: { ghdl?: string; yosys?: string; iverilog?: string };
  device: string;
  flow: string;
  countingRule: string;
  units: SynthReportUnit[];
  /** Only in a shard's report (kiln synth --shard K/N): which shard. */
  shard?: { k: number; n: number };
}

export const COUNTING_RULE =
  'LUT = LUT1..LUT6 + INV + LUTs inside LUT-RAM cells (RAM32M/RAM64M/RAM256X1S/RAM128X1D 4, RAM128X1S/RAM64X1D/RAM32X1D 2, RAM64X1S/RAM32X1S/SRL 1); LUTRAM = the LUT-RAM part; FF = FDRE+FDSE+FDCE+FDPE; BRAM18 = RAMB18E1 + 2 x RAMB36E1; DSP = DSP48E1';

export function vhdlHash(text: string): string {
  return hashContent(text);
}

export function errorPercent(estimate: number, synthesized: number): number | null {
  if (synthesized === 0) return estimate === 0 ? 0 : null;
  return Math.round(((estimate - synthesized) / synthesized) * 10_000) / 100;
}

export function reportUnit(u: SynthUnit, hash: string, unitKey?: string): SynthReportUnit {
  const synthesized = u.counts
    ? { lut: u.counts.lut, ff: u.counts.ff, lutram: u.counts.lutram, bram18: u.counts.bram18, dsp: u.counts.dsp, carry4: u.counts.carry4, inv: u.counts.inv, cells: u.counts.cells }
    : undefined;
  return {
    unit: u.unit,
    entity: u.entity,
    kind: u.kind,
    status: u.status,
    vhdlHash: hash,
    ...(unitKey !== undefined ? { unitKey } : {}),
    estimate: u.estimate,
    ...(synthesized
      ? { synthesized, errorPercent: Object.fromEntries(RESOURCES.map((r) => [r, errorPercent(u.estimate[r], synthesized[r])])) as Record<ResourceName, number | null> }
      : {}),
    netlistCheck: u.netlistCheck,
    repairs: u.repairs,
    memories: u.memories,
    seconds: Math.round(u.durationMs / 100) / 10,
    ...(u.message ? { message: u.message } : {}),
  };
}

/** Estimate next to synthesis, per unit, with the error of each resource. */
export function renderSynthTable(units: readonly SynthReportUnit[]): string {
  const header = ['Unit', ...RESOURCES.map((r) => `${r.toUpperCase()} est/syn (err)`), 'Check'];
  const cell = (u: SynthReportUnit, r: ResourceName) => {
    if (!u.synthesized) return `${u.estimate[r]}/-`;
    const e = u.errorPercent![r];
    return `${u.estimate[r]}/${u.synthesized[r]} (${e === null ? 'n/a' : `${e > 0 ? '+' : ''}${e.toFixed(1)}%`})`;
  };
  const rows = units.map((u) => [u.unit, ...RESOURCES.map((r) => cell(u, r)), u.status === 'ok' ? `ok, netlist ${u.netlistCheck}` : `${u.status.toUpperCase()}: ${u.message ?? ''}`]);
  const w = header.map((_, i) => Math.max(header[i]!.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: readonly string[]) => r.map((c, i) => (i === 0 || i === r.length - 1 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ').trimEnd();
  return [fmt(header), ...rows.map(fmt)].join('\n') + '\n';
}

/** One key for the hardware of the whole design: its layer, arithmetic and top-level unit keys. */
export function designKey(units: readonly { id: string; kind: string; key: string }[]): string {
  const parts = units.filter((u) => u.kind === 'layer' || u.kind === 'arith' || u.kind === 'top').map((u) => `${u.id}=${u.key}`).sort();
  return hashContent(parts.join('\n'));
}

/**
 * Synthesized counts of the units whose build key is unchanged since `kiln synth` measured them, by unit
 * (layer path, or the model name for the flattened top level). A unit whose hardware changed has no entry.
 */
export function currentSynthesis(report: SynthReport | undefined, units: readonly { id: string; kind: string; key: string }[], modelName: string): Map<string, Record<ResourceName, number>> {
  const out = new Map<string, Record<ResourceName, number>>();
  if (!report) return out;
  const keyOf = new Map(units.map((u) => [u.id, u.key]));
  const whole = designKey(units);
  for (const u of report.units) {
    if (u.status !== 'ok' || !u.synthesized || u.unitKey === undefined) continue;
    const current = u.unit === modelName && u.kind === 'model' ? whole : keyOf.get(u.unit);
    if (current === u.unitKey) {
      const { lut, ff, lutram, bram18, dsp } = u.synthesized;
      out.set(u.unit, { lut, ff, lutram, bram18, dsp });
    }
  }
  return out;
}

/** Reads build/synth/report.json if it exists and is a kiln-synth v1 report. */
export function readSynthReport(text: string | undefined): SynthReport | undefined {
  if (text === undefined) return undefined;
  try {
    const r = JSON.parse(text) as SynthReport;
    return r.schema === 'kiln-synth' && r.schemaVersion === 1 && Array.isArray(r.units) ? r : undefined;
  } catch {
    return undefined;
  }
}
