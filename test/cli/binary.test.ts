/**
 * The real `kiln` binary, as a user runs it: exit codes, report files, --json on stdout and logs on stderr.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSource, DEFAULT_CONFIG, project, ROOT, tempDir } from '../helpers.js';

const BIN = join(ROOT, 'bin', 'kiln.js');

function run(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('kiln binary', () => {
  it('builds the default config: exit 0 and a report listing every layer', () => {
    const out = tempDir();
    const r = run(['build', '--config', DEFAULT_CONFIG, '--out', out], ROOT);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/fits xc7s15/);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(report.schema).toBe('kiln-report');
    expect(report.schemaVersion).toBe(1);
    expect(report.layers).toHaveLength(19);
    for (const l of report.layers) for (const k of ['lut', 'ff', 'lutram', 'bram18', 'dsp', 'cycles']) expect(typeof l[k]).toBe('number');
    expect(report.device).toMatchObject({ id: 'xc7s15', lut: 8000, ff: 16000, lutram: 2400, bram18: 20, dsp: 20 });
    expect(report.fits).toBe(true);
    const md = readFileSync(join(out, 'report.md'), 'utf8');
    for (const l of report.layers) expect(md).toContain(`| ${l.path} |`);
  });

  it('finds fpga.config.ts by searching upward and writes build/ next to it', () => {
    const dir = project({
      'package.json': '{"name":"p","type":"module"}',
      'fpga.config.ts': configSource(`{ device: 'xc7s15', model: transformer({ window: 8, inputFeatures: 2, dModel: 8 }) }`),
      'sub/dir/.keep': '',
    });
    const r = run(['build'], join(dir, 'sub', 'dir'));
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(dir, 'build', 'report.json'))).toBe(true);
  });

  it('exits 1 over budget and names the resource', () => {
    const dir = project({
      'fpga.config.ts': configSource(`{ device: 'xc7s6', model: transformer({ window: 24, inputFeatures: 7, dModel: 32 }), defaults: { buffer: 'lutram', multiplier: 'dsp' } }`),
    });
    const r = run(['build'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/does NOT fit xc7s6: over on .*DSP 16 > 10/);
    expect(r.stderr).toMatch(/over budget on .*LUTRAM/);
    expect(existsSync(join(dir, 'build', 'report.json'))).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'build', 'report.json'), 'utf8')).over).toEqual(expect.arrayContaining(['lutram', 'dsp']));
  });

  it('exits 2 on a misspelled layer path and names the nearest valid one', () => {
    const dir = project({
      'fpga.config.ts': configSource(`{ device: 'xc7s15', model: transformer({ window: 24, inputFeatures: 7, dModel: 16 }), layers: { 'encoder.0.ffn.fc11': { weightBits: 4 } } }`),
    });
    const r = run(['build'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no layer 'encoder\.0\.ffn\.fc11'/);
    expect(r.stderr).toMatch(/did you mean 'encoder\.0\.ffn\.fc1'\?/);
    expect(existsSync(join(dir, 'build'))).toBe(false);
  });

  it('estimate --json prints only JSON on stdout and writes nothing', () => {
    const dir = project({ 'fpga.config.ts': readFileSync(DEFAULT_CONFIG, 'utf8') });
    const r = run(['estimate', '--json'], dir);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.stdout);
    expect(report.total.cycles).toBe(report.layers.reduce((n: number, l: { cycles: number }) => n + l.cycles, 0) + report.layers.filter((l: { cycles: number }) => l.cycles > 0).length);
    expect(existsSync(join(dir, 'build'))).toBe(false);
  });

  it('what a config prints goes to stderr, all of it; --json stdout stays one document', () => {
    const dir = project({
      'fpga.config.ts': `import { defineConfig, transformer } from 'kiln-fpga';\nconsole.log('one');\nconsole.info('two');\nprocess.stdout.write('three\\n');\nexport default defineConfig({ device: 'xc7s15', model: transformer({ window: 8, inputFeatures: 2, dModel: 8 }) });\n`,
    });
    const r = run(['estimate', '--json'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).schema).toBe('kiln-report');
    expect(r.stderr).toMatch(/^one\ntwo\nthree\n/);
  });

  it('prints help for kiln and for each command, and the version', () => {
    const main = run(['--help'], ROOT);
    expect(main.code).toBe(0);
    for (const c of ['build', 'estimate', 'devices']) {
      expect(main.stdout).toContain(`  ${c}`);
      const h = run([c, '--help'], ROOT);
      expect(h.code).toBe(0);
      expect(h.stdout).toContain(`Usage: kiln ${c}`);
    }
    expect(run(['--version'], ROOT).stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
    const bare = run([], ROOT);
    expect(bare.code).toBe(2);
    expect(bare.stdout).toContain('Usage: kiln <command>');
  });

  it('lists devices', () => {
    const r = run(['devices', '--json'], ROOT);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).map((d: { id: string }) => d.id)).toEqual(['xc7s6', 'xc7s15', 'xc7s25', 'xc7s50', 'xc7s75', 'xc7s100']);
  });
});
