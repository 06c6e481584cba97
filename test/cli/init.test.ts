/**
 * `kiln init`: the files it writes, that it never overwrites without --force (and then writes nothing at all),
 * and — in a fresh project that installs kiln from `npm pack`, as a user would — `kiln init && kiln build`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kiln, ROOT, tempDir } from '../helpers.js';

const read = (dir: string, rel: string) => readFileSync(join(dir, rel), 'utf8');

describe('kiln init', () => {
  it('an empty folder: config, package.json with scripts, .gitignore, tsconfig.json, CI workflow; then it builds', async () => {
    const dir = tempDir('kiln-init-');
    const r = await kiln(['init'], dir);
    expect(r.code, r.stderr).toBe(0);
    for (const f of ['fpga.config.ts', 'package.json', '.gitignore', 'tsconfig.json', '.github/workflows/fpga.yml']) expect(existsSync(join(dir, f)), f).toBe(true);
    const pkg = JSON.parse(read(dir, 'package.json'));
    expect(pkg.scripts).toEqual({ 'fpga:build': 'kiln build', 'fpga:watch': 'kiln watch', 'fpga:sim': 'kiln sim' });
    expect(pkg.devDependencies['kiln-fpga']).toMatch(/^\^\d+\.\d+\.\d+/);
    expect(read(dir, '.gitignore')).toBe('node_modules/\nbuild/\n');
    expect(read(dir, '.github/workflows/fpga.yml')).toMatch(/npx kiln build --json > kiln-build\.json\n[\s\S]*npx kiln sim/);
    expect(read(dir, 'fpga.config.ts')).toMatch(/device: 'xc7s15',/);
    const built = await kiln(['build'], dir);
    expect(built.code, built.stderr).toBe(0);
    expect(built.stderr).toMatch(/fits xc7s15/);
    // again: nothing to do
    const again = await kiln(['init'], dir);
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/everything is in place already/);
  });

  it('an existing npm project: adds its scripts and .gitignore entries, keeps the rest', async () => {
    const dir = tempDir('kiln-init-');
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'mine', version: '1.2.3', scripts: { test: 'vitest' } }, null, 4) + '\n');
    writeFileSync(join(dir, '.gitignore'), 'dist\nbuild');
    writeFileSync(join(dir, 'tsconfig.json'), '{ "compilerOptions": { "strict": true } }\n');
    const r = await kiln(['init', '--device', 'xc7s25', '--json'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).files).toEqual(expect.arrayContaining([{ file: 'package.json', action: 'updated' }, { file: '.gitignore', action: 'updated' }]));
    const pkg = JSON.parse(read(dir, 'package.json'));
    expect(pkg).toMatchObject({ name: 'mine', version: '1.2.3', scripts: { test: 'vitest', 'fpga:build': 'kiln build' } });
    expect(read(dir, 'package.json')).toMatch(/^\{\n {4}"name"/); // its indentation kept
    expect(read(dir, '.gitignore')).toBe('dist\nbuild\nnode_modules/\n');
    expect(read(dir, 'tsconfig.json')).toBe('{ "compilerOptions": { "strict": true } }\n');
    expect(read(dir, 'fpga.config.ts')).toMatch(/device: 'xc7s25',/);
  });

  it('never overwrites: a differing file or script stops it before anything is written; --force replaces', async () => {
    const dir = tempDir('kiln-init-');
    writeFileSync(join(dir, 'fpga.config.ts'), '// mine\n');
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'x', scripts: { 'fpga:build': 'make fpga' } }) + '\n');
    const r = await kiln(['init'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/kiln init would overwrite: fpga\.config\.ts exists with other content; package\.json script 'fpga:build' is 'make fpga', not 'kiln build'/);
    expect(r.stderr).toMatch(/nothing was written; run kiln init --force/);
    expect(read(dir, 'fpga.config.ts')).toBe('// mine\n');
    expect(existsSync(join(dir, '.gitignore'))).toBe(false);
    expect(existsSync(join(dir, 'tsconfig.json'))).toBe(false);
    const forced = await kiln(['init', '--force'], dir);
    expect(forced.code, forced.stderr).toBe(0);
    expect(read(dir, 'fpga.config.ts')).toMatch(/defineConfig/);
    expect(JSON.parse(read(dir, 'package.json')).scripts['fpga:build']).toBe('kiln build');
    const bad = await kiln(['init', '--device', 'xc7s16'], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/unknown device 'xc7s16'/);
  });

  it("the README's package.json \"fpga\" example estimates as it is", async () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const json = /```json\n(\{\n  "name": "my-forecaster"[\s\S]*?)```/.exec(readme)![1]!;
    const dir = tempDir('kiln-pkg-');
    writeFileSync(join(dir, 'package.json'), json);
    const r = await kiln(['estimate'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/fits xc7s15/);
  });

  it('a fresh project that installs kiln from npm pack: npx kiln init && npx kiln build, and tsc type-checks the config', () => {
    const pack = tempDir('kiln-pack-');
    // the package as it is published (dist/ is built by the test command before vitest runs)
    const tarball = execFileSync('npm', ['pack', '--ignore-scripts', '--pack-destination', pack, '--silent'], { cwd: ROOT, encoding: 'utf8' }).trim().split('\n').pop()!;
    const dir = tempDir('kiln-user-');
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'user-project', private: true }) + '\n');
    const install = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', join(pack, tarball)], { cwd: dir, encoding: 'utf8', timeout: 240_000 });
    expect(install.status, install.stderr).toBe(0);
    const npx = (args: string[]) => spawnSync('npx', ['--no-install', ...args], { cwd: dir, encoding: 'utf8', timeout: 120_000, env: { ...process.env, NO_COLOR: '1' } });
    const init = npx(['kiln', 'init']);
    expect(init.status, init.stderr).toBe(0);
    const build = npx(['kiln', 'build']);
    expect(build.status, build.stderr).toBe(0);
    expect(build.stderr).toMatch(/fits xc7s15/);
    expect(existsSync(join(dir, 'build', 'vhdl', 'transformer.vhd'))).toBe(true);
    // the config is typed through the installed package's declarations
    const tsc = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: dir, encoding: 'utf8' });
    expect(tsc.status, tsc.stdout).toBe(0);
    writeFileSync(join(dir, 'fpga.config.ts'), read(dir, 'fpga.config.ts').replace("// layers: { 'encoder.0.ffn.fc1': { weightBits: 4 } },", "layers: { 'encoder.0.ffn.fc11': { weightBits: 4 } },"));
    const typo = spawnSync(process.execPath, [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.json'], { cwd: dir, encoding: 'utf8' });
    expect(typo.status).not.toBe(0);
    expect(typo.stdout).toMatch(/encoder\.0\.ffn\.fc11/);
  }, 400_000);
});
