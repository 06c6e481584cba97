/**
 * End to end: the real `kiln watch` binary in a temporary project, edited on disk. It prints a ready line,
 * rebuilds only the changed layer's unit (and dependents) on a save with a per-layer delta and the fit,
 * survives a syntax error with the last good build in place, follows an imported helper module, and stops
 * cleanly on SIGINT (exit 0, lock released). Waits are on output lines with generous timeouts, never sleeps.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KilnProcess as Kiln } from '../process.js';
import { project } from '../helpers.js';
import { diffSnapshots, expectFc1WeightEditFiles, snapshot } from './_helpers.js';

const running: Kiln[] = [];
afterEach(() => {
  for (const k of running.splice(0)) if (k.child.exitCode === null) k.child.kill('SIGKILL');
});

const configText = (layers: string) => `import { defineConfig, transformer } from 'kiln-fpga';
import { dims } from './dims';

export default defineConfig({
  device: 'xc7s15',
  model: transformer(dims),
  layers: { ${layers} },
});
`;

describe('kiln watch (binary)', () => {
  it('rebuilds one layer on a save with its delta, survives a syntax error, follows a helper, stops on Ctrl-C', async () => {
    const dir = project({
      'dims.ts': 'export const dims = { window: 24, inputFeatures: 7, dModel: 16, ffnDim: 64 } as const;\n',
      'fpga.config.ts': configText(''),
    });
    const out = join(dir, 'build');
    const kiln = new Kiln(['watch'], dir);
    running.push(kiln);
    const start = await kiln.waitFor(/watching fpga\.config\.ts and 1 imported module \(dims\.ts\); press Ctrl-C to stop\n/);
    expect(start).toMatch(/kiln watch: building fpga\.config\.ts into build\//);
    expect(start).toMatch(/rebuilt all 23 units \(first build\) in \d+ ms; wrote 83 files/);
    expect(start).toMatch(/; fits xc7s15/);
    expect(existsSync(join(out, '.kiln', 'lock'))).toBe(true);

    // One layer's precision: only its unit (and the documented dependents) is rewritten, with a delta.
    const s0 = snapshot(out);
    writeFileSync(join(dir, 'fpga.config.ts'), configText(`'encoder.0.ffn.fc1': { weightBits: 4 }`));
    const edit = await kiln.waitFor(/\n  total +LUT [\d,]+\/8,000 .*: fits xc7s15\n/);
    expect(edit).toMatch(/\] fpga\.config\.ts changed\n/);
    expect(edit).toMatch(/rebuilt 8 of 23 units \(15 unchanged\) in \d+ ms; wrote \d+ files\n/);
    expect(edit).toMatch(/\n  encoder\.0\.ffn\.fc2 +replayed activations depend on encoder\.0\.ffn\.fc1\n/);
    expect(edit).toMatch(/\n  encoder\.0\.ffn\.fc1 +weightBits 8→4/);
    expect(edit).toMatch(/\n  @model +expected output depends on encoder\.0\.ffn\.fc1\n/);
    expect(edit).toMatch(/\n  encoder\.0\.ffn\.fc1 +LUT -\d+ .*cycles \+0\n/);
    expectFc1WeightEditFiles(diffSnapshots(s0, snapshot(out)).rewritten);

    // A syntax error: reported, the build stays, watching goes on.
    const s1 = snapshot(out);
    writeFileSync(join(dir, 'fpga.config.ts'), configText(`'encoder.0.ffn.fc1': { weightBits: 4 `));
    const broken = await kiln.waitFor(/the last good build stays in place; waiting for changes\n/);
    expect(broken).toMatch(/error\[KILN_E_CONFIG_LOAD\]: loading .*fpga\.config\.ts failed/);
    expect(broken).toMatch(/--> fpga\.config\.ts:\d+:\d+/);
    expect(diffSnapshots(s1, snapshot(out))).toEqual({ rewritten: [], added: [], removed: [] });

    // Fixed, with another change: rebuilt from the last good build.
    writeFileSync(join(dir, 'fpga.config.ts'), configText(`'encoder.0.ffn.fc1': { weightBits: 4, outputBits: 6 }`));
    const fixed = await kiln.waitFor(/: fits xc7s15\n/);
    expect(fixed).toMatch(/rebuilt 10 of 23 units/);
    expect(fixed).toMatch(/\n  encoder\.0\.ffn\.relu +outputBits 8→6, input quantization changed \(from encoder\.0\.ffn\.fc1\)/);

    // The imported helper module.
    writeFileSync(join(dir, 'dims.ts'), 'export const dims = { window: 24, inputFeatures: 7, dModel: 16, ffnDim: 32 } as const;\n');
    const helper = await kiln.waitFor(/: fits xc7s15\n/);
    expect(helper).toMatch(/\] dims\.ts changed\n/);
    expect(helper).toMatch(/\n  encoder\.0\.ffn\.fc1 +shape 24x64→24x32/);
    expect(helper).toMatch(/\n  encoder\.0\.ffn\.fc1 +LUT [+-]\d+.* cycles -15,360\n/);

    // Ctrl-C.
    kiln.child.kill('SIGINT');
    expect(await kiln.exited).toBe(0);
    expect(kiln.output).toMatch(/kiln watch: stopped\n$/);
    expect(existsSync(join(out, '.kiln', 'lock'))).toBe(false);
    expect(existsSync(join(out, '.kiln', 'manifest.json'))).toBe(true);
  }, 120_000);

  it('refuses a second kiln watch (or build) into the same folder, and SIGTERM stops it too', async () => {
    const dir = project({
      'dims.ts': 'export const dims = { window: 6, inputFeatures: 3, dModel: 8, ffnDim: 16 } as const;\n',
      'fpga.config.ts': configText(''),
    });
    const first = new Kiln(['watch'], dir);
    running.push(first);
    await first.waitFor(/press Ctrl-C to stop\n/);
    const second = new Kiln(['watch'], dir);
    running.push(second);
    expect(await second.exited).toBe(2);
    expect(second.output).toMatch(new RegExp(`\\[KILN_E_IO\\]: another kiln process \\(pid ${first.child.pid}, kiln watch\\) is building into build/`));
    first.child.kill('SIGTERM');
    expect(await first.exited).toBe(0);
  }, 120_000);

  it('Ctrl-C while a looping config is being evaluated stops it at once (exit 0) and removes the lock', async () => {
    const dir = project({
      'dims.ts': 'export const dims = { window: 6, inputFeatures: 3, dModel: 8, ffnDim: 16 } as const;\n',
      'fpga.config.ts': configText(''),
    });
    // An hour's limit: the process can only exit in time if Ctrl-C does not wait for the evaluation.
    const kiln = new Kiln(['watch', '--config-timeout', '3600'], dir);
    running.push(kiln);
    await kiln.waitFor(/press Ctrl-C to stop\n/);
    writeFileSync(join(dir, 'fpga.config.ts'), `import { defineConfig } from 'kiln-fpga';\nexport default defineConfig(() => {\n  for (;;) {}\n});\n`);
    await kiln.waitFor(/\] fpga\.config\.ts changed\n/);
    kiln.child.kill('SIGINT');
    expect(await kiln.exited).toBe(0);
    expect(kiln.output).toMatch(/kiln watch: stopped\n$/);
    expect(existsSync(join(dir, 'build', '.kiln', 'lock'))).toBe(false);
  }, 120_000);

  it('Ctrl-C during the first build of a config that never settles stops it too', async () => {
    const dir = project({ 'fpga.config.ts': `export default new Promise(() => {});\n` });
    const kiln = new Kiln(['watch', '--config-timeout', '3600'], dir);
    running.push(kiln);
    await kiln.waitFor(/kiln watch: building fpga\.config\.ts into build\/\n/);
    expect(existsSync(join(dir, 'build', '.kiln', 'lock'))).toBe(true);
    kiln.child.kill('SIGINT');
    expect(await kiln.exited).toBe(0);
    expect(existsSync(join(dir, 'build'))).toBe(false);
  }, 120_000);
});
