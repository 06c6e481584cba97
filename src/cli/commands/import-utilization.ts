import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { compileProject } from '../../build/index.js';
import { fail } from '../../dsl/diagnostics.js';
import { RESOURCES, type ResourceName } from '../../dsl/index.js';
import { errorPercent } from '../../synth/report.js';
import { parseVivadoUtilization, type VivadoRow } from '../../synth/vivado-utilization.js';
import { ioFailure } from '../../util/io-error.js';
import { COMMON_OPTIONS, CONFIG_HELP, configOptions, EXIT_OK, JSON_HELP, type Command } from './_shared.js';

type Counts = Record<ResourceName, number>;
interface Row {
  unit: string;
  instance: string;
  estimate: Counts;
  vivado: Counts;
  errorPercent: Record<ResourceName, number | null>;
}

const countsOf = (r: VivadoRow): Counts => ({ lut: r.lut, ff: r.ff, lutram: r.lutram, bram18: r.bram18, dsp: r.dsp });
const errors = (e: Counts, v: Counts) => Object.fromEntries(RESOURCES.map((r) => [r, errorPercent(e[r], v[r])])) as Record<ResourceName, number | null>;

export const importUtilization: Command = {
  summary: "compare Vivado's report_utilization -hierarchical with kiln's estimate, per layer instance",
  usage: 'kiln import-utilization FILE [--config PATH] [--json]',
  details: `FILE is the text of Vivado's report_utilization -hierarchical (the script of 'kiln export vivado' writes
<model>_utilization_synth.rpt). Each layer instance of the top level (u_<entity>) is matched to its layer,
and the report's top row to the estimate's total; the table is the one kiln synth prints, with Vivado's
counts (BRAM18 = RAMB18 + 2 x RAMB36).

Options:
${CONFIG_HELP}
${JSON_HELP}`,
  options: { ...COMMON_OPTIONS },
  positionals: { count: 1, names: 'FILE' },
  async run(values, io, positionals = []) {
    const file = resolve(io.cwd, positionals[0]!);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (err) {
      throw ioFailure(err, 'read the Vivado report', file, io.cwd);
    }
    let parsed;
    try {
      parsed = parseVivadoUtilization(text);
    } catch (err) {
      return fail('KILN_E_USAGE', [], `${positionals[0]}: ${(err as Error).message}`, 'pass the output of report_utilization -hierarchical');
    }
    const project = await compileProject({ cwd: io.cwd, command: 'estimate', hardware: false, ...configOptions(values) });
    const { design, estimate } = project;
    const top = parsed.rows[0]!;
    const children = parsed.rows.filter((r) => r.depth === 1 && !r.own);
    const rows: Row[] = [];
    const missing: string[] = [];
    for (const node of design.layers) {
      const child = children.find((c) => c.module === node.name || c.instance === `u_${node.name}`);
      const e = estimate.layers[node.index]!;
      if (!child) {
        if (node.role === 'scheduled') missing.push(node.path);
        continue;
      }
      const est: Counts = { lut: e.lut, ff: e.ff, lutram: e.lutram, bram18: e.bram18, dsp: e.dsp };
      rows.push({ unit: node.path, instance: child.instance, estimate: est, vivado: countsOf(child), errorPercent: errors(est, countsOf(child)) });
    }
    const totalEst: Counts = { lut: estimate.total.lut, ff: estimate.total.ff, lutram: estimate.total.lutram, bram18: estimate.total.bram18, dsp: estimate.total.dsp };
    const total = { unit: design.name, instance: top.instance, estimate: totalEst, vivado: countsOf(top), errorPercent: errors(totalEst, countsOf(top)) };
    const notes = [
      ...(parsed.design && parsed.design !== design.name ? [`the report is of '${parsed.design}', the config's model is '${design.name}'`] : []),
      ...(rows.length === 0 ? ['no instance of the report is one of the model\'s layers (u_<entity>)'] : []),
      ...(missing.length > 0 ? [`not in the report: ${missing.join(', ')}`] : []),
    ];
    if (values.json) {
      io.stdout(JSON.stringify({ schema: 'kiln-vivado-utilization', schemaVersion: 1, file: positionals[0], vivado: parsed.version ?? null, device: parsed.device ?? null, state: parsed.state ?? null, units: rows, total, notes }, null, 2) + '\n');
    }
    io.stderr(`${parsed.version ?? 'Vivado'}, ${parsed.device ?? '?'}${parsed.state ? `, ${parsed.state}` : ''}\n`);
    io.stderr(renderTable([...rows, total]));
    for (const n of notes) io.stderr(`kiln: note: ${n}\n`);
    return EXIT_OK;
  },
};

function renderTable(rows: readonly Row[]): string {
  const header = ['Unit', ...RESOURCES.map((r) => `${r.toUpperCase()} est/vivado (err)`)];
  const cell = (r: Row, k: ResourceName) => `${r.estimate[k]}/${r.vivado[k]} (${r.errorPercent[k] === null ? 'n/a' : `${r.errorPercent[k]! > 0 ? '+' : ''}${r.errorPercent[k]!.toFixed(1)}%`})`;
  const table = [header, ...rows.map((r) => [r.unit, ...RESOURCES.map((k) => cell(r, k))])];
  const w = header.map((_, i) => Math.max(...table.map((t) => t[i]!.length)));
  return table.map((t) => t.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ')).join('\n') + '\n';
}
