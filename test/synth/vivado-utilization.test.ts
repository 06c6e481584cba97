/**
 * The parser of Vivado's `report_utilization -hierarchical` on real reports from public repositories
 * (test/fixtures/vivado/SOURCES.md): Vivado 2018.1 ("DSP48 Blocks"), 2024.2 (with URAM), 2025.1 and 2025.2
 * ("DSP Blocks"); figures checked against the files' own rows.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseVivadoUtilization } from '../../src/synth/vivado-utilization.js';
import { kiln, project, ROOT } from '../helpers.js';
import { config } from '../watch/_helpers.js';

const fixture = (name: string) => readFileSync(join(ROOT, 'test', 'fixtures', 'vivado', name), 'utf8');

describe('Vivado report_utilization -hierarchical', () => {
  it('2018.1 (DSP48 Blocks, no xc prefix): header fields, rows, depths, own-logic rows', () => {
    const u = parseVivadoUtilization(fixture('vivado2018.1_xc7a35t_nano_processor.rpt'));
    expect(u).toMatchObject({ version: expect.stringMatching(/^Vivado v\.2018\.1 /), device: '7a35tcpg236-1', design: 'Nano_processor', state: 'Synthesized' });
    expect(u.rows[0]).toMatchObject({ instance: 'Nano_processor', module: '(top)', depth: 0, own: false, lut: 75, logicLut: 75, ff: 49, dsp: 0, bram18: 0 });
    expect(u.rows[1]).toMatchObject({ instance: '(Nano_processor)', depth: 1, own: true, lut: 0 });
    expect(u.rows[2]).toMatchObject({ instance: 'Register_BANK_0', module: 'Registers_Bank', depth: 1, lut: 36, ff: 12 });
    expect(u.rows[3]).toMatchObject({ instance: 'Reg_Gen[1].Reg_Inst', module: 'Regi', depth: 2, ff: 4 });
    // every instance's direct children (own-logic row included) sum to it
    for (const [i, r] of u.rows.entries()) {
      const children: typeof u.rows = [];
      for (let j = i + 1; j < u.rows.length && u.rows[j]!.depth > r.depth; j++) if (u.rows[j]!.depth === r.depth + 1) children.push(u.rows[j]!);
      if (children.length > 0) expect(children.reduce((n, c) => n + c.ff, 0), r.instance).toBe(r.ff);
    }
  });

  it('2024.2 (UltraScale+, URAM column) and 2025.1 (DSP Blocks)', () => {
    const k24 = parseVivadoUtilization(fixture('vivado2024.2_xck24_tdc_pll.rpt'));
    expect(k24.version).toMatch(/^Vivado v\.2024\.2 /);
    expect(k24.rows.map((r) => [r.instance, r.module, r.depth, r.lut, r.ff, r.uram])).toEqual([
      ['pll_top', '(top)', 0, 112, 71, 0],
      ['(pll_top)', '(top)', 1, 0, 0, 0],
      ['u_lf', 'lf', 1, 32, 17, 0],
      ['u_nco', 'nco', 1, 32, 18, 0],
      ['u_pd', 'pd', 1, 49, 36, 0],
    ]);
    const visor = parseVivadoUtilization(fixture('vivado2025.1_xc7a35t_visor.rpt'));
    expect(visor).toMatchObject({ device: 'xc7a35tcpg236-1', state: 'Routed' });
    expect(visor.rows[0]).toMatchObject({ instance: 'RISCV_Pipeline', lut: 10, ff: 36 });
  });

  it('2025.2: a three-level hierarchy', () => {
    const u = parseVivadoUtilization(fixture('vivado2025.2_xc7a100t_percolation.rpt'));
    expect(u.version).toMatch(/^Vivado v\.2025\.2 /);
    expect(u.rows[0]).toMatchObject({ instance: 'percolation_uart_top', lut: 1019, ff: 1090 });
    expect(u.rows.find((r) => r.instance === 'trivium_bank')).toMatchObject({ module: 'trivium_array', depth: 3, lut: 720, ff: 768 });
    expect(u.rows.filter((r) => r.depth === 1 && !r.own).map((r) => r.instance)).toEqual(['core_inst', 'rx_inst', 'tx_inst']);
  });

  it('says what is wrong with a file that is not such a report', () => {
    expect(() => parseVivadoUtilization('hello')).toThrow(/no "Utilization by Hierarchy" table/);
    expect(() => parseVivadoUtilization('| Instance | Module | Total LUTs | FFs |\n| top | (top) | 1 | 2 |\n')).toThrow(/no RAMB36, RAMB18, DSP48 Blocks column/);
    expect(() => parseVivadoUtilization('| Instance | Module | Total LUTs | FFs | RAMB36 | RAMB18 | DSP Blocks |\n| top | (top) | x | 2 | 0 | 0 | 0 |\n')).toThrow(/line 2: Total LUTs is 'x', not a number/);
  });
});

type Counts = { name: string; lut: number; lutram: number; ff: number; ramb18: number; dsp: number };

describe('kiln import-utilization', () => {
  /**
   * A report for a kiln build in Vivado's format: the real 2025.2 report's header and columns (the fixture), its
   * rows replaced by the build's layer instances (u_<entity>, module <entity>) with chosen counts.
   */
  function reportFor(instances: Counts[], total: Omit<Counts, 'name'>): string {
    const real = fixture('vivado2025.2_xc7a100t_percolation.rpt').split('\n');
    const headerAt = real.findIndex((l) => l.startsWith('|         Instance'));
    const row = (inst: string, mod: string, c: Omit<Counts, 'name'>) => `| ${inst.padEnd(30)} | ${mod.padStart(30)} | ${String(c.lut).padStart(10)} | ${String(c.lut - c.lutram).padStart(10)} | ${String(c.lutram).padStart(7)} | ${'0'.padStart(4)} | ${String(c.ff).padStart(4)} | ${'0'.padStart(6)} | ${String(c.ramb18).padStart(6)} | ${String(c.dsp).padStart(10)} |`;
    const header = `| ${'Instance'.padEnd(30)} | ${'Module'.padStart(30)} | Total LUTs | Logic LUTs | LUTRAMs | SRLs |  FFs | RAMB36 | RAMB18 | DSP Blocks |`;
    return [...real.slice(0, headerAt - 1).map((l) => l.replace('percolation_uart_top', 'transformer')), '+-', header, '+-', row('transformer', '(top)', total), ...instances.map((i) => row(`  u_${i.name}`, i.name, i)), '+-', ''].join('\n');
  }

  it('matches each layer instance to its layer and the top row to the total', async () => {
    const dir = project({ 'fpga.config.ts': config() });
    const est = JSON.parse((await kiln(['estimate', '--json'], dir)).stdout) as { layers: { path: string; entity: string; lut: number; lutram: number; ff: number; bram18: number; dsp: number }[]; total: { lut: number; lutram: number; ff: number; bram18: number; dsp: number } };
    const fc1 = est.layers.find((l) => l.path === 'encoder.0.ffn.fc1')!;
    const layers = est.layers.filter((l) => l.path !== 'encoder.0.ffn.relu').map((l) => ({ name: l.entity, lut: l.path === fc1.path ? Math.round(l.lut * 1.1) : l.lut, lutram: l.lutram, ff: l.ff, ramb18: l.bram18, dsp: l.dsp }));
    writeFileSync(join(dir, 'util.rpt'), reportFor(layers, { lut: est.total.lut, lutram: est.total.lutram, ff: est.total.ff, ramb18: est.total.bram18, dsp: est.total.dsp }));
    const r = await kiln(['import-utilization', 'util.rpt', '--json'], dir);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ schema: 'kiln-vivado-utilization', vivado: expect.stringMatching(/^Vivado v\.2025\.2/), device: 'xc7a100tcsg324-1' });
    const row = doc.units.find((u: { unit: string }) => u.unit === 'encoder.0.ffn.fc1');
    expect(row.instance).toBe('u_encoder_0_ffn_fc1');
    expect(row.errorPercent.lut).toBeCloseTo(((fc1.lut - Math.round(fc1.lut * 1.1)) / Math.round(fc1.lut * 1.1)) * 100, 1);
    expect(doc.units.filter((u: { unit: string }) => u.unit !== 'encoder.0.ffn.fc1').every((u: { errorPercent: { lut: number } }) => u.errorPercent.lut === 0)).toBe(true);
    expect(doc.total.errorPercent).toEqual({ lut: 0, ff: 0, lutram: 0, bram18: 0, dsp: 0 });
    expect(r.stderr).toMatch(/\nencoder\.0\.ffn\.fc1 +\d+\/\d+ \(-9\.\d%\)/);
  });

  it('a file that is not such a report, or missing, exits 2 saying so', async () => {
    const dir = project({ 'fpga.config.ts': config() });
    writeFileSync(join(dir, 'notes.txt'), 'hello\n');
    const r = await kiln(['import-utilization', 'notes.txt'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/notes\.txt: no "Utilization by Hierarchy" table/);
    expect((await kiln(['import-utilization', 'nope.rpt'], dir)).stderr).toMatch(/KILN_E_IO.*cannot read the Vivado report nope\.rpt/s);
  });
});
