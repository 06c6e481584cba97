/**
 * `kiln export vivado`: the project TCL and XDC, checked by parsing (no Vivado here): every source exists, in
 * a valid compile order (a unit after the package and the entities it uses), the part and the top are the
 * config's, the clock constraint is clockMHz; `kiln vivado` without Vivado exits 2 saying so.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kiln, project } from '../helpers.js';
import { config } from '../watch/_helpers.js';

describe('kiln export vivado', () => {
  it('writes a TCL project and an XDC whose sources, order, part, top and clock are right', async () => {
    const dir = project({ 'fpga.config.ts': config('clockMHz: 125') });
    const r = await kiln(['export', 'vivado', '--json'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ schema: 'kiln-export', schemaVersion: 1, target: 'vivado', files: ['build/vivado/transformer.tcl', 'build/vivado/transformer.xdc'] });
    const vivadoDir = join(dir, 'build', 'vivado');
    const tcl = readFileSync(join(vivadoDir, 'transformer.tcl'), 'utf8');
    const xdc = readFileSync(join(vivadoDir, 'transformer.xdc'), 'utf8');
    expect(tcl).toMatch(/^create_project -force transformer \[file join \$here project\] -part xc7s50csga324-2$/m);
    expect(tcl).toMatch(/^set_property top transformer \[get_filesets sources_1\]$/m);
    expect(tcl).toMatch(/^set_property file_type \{VHDL 2008\} \[get_files \$sources\]$/m);
    expect(tcl).toMatch(/^add_files -norecurse -fileset constrs_1 \[file join \$here transformer\.xdc\]$/m);
    expect(tcl).toMatch(/^report_utilization -hierarchical -file /m);
    expect(tcl).not.toMatch(/write_bitstream/);
    expect(xdc).toMatch(/^create_clock -name clk -period 8 \[get_ports clk\]$/m);

    // every source exists, in the build's compile order
    const sources = [...tcl.matchAll(/^ {2}\[file join \$here (\S+)\] \\$/gm)].map((m) => resolve(vivadoDir, m[1]!));
    const order = readFileSync(join(dir, 'build', 'vhdl', 'files.txt'), 'utf8').trim().split('\n');
    expect(sources.map((s) => s.replace(/^.*\//, ''))).toEqual(order);
    for (const s of sources) expect(existsSync(s), s).toBe(true);
    // a valid order: each file after the package it uses and the entities it instantiates
    const position = new Map<string, number>();
    sources.forEach((s, i) => {
      const text = readFileSync(s, 'utf8');
      for (const m of text.matchAll(/^\s*(?:entity|package)\s+(\w+)\s+is/gim)) position.set(m[1]!.toLowerCase(), i);
    });
    sources.forEach((s, i) => {
      const text = readFileSync(s, 'utf8');
      for (const m of text.matchAll(/\b(?:entity\s+work\.|use\s+work\.)(\w+)/gi)) {
        const at = position.get(m[1]!.toLowerCase());
        expect(at, `${s} uses ${m[1]}`).toBeDefined();
        expect(at!, `${s.replace(/^.*\//, '')} uses ${m[1]} compiled later`).toBeLessThan(i);
      }
    });
    expect(sources.at(-1)).toMatch(/transformer\.vhd$/);
  });

  it('--bitstream adds implementation, the bitstream and a timing summary', async () => {
    const dir = project({ 'fpga.config.ts': config() });
    expect((await kiln(['export', 'vivado', '--bitstream'], dir)).code).toBe(0);
    const tcl = readFileSync(join(dir, 'build', 'vivado', 'transformer.tcl'), 'utf8');
    expect(tcl).toMatch(/^launch_runs impl_1 -to_step write_bitstream -jobs 2$/m);
    expect(tcl).toMatch(/^report_timing_summary -file /m);
  });

  it('an unknown target, and kiln vivado without Vivado on PATH, exit 2 saying so', async () => {
    const dir = project({ 'fpga.config.ts': config() });
    const quartus = await kiln(['export', 'quartus'], dir);
    expect(quartus.code).toBe(2);
    expect(quartus.stderr).toMatch(/unknown export target 'quartus'/);
    const saved = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      const r = await kiln(['vivado'], dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/\[KILN_E_TOOL\]: vivado is not on PATH/);
    } finally {
      process.env.PATH = saved;
    }
  });
});
