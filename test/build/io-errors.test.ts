/**
 * Every I/O failure is a diagnostic (issue 9, items 4–6): KILN_E_IO naming the path and the operation, with a
 * hint, exit 2, one `kiln-error` document under --json, and earlier outputs untouched where kiln could keep
 * them so; a damaged manifest (a folder, unreadable) means a full rebuild with a warning; an empty or garbage
 * lock is stale, also right after a `kill -9`.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { COMMANDS } from '../../src/cli/commands/index.js';
import { LOCK_FILE } from '../../src/build/lock.js';
import { ioFailure } from '../../src/util/io-error.js';
import { kiln, project, ROOT } from '../helpers.js';
import { config, diffSnapshots, expectSameAsFullBuild, snapshot } from '../watch/_helpers.js';

/** Tests may run as root, for whom permission bits deny nothing. */
const ROOT_USER = process.getuid?.() === 0;

type ErrorDoc = { schema: string; schemaVersion: number; diagnostics: { code: string; message: string; hint?: string; loc?: { file: string; line: number } }[] };

/** Runs kiln twice (human, then --json) and checks the shared contract of a failure: exit 2, no stack, one JSON document. */
async function fails(args: string[], dir: string): Promise<{ human: string; doc: ErrorDoc }> {
  const human = await kiln(args, dir);
  expect(human.code, human.stderr).toBe(2);
  expect(human.stderr).not.toMatch(/internal error|\n\s+at /);
  const machine = await kiln([...args, '--json'], dir);
  expect(machine.code).toBe(2);
  const doc = JSON.parse(machine.stdout) as ErrorDoc;
  expect(doc.schema).toBe('kiln-error');
  return { human: human.stderr, doc };
}

describe('I/O failures are diagnostics', () => {
  it('an invalid package.json does not matter when --config names the config', async () => {
    const dir = project({ 'package.json': '{ "name": "x", oops }', 'fpga.config.ts': config() });
    const r = await kiln(['build', '--config', 'fpga.config.ts', '--json'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).schema).toBe('kiln-report');
  });

  it('nor when the search finds a config file before it', async () => {
    const dir = project({ 'package.json': '{ "name": "x", oops }', 'fpga.config.ts': config() });
    expect((await kiln(['estimate'], dir)).code).toBe(0);
  });

  it('an invalid package.json the config search must read is KILN_E_IO naming it, with its line', async () => {
    const dir = project({ 'package.json': '{\n  "name": "x",\n  oops\n}\n', 'sub/.keep': '' });
    const { human, doc } = await fails(['build'], join(dir, 'sub'));
    expect(doc.diagnostics[0]).toMatchObject({ code: 'KILN_E_IO', message: expect.stringMatching(/cannot read .*package\.json while searching for the config: it is not valid JSON/), loc: { line: 3 } });
    expect(human).toMatch(/hint: fix its JSON, or pass --config PATH/);
  });

  it('--out naming a plain file: KILN_E_IO, the file untouched', async () => {
    const dir = project({ 'fpga.config.ts': config(), 'out.txt': 'mine\n' });
    const { doc } = await fails(['build', '--out', 'out.txt'], dir);
    expect(doc.diagnostics[0]).toMatchObject({ code: 'KILN_E_IO', message: 'the output folder out.txt is a file, not a folder', hint: expect.stringMatching(/--out DIR/) });
    expect(readFileSync(join(dir, 'out.txt'), 'utf8')).toBe('mine\n');
    const under = await fails(['build', '--out', 'out.txt/build'], dir);
    expect(under.doc.diagnostics[0]!.message).toBe('cannot create the output folder out.txt/build: out.txt is a file');
    // --force does not make a file a folder.
    expect((await kiln(['build', '--out', 'out.txt', '--force'], dir)).code).toBe(2);
  });

  it('a file where kiln needs a folder, during writing: KILN_E_IO naming path and operation; the earlier build stays', async () => {
    const dir = project({ 'fpga.config.ts': config() });
    expect((await kiln(['build'], dir)).code).toBe(0);
    const out = join(dir, 'build');
    rmSync(join(out, 'sim', 'vectors'), { recursive: true });
    writeFileSync(join(out, 'sim', 'vectors'), 'not a folder\n');
    writeFileSync(join(dir, 'fpga.config.ts'), config(`weights: { seed: 7 }`));
    const before = snapshot(out);
    const { doc } = await fails(['build'], dir);
    expect(doc.diagnostics[0]).toMatchObject({ code: 'KILN_E_IO', message: expect.stringMatching(/^cannot write build\/sim\/vectors\/[a-z0-9_]+\.\w+\.txt: (ENOTDIR|EEXIST)\b.*\(nothing in the output folder was changed\)$/), hint: expect.stringMatching(/a file stands where kiln needs a folder/) });
    expect(diffSnapshots(before, snapshot(out))).toEqual({ rewritten: [], added: [], removed: [] });
    expect(existsSync(join(out, '.kiln', 'manifest.json'))).toBe(true);
    // Repaired, the next build is incremental and correct.
    rmSync(join(out, 'sim', 'vectors'));
    expect((await kiln(['build'], dir)).code).toBe(0);
    await expectSameAsFullBuild(dir, out);
  });

  it.skipIf(ROOT_USER)('a subfolder kiln may not write to (EACCES): KILN_E_IO, the earlier build stays (as root, permissions deny nothing: the case above covers it)', async () => {
    const dir = project({ 'fpga.config.ts': config() });
    expect((await kiln(['build'], dir)).code).toBe(0);
    const out = join(dir, 'build');
    writeFileSync(join(dir, 'fpga.config.ts'), config(`weights: { seed: 7 }`));
    const before = snapshot(out);
    chmodSync(join(out, 'vhdl'), 0o555);
    try {
      const { doc } = await fails(['build'], dir);
      expect(doc.diagnostics[0]).toMatchObject({ code: 'KILN_E_IO', message: expect.stringMatching(/^cannot write build\/vhdl\/\w+\.vhd: EACCES: permission denied/), hint: expect.stringMatching(/permissions/) });
    } finally {
      chmodSync(join(out, 'vhdl'), 0o755);
    }
    expect(diffSnapshots(before, snapshot(out))).toEqual({ rewritten: [], added: [], removed: [] });
  });

  it('errno codes get their own hints (EROFS, EACCES, ENOSPC), and paths are shown from the working directory', () => {
    const err = (code: string, message: string) => Object.assign(new Error(`${code}: ${message}, open '/p/build/x.vhd'`), { code, syscall: 'open', path: '/p/build/x.vhd' });
    const rofs = ioFailure(err('EROFS', 'read-only file system'), 'write', '/p/build/x.vhd', '/p').diagnostics[0]!;
    expect(rofs).toMatchObject({ code: 'KILN_E_IO', message: 'cannot write build/x.vhd: EROFS: read-only file system', hint: expect.stringMatching(/read-only/) });
    expect(ioFailure(err('EACCES', 'permission denied'), 'write', '/p/build/x.vhd').diagnostics[0]!.hint).toMatch(/permissions/);
    expect(ioFailure(err('ENOSPC', 'no space left on device'), 'write', '/p/build/x.vhd').diagnostics[0]!.hint).toMatch(/disk is full/);
  });

  it('a system error that reaches the command line is KILN_E_IO, not an internal error', async () => {
    const boom = Object.assign(new Error("EROFS: read-only file system, mkdir '/ro/build'"), { code: 'EROFS', syscall: 'mkdir', path: '/ro/build' });
    COMMANDS.__io = { summary: '', usage: '', details: '', options: { json: { type: 'boolean' } }, run: async () => Promise.reject(boom) };
    try {
      let stdout = '';
      let stderr = '';
      const code = await runCli(['__io', '--json'], { cwd: '/', stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s) });
      expect(code).toBe(2);
      expect(JSON.parse(stdout).diagnostics[0]).toMatchObject({ code: 'KILN_E_IO', message: 'cannot mkdir ro/build: EROFS: read-only file system' });
      expect(stderr).not.toMatch(/internal error/);
    } finally {
      delete COMMANDS.__io;
    }
  });

  it('a real bug is "internal error (please report it)", and --json still prints one kiln-error document', async () => {
    COMMANDS.__bug = { summary: '', usage: '', details: '', options: { json: { type: 'boolean' } }, run: async () => Promise.reject(new TypeError('x is undefined')) };
    try {
      let stdout = '';
      let stderr = '';
      const code = await runCli(['__bug', '--json'], { cwd: '/', stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s) });
      expect(code).toBe(2);
      expect(JSON.parse(stdout)).toMatchObject({ schema: 'kiln-error', diagnostics: [{ code: 'KILN_E_INTERNAL', message: 'internal error (please report it): x is undefined' }] });
      expect(stderr).toMatch(/kiln: internal error \(please report it\): TypeError: x is undefined/);
    } finally {
      delete COMMANDS.__bug;
    }
  });
});

describe('a damaged manifest or lock never blocks later builds', () => {
  it('build/.kiln/manifest.json being a folder: warning, full rebuild (the folder moved aside), then incremental builds again', async () => {
    const dir = project({ 'fpga.config.ts': config() });
    expect((await kiln(['build'], dir)).code).toBe(0);
    const out = join(dir, 'build');
    rmSync(join(out, '.kiln', 'manifest.json'));
    mkdirSync(join(out, '.kiln', 'manifest.json', 'inside'), { recursive: true });
    const r = await kiln(['build'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/kiln: warning: build manifest build\/\.kiln\/manifest\.json is a folder, not a file \(kiln moves it to \.kiln\/manifest\.json\.damaged\); rebuilding everything/);
    expect(r.stderr).toMatch(/rebuilt all 23 units \(manifest unreadable\)/);
    expect(statSync(join(out, '.kiln', 'manifest.json')).isFile()).toBe(true);
    expect(existsSync(join(out, '.kiln', 'manifest.json.damaged', 'inside'))).toBe(true);
    await expectSameAsFullBuild(dir, out);
    const again = await kiln(['build', '--json'], dir);
    expect(JSON.parse(again.stdout)).toMatchObject({ full: false, rebuilt: [], warnings: [] });
  });

  it('build/.kiln/calibration.json being a folder: the build goes on', async () => {
    const dir = project({ 'fpga.config.ts': config() });
    expect((await kiln(['build'], dir)).code).toBe(0);
    const cal = join(dir, 'build', '.kiln', 'calibration.json');
    rmSync(cal);
    mkdirSync(cal);
    writeFileSync(join(dir, 'fpga.config.ts'), config(`weights: { seed: 3 }`));
    const r = await kiln(['build'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(statSync(cal).isFile()).toBe(true);
  });

  it.skipIf(ROOT_USER)('an unreadable manifest: warning and a full rebuild (as root every file is readable: the folder case covers it)', async () => {
    const dir = project({ 'fpga.config.ts': config() });
    expect((await kiln(['build'], dir)).code).toBe(0);
    chmodSync(join(dir, 'build', '.kiln', 'manifest.json'), 0o000);
    const r = await kiln(['build'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/kiln: warning: build manifest .* cannot be read .*; rebuilding everything/);
  });

  it.each([
    ['empty', ''],
    ['garbage', 'x\u0000{'],
    ['JSON that is not a lock', '{"pid": "nope"}'],
  ])('an %s lock file, just written, is stale: the build takes it over at once', async (_what, text) => {
    const dir = project({ 'fpga.config.ts': config() });
    mkdirSync(join(dir, 'build', '.kiln'), { recursive: true });
    writeFileSync(join(dir, 'build', LOCK_FILE), text);
    const r = await kiln(['build', '--json'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(dir, 'build', LOCK_FILE))).toBe(false);
  });

  it('kill -9 right after the lock is created: the next build takes it over', async () => {
    const dir = project({ 'fpga.config.ts': config() });
    const out = join(dir, 'build');
    const lockModule = new URL('../../dist/build/lock.js', import.meta.url).href;
    const script = `const { acquireLock } = await import(${JSON.stringify(lockModule)}); await acquireLock(${JSON.stringify(out)}, 'build'); process.kill(process.pid, 'SIGKILL');`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, stdio: 'ignore' });
    const signal = await new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_code, s) => r(s)));
    expect(signal).toBe('SIGKILL');
    const left = JSON.parse(readFileSync(join(out, LOCK_FILE), 'utf8')) as { pid: number };
    expect(left.pid).toBe(child.pid);
    expect(readdirSync(join(out, '.kiln')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const r = await kiln(['build'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(existsSync(join(out, LOCK_FILE))).toBe(false);
  });
});
