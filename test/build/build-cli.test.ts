/** `kiln build` output for incremental builds (units rebuilt and why, unchanged count, --force, --json) and `kiln watch` usage. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kiln, project } from '../helpers.js';
import { config } from '../watch/_helpers.js';

describe('kiln build (incremental)', () => {
  it('prints the rebuilt units with their reasons, the unchanged count and the delta', async () => {
    const dir = project({ 'fpga.config.ts': config() });
    const first = await kiln(['build'], dir);
    expect(first.code, first.stderr).toBe(0);
    expect(first.stderr).toMatch(/rebuilt all 23 units \(first build\)\n/);
    expect(first.stderr).toMatch(/wrote 83 files to build\/ \(report\.json, report\.md, vhdl\/, sim\/\)\n$/);

    const same = await kiln(['build'], dir);
    expect(same.stderr).toMatch(/nothing to rebuild: 23 units up to date in build\/\n/);
    expect(same.stderr).toMatch(/wrote 0 files to build\//);

    writeFileSync(join(dir, 'fpga.config.ts'), config(`layers: { 'encoder.0.ffn.fc1': { weightBits: 4 } }`));
    const one = await kiln(['build'], dir);
    expect(one.code).toBe(0);
    expect(one.stderr).toMatch(/rebuilt 8 of 23 units \(15 unchanged\)\n {2}encoder\.0\.ffn\.fc1 +weightBits 8→4.*\n( {2}\S+ +replayed activations depend on encoder\.0\.ffn\.fc1\n){5} {2}@model +expected output depends on encoder\.0\.ffn\.fc1\n {2}@reports +row of encoder\.0\.ffn\.fc1 changed\n/);
    expect(one.stderr).toMatch(/estimate:\n {2}encoder\.0\.ffn\.fc1 +LUT -\d+.*cycles \+0\n {2}total +LUT [\d,]+\/[\d,]+ \(-\d+\).*: fits xc7s50\n/);
    expect(one.stderr).toMatch(/wrote \d+ files to build\//);
  });

  it('--force rebuilds everything; --json carries rebuilt, unchanged, removed and full', async () => {
    const dir = project({ 'fpga.config.ts': config() });
    await kiln(['build'], dir);
    const forced = await kiln(['build', '--force', '--json'], dir);
    expect(forced.code).toBe(0);
    const r = JSON.parse(forced.stdout);
    expect(r.schema).toBe('kiln-report');
    expect(r.full).toBe(true);
    expect(r.fullReason).toBe('--force');
    expect(r.rebuilt).toHaveLength(23);
    expect(r.rebuilt[0]).toEqual({ unit: 'input', reason: '--force' });
    expect(r.unchanged).toBe(0);
    expect(r.files).toHaveLength(83);
    expect(r.calibrated).toHaveLength(r.layers.length);
    expect(forced.stderr).toMatch(/rebuilt all 23 units \(--force\)/);

    writeFileSync(join(dir, 'fpga.config.ts'), config(`layers: { pool: { buffer: 'registers' } }`));
    const again = JSON.parse((await kiln(['build', '--json'], dir)).stdout);
    expect(again.full).toBe(false);
    expect(again.rebuilt).toEqual([
      { unit: 'pool', reason: 'storage of buffer lutram→registers' },
      { unit: '@reports', reason: 'row of pool changed' },
    ]);
    expect(again.unchanged).toBe(21);
    expect(again.calibrated).toEqual([]); // a new process, but the float calibration comes from .kiln/calibration.json
    expect(again.removed).toEqual([]);
    expect(again.warnings).toEqual([]);
    expect(again.files.sort()).toEqual(['build/report.json', 'build/report.md', 'build/vhdl/pool.vhd']);
  });

  it('kiln watch: help, and usage errors exit 2', async () => {
    const dir = project({ 'fpga.config.ts': config() });
    const help = await kiln(['watch', '--help'], dir);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: kiln watch \[--config PATH\] \[--config-timeout SECONDS\] \[--out DIR\] \[--force\] \[--sim\] \[--jobs N\]/);
    expect((await kiln(['--help'], dir)).stdout).toMatch(/\n {2}watch +build, then rebuild only the layers that changed/);
    const jobs = await kiln(['watch', '--jobs', '0'], dir);
    expect(jobs.code).toBe(2);
    expect(jobs.stderr).toMatch(/--jobs must be a positive integer/);
    const missing = await kiln(['watch', '--config', 'nope.ts'], dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/\[KILN_E_CONFIG_NOT_FOUND\]: config file not found/);
    const saved = process.env.KILN_GHDL;
    process.env.KILN_GHDL = '/nonexistent/ghdl';
    try {
      const sim = await kiln(['watch', '--sim'], dir);
      expect(sim.code).toBe(2);
      expect(sim.stderr).toMatch(/kiln watch --sim needs it/);
    } finally {
      if (saved === undefined) delete process.env.KILN_GHDL;
      else process.env.KILN_GHDL = saved;
    }
  });
});
