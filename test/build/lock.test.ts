/**
 * One build at a time per output folder: a live owner's lock refuses the build (exit 2, nothing written), a
 * dead owner's lock is taken over, and a build killed midway (a real process, SIGKILL) is followed by a
 * correct full rebuild.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProject } from '../../src/build/index.js';
import { isKilnError } from '../../src/dsl/diagnostics.js';
import { acquireLock, LOCK_FILE } from '../../src/build/lock.js';
import { kiln, project, ROOT } from '../helpers.js';
import { config, expectSameAsFullBuild } from '../watch/_helpers.js';

function writeLock(out: string, pid: number, host = hostname()) {
  mkdirSync(join(out, '.kiln'), { recursive: true });
  writeFileSync(join(out, LOCK_FILE), JSON.stringify({ pid, host, command: 'build', token: 'x', startedAt: new Date().toISOString() }));
}

/** The pid of a process that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

describe('build lock', () => {
  it('a second build in the same process is refused while the first holds the lock', async () => {
    const dir = project({ 'fpga.config.ts': config() });
    const out = join(dir, 'build');
    const lock = await acquireLock(out, 'build');
    const err = await buildProject({ cwd: dir }).catch((e: unknown) => e);
    expect(isKilnError(err)).toBe(true);
    expect((err as { diagnostics: { code: string; message: string }[] }).diagnostics[0]).toMatchObject({ code: 'KILN_E_IO', message: expect.stringMatching(/another build in this process is building into .*build\//) });
    expect(existsSync(join(out, 'report.json'))).toBe(false);
    await lock.release();
    expect((await buildProject({ cwd: dir })).build.full).toBe(true);
    expect(existsSync(join(out, LOCK_FILE))).toBe(false);
  });

  it('a lock held by another live process: kiln build exits 2, names it, writes nothing', async () => {
    const dir = project({ 'fpga.config.ts': config() });
    const out = join(dir, 'build');
    const sleeper = spawn('sleep', ['60']);
    try {
      writeLock(out, sleeper.pid!);
      const r = await kiln(['build'], dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`\\[KILN_E_IO\\]: another kiln process \\(pid ${sleeper.pid}, kiln build\\) is building into build/; two builds into one output folder at once are refused`));
      expect(r.stderr).toMatch(/hint: .*delete build\/\.kiln\/lock/);
      expect(readdirSync(out)).toEqual(['.kiln']);
      expect(readdirSync(join(out, '.kiln'))).toEqual(['lock']);
    } finally {
      sleeper.kill();
    }
  });

  it("a dead process's lock is stale and taken over", async () => {
    const dir = project({ 'fpga.config.ts': config() });
    const out = join(dir, 'build');
    writeLock(out, deadPid());
    const r = await buildProject({ cwd: dir });
    expect(r.build.full).toBe(true);
    expect(existsSync(join(out, LOCK_FILE))).toBe(false);
  });

  it('a garbled lock file older than a few seconds is stale too', async () => {
    const dir = project({ 'fpga.config.ts': config() });
    const out = join(dir, 'build');
    mkdirSync(join(out, '.kiln'), { recursive: true });
    writeFileSync(join(out, LOCK_FILE), '');
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(out, LOCK_FILE), old, old);
    expect((await buildProject({ cwd: dir })).build.full).toBe(true);
  });

  it('two builds started at once: each either completes or is refused, and the output is correct', async () => {
    const dir = project({ 'fpga.config.ts': config() });
    const results = await Promise.allSettled([buildProject({ cwd: dir }), buildProject({ cwd: dir })]);
    expect(results.some((r) => r.status === 'fulfilled')).toBe(true);
    for (const r of results) if (r.status === 'rejected') expect(isKilnError(r.reason) && r.reason.diagnostics[0]!.code === 'KILN_E_IO').toBe(true);
    await expectSameAsFullBuild(dir, join(dir, 'build'));
  });

  it('a build killed midway (SIGKILL) is followed by a correct full rebuild', async () => {
    // Big enough that the build is still writing when it is killed; the assertions hold wherever the kill lands.
    const model = `transformer({ window: 24, inputFeatures: 7, dModel: 32, heads: 2, encoderLayers: 2 })`;
    const dir = project({ 'fpga.config.ts': config('', model, 'xc7s100') });
    const out = join(dir, 'build');
    expect((await buildProject({ cwd: dir })).build.full).toBe(true);
    writeFileSync(join(dir, 'fpga.config.ts'), config(`defaults: { weightBits: 6, outputBits: 7 }`, model, 'xc7s100'));
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'kiln.js'), 'build', '--force'], { cwd: dir, stdio: 'ignore' });
    const exited = new Promise<void>((r) => child.on('exit', () => r()));
    // Kill it once it has started replacing files (the manifest goes first), or at the latest after 5 s.
    const deadline = Date.now() + 5_000;
    while (existsSync(join(out, '.kiln', 'manifest.json')) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 2));
    child.kill('SIGKILL');
    await exited;
    const manifestLeft = existsSync(join(out, '.kiln', 'manifest.json'));
    const r = await buildProject({ cwd: dir });
    if (!manifestLeft) {
      expect(r.build.full).toBe(true);
      expect(r.build.fullReason).toBe('manifest missing');
    }
    await expectSameAsFullBuild(dir, out); // also: no temporary file left behind in the output folders
    expect(readdirSync(join(out, '.kiln')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(existsSync(join(out, LOCK_FILE))).toBe(false);
    expect(JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')).layers.find((l: { path: string }) => l.path === 'pool').outputBits).toBe(7);
  });
});
