/**
 * Output folder safety (issue 9, item 7): kiln refuses to build into the filesystem root, the home folder or a
 * non-empty folder that holds no earlier kiln build unless --force says so, and never deletes a file it did not
 * write, whatever its manifest says.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProject } from '../../src/build/index.js';
import { findGeneratedFiles, sweepTempFiles } from '../../src/build/incremental.js';
import { kiln, project, tempDir } from '../helpers.js';
import { config, expectSameAsFullBuild, SMALL_MODEL } from '../watch/_helpers.js';

describe('output folder safety', () => {
  it('--out / is refused (exit 2), nothing written', async () => {
    const dir = project({ 'fpga.config.ts': config() });
    const before = readdirSync('/').sort();
    const r = await kiln(['build', '--out', '/', '--json'], dir);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).diagnostics[0]).toMatchObject({ code: 'KILN_E_USAGE', message: 'refusing to build into /: it is the filesystem root', hint: expect.stringMatching(/--force/) });
    expect(readdirSync('/').sort()).toEqual(before);
  });

  it('the home folder is refused, even when empty', async () => {
    const dir = project({ 'fpga.config.ts': config() });
    const home = tempDir();
    const saved = process.env.HOME;
    process.env.HOME = home;
    try {
      const r = await kiln(['build', '--out', home], dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/refusing to build into .*: it is your home folder/);
      expect(readdirSync(home)).toEqual([]);
    } finally {
      process.env.HOME = saved;
    }
  });

  it('--out ../.. (a non-empty folder without a kiln build) is refused; --force builds there', async () => {
    const dir = project({ 'a/b/fpga.config.ts': config(), 'notes.txt': 'mine\n' });
    const cwd = join(dir, 'a', 'b');
    const r = await kiln(['build', '--out', '../..'], cwd);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error\[KILN_E_USAGE\]: refusing to build into .*: it is not empty \('a', 'notes\.txt'\) and holds no earlier kiln build/);
    expect(readdirSync(dir).sort()).toEqual(['a', 'notes.txt']);
    for (const command of [['watch'], ['sim'], ['synth']]) expect((await kiln([...command, '--out', '../..'], cwd)).code, command[0]).toBe(2);
    expect(readdirSync(dir).sort()).toEqual(['a', 'notes.txt']);

    const forced = await kiln(['build', '--out', '../..', '--force'], cwd);
    expect(forced.code, forced.stderr).toBe(0);
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('mine\n');
    // Now it holds a kiln build: no --force needed.
    expect((await kiln(['build', '--out', '../..'], cwd)).code).toBe(0);
  });

  it('an empty folder, a folder with only .gitignore, and an earlier build without its manifest are fine', async () => {
    const dir = project({ 'fpga.config.ts': config(), 'empty/.gitignore': '*\n' });
    expect((await kiln(['build', '--out', 'empty'], dir)).code).toBe(0);
    const { rmSync } = await import('node:fs');
    rmSync(join(dir, 'empty', '.kiln'), { recursive: true });
    const again = await kiln(['build', '--out', 'empty'], dir);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toMatch(/no build manifest .* next to earlier outputs; rebuilding everything/);
  });

  it('a file listed in the manifest that kiln did not write (or that changed since) is not deleted', async () => {
    const two = `transformer({ window: 6, inputFeatures: 3, dModel: 8, ffnDim: 16, encoderLayers: 2 })`;
    const dir = project({ 'fpga.config.ts': config('', two) });
    const first = await buildProject({ cwd: dir });
    const out = first.outDir;
    // A tampered manifest that claims a file of the user's, and a generated file edited by hand.
    writeFileSync(join(out, 'notes.txt'), 'mine\n');
    const manifestPath = join(out, '.kiln', 'manifest.json');
    const m = JSON.parse(readFileSync(manifestPath, 'utf8'));
    m.units['encoder.1.ffn.fc1'].files['notes.txt'] = { hash: 'a'.repeat(64), size: 5, mtimeMs: 1 };
    writeFileSync(manifestPath, JSON.stringify(m));
    const edited = join(out, 'vhdl', 'encoder_1_ffn_fc2.vhd');
    writeFileSync(edited, readFileSync(edited, 'utf8') + '-- my note\n');
    writeFileSync(join(dir, 'fpga.config.ts'), config('', SMALL_MODEL));
    const r = await buildProject({ cwd: dir });
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('mine\n');
    expect(readFileSync(edited, 'utf8')).toMatch(/-- my note\n$/);
    expect(r.build.warnings).toEqual([
      `left build/notes.txt in place: an earlier build generated it and this one no longer does, but it was changed since, so it is not kiln's to remove`,
      `left build/vhdl/encoder_1_ffn_fc2.vhd in place: an earlier build generated it and this one no longer does, but it was changed since, so it is not kiln's to remove`,
    ]);
    expect(existsSync(join(out, 'vhdl', 'encoder_1_ffn_fc1.vhd'))).toBe(false); // unchanged: kiln's, removed
  });

  it('without a manifest, only files recognisably kiln\'s are removed', async () => {
    const dir = project({ 'fpga.config.ts': config() });
    const out = join(dir, 'build');
    await buildProject({ cwd: dir });
    const mine: Record<string, string> = {
      'vhdl/files.txt.bak': 'x\n',
      'sim/vectors/data.y.txt': 'my measurements: 1, 2, 3\n',
      'sim/vectors/notes.x0.txt': '# my notes\nnot a number\n',
      'sim/testbenches.json.orig': '{}',
      'vhdl/mine.vhd': '-- my own entity\n',
    };
    for (const [rel, text] of Object.entries(mine)) writeFileSync(join(out, rel), text);
    const found = await findGeneratedFiles(out);
    for (const rel of Object.keys(mine)) expect(found).not.toContain(rel);
    expect(found).toContain('vhdl/files.txt');
    expect(found).toContain('sim/testbenches.json');
    expect(found).toContain('sim/vectors/pool.y.txt');
  });

  it("a user's file named like a temporary file is not swept", async () => {
    const out = tempDir();
    mkdirSync(join(out, 'vhdl'));
    writeFileSync(join(out, 'notes.999999998.abc.tmp'), 'mine');
    writeFileSync(join(out, 'vhdl', 'pool.vhd.999999999.abc.tmp'), 'kiln left me');
    expect(await sweepTempFiles(out)).toEqual(['vhdl/pool.vhd.999999999.abc.tmp']);
    expect(existsSync(join(out, 'notes.999999998.abc.tmp'))).toBe(true);
  });

  it('an existing build folder still rebuilds correctly after all this', async () => {
    const dir = project({ 'fpga.config.ts': config() });
    await buildProject({ cwd: dir });
    await expectSameAsFullBuild(dir, join(dir, 'build'));
  });
});
