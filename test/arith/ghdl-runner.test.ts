/** The GHDL runner (src/toolchain/ghdl.ts). Tests that need ghdl skip without it (vhdl-package.test.ts fails in CI). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ToolMissingError, ghdlAvailable, ghdlVersion, runGhdl, synthGhdl } from '../../src/toolchain/ghdl.js';

const HAVE_GHDL = ghdlAvailable();

describe('ToolMissingError', () => {
  it('is thrown, with an install hint, when ghdl cannot be found', async () => {
    const saved = process.env.KILN_GHDL;
    process.env.KILN_GHDL = '/nonexistent/kiln-test/ghdl';
    try {
      expect(ghdlAvailable()).toBe(false);
      expect(ghdlVersion()).toBeUndefined();
      const err = await runGhdl({ workDir: tmpdir(), files: ['x.vhd'], top: 'x' }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ToolMissingError);
      expect(err).toBeInstanceOf(Error);
      expect((err as Error).message).toContain('apt-get install ghdl');
      await expect(synthGhdl({ workDir: tmpdir(), files: ['x.vhd'], top: 'x' })).rejects.toBeInstanceOf(ToolMissingError);
    } finally {
      if (saved === undefined) delete process.env.KILN_GHDL;
      else process.env.KILN_GHDL = saved;
    }
  });

  it('rejects arguments that are not VHDL names before running anything', async () => {
    await expect(runGhdl({ workDir: tmpdir(), files: [], top: 'tb' })).rejects.toThrow(RangeError);
    await expect(runGhdl({ workDir: tmpdir(), files: ['a.vhd'], top: 'tb; rm -rf /' })).rejects.toThrow(RangeError);
    await expect(runGhdl({ workDir: tmpdir(), files: ['a.vhd'], top: 'tb', generics: { 'A=1 -gB': 2 } })).rejects.toThrow(RangeError);
  });
});

describe.skipIf(!HAVE_GHDL)('runGhdl (skipped without ghdl)', () => {
  let dir = '';
  const file = (name: string, text: string) => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const tb = (name: string, body: string, generics = '') => `entity ${name} is${generics ? ` generic (${generics});` : ''} end entity;
architecture sim of ${name} is
begin
  process
  begin
${body}
  end process;
end architecture;
`;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kiln-ghdl-'));
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('analyses, elaborates and runs a passing testbench', async () => {
    const f = file('ok.vhd', tb('tb_ok', '    report "hello from ghdl";\n    wait;'));
    const r = await runGhdl({ workDir: join(dir, 'w1'), files: [f], top: 'tb_ok' });
    expect(r).toMatchObject({ ok: true, phase: 'run', exitCode: 0 });
    expect(r.stdout + r.stderr).toContain('hello from ghdl');
    expect(r.durationMs).toBeGreaterThanOrEqual(0);
  });

  it('fails the run on `severity error` (always runs with --assert-level=error)', async () => {
    const f = file('err.vhd', tb('tb_err', '    assert false report "deliberate" severity error;\n    wait;'));
    const r = await runGhdl({ workDir: join(dir, 'w2'), files: [f], top: 'tb_err' });
    expect(r).toMatchObject({ ok: false, phase: 'run' });
    expect(r.exitCode).not.toBe(0);
    expect(r.stdout + r.stderr).toContain('deliberate');
  });

  it('stops at a failing analysis or elaboration and says which', async () => {
    const bad = file('bad.vhd', 'entity broken is\n');
    const a = await runGhdl({ workDir: join(dir, 'w3'), files: [bad], top: 'broken' });
    expect(a).toMatchObject({ ok: false, phase: 'analyse' });
    expect(a.exitCode).not.toBe(0);
    const f = file('ok2.vhd', tb('tb_ok2', '    wait;'));
    const e = await runGhdl({ workDir: join(dir, 'w4'), files: [f], top: 'no_such_entity' });
    expect(e).toMatchObject({ ok: false, phase: 'elaborate' });
  });

  it('passes generics (numbers and strings, relative paths resolve in workDir) after the top on -r', async () => {
    const f = file(
      'gen.vhd',
      tb('tb_gen', '    assert G_N = 7 report "G_N is " & integer\'image(G_N) severity error;\n    report "name=" & G_NAME;\n    wait;', 'G_N : integer := 0; G_NAME : string := "none"'),
    );
    const r = await runGhdl({ workDir: join(dir, 'w5'), files: [f], top: 'tb_gen', generics: { G_N: 7, G_NAME: 'data/v.txt' } });
    expect(r.ok, r.stdout + r.stderr).toBe(true);
    expect(r.stdout + r.stderr).toContain('name=data/v.txt');
  });

  it('honours stopTime, and kills a simulation that exceeds timeoutMs', async () => {
    const f = file('forever.vhd', tb('tb_forever', '    wait for 1 ns;'));
    const stopped = await runGhdl({ workDir: join(dir, 'w6'), files: [f], top: 'tb_forever', stopTime: '100ns' });
    expect(stopped).toMatchObject({ ok: true, phase: 'run', exitCode: 0 });
    const killed = await runGhdl({ workDir: join(dir, 'w7'), files: [f], top: 'tb_forever', timeoutMs: 1500 });
    // (normally in the run phase; on a very slow machine the limit may already hit analysis)
    expect(killed).toMatchObject({ ok: false, exitCode: null });
    expect(killed.stderr).toContain('time limit');
  });

  it('synthesizes to a VHDL or Verilog netlist', async () => {
    const f = file(
      'and2.vhd',
      'library ieee; use ieee.std_logic_1164.all;\nentity and2 is port (a, b : in std_logic; y : out std_logic); end entity;\narchitecture rtl of and2 is begin y <= a and b; end architecture;\n',
    );
    const v = await synthGhdl({ workDir: join(dir, 'w8'), files: [f], top: 'and2' });
    expect(v).toMatchObject({ ok: true, phase: 'synth', exitCode: 0 });
    expect(v.netlist).toMatch(/entity and2 is/);
    const vl = await synthGhdl({ workDir: join(dir, 'w9'), files: [f], top: 'and2', out: 'verilog' });
    expect(vl.ok).toBe(true);
    expect(vl.netlist).toMatch(/module and2/);
    const bad = await synthGhdl({ workDir: join(dir, 'w10'), files: [f], top: 'nand2' });
    expect(bad).toMatchObject({ ok: false, phase: 'synth' });
  });
});
