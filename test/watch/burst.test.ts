/**
 * kiln watch survives editors (issue 9, item 2): bursts of atomic saves (write a temporary file, rename it over
 * the config), with and without gaps, and a delete followed by a recreate, all end in a build equal to a clean
 * build of the final config (`kiln build --force` into another folder: report.json and vhdl/ byte for byte),
 * and the watcher still hears the next save. The safety-net poll is off here: events alone must do it.
 *
 * The suite runs a few representative bursts; for the 20-in-a-row check run
 *   KILN_WATCH_BURSTS=all KILN_WATCH_BURST_REPEAT=20 npx vitest run test/watch/burst.test.ts
 * (npm run test:watch-bursts).
 */
import { readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startWatch, type Watcher } from '../../src/watch/watcher.js';
import { kiln, project } from '../helpers.js';
import { config, Events } from './_helpers.js';

const REPEAT = Number(process.env.KILN_WATCH_BURST_REPEAT ?? 1);
const ALL = process.env.KILN_WATCH_BURSTS === 'all';
const SIZES = ALL ? [1, 2, 3, 4, 5, 8, 13, 20, 32, 50] : [1, 4, 50];
const GAPS_MS = ALL ? [0, 5, 20] : [0, 20];

/** The i-th version of the config: every save changes a layer's precision (and so the VHDL and the report). */
const version = (i: number) => config(`layers: { 'encoder.0.ffn.fc1': { weightBits: ${2 + (i % 15)} }, pool: { outputBits: ${2 + ((i * 7) % 15)} } }`);

/** An editor's save: the new text in a temporary file of the same folder, renamed over the config. */
function atomicSave(dir: string, text: string): void {
  writeFileSync(join(dir, '.fpga.config.ts.swp'), text);
  renameSync(join(dir, '.fpga.config.ts.swp'), join(dir, 'fpga.config.ts'));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** report.json and every file of vhdl/, by name. */
function outputs(out: string): Map<string, string> {
  const files = new Map([['report.json', readFileSync(join(out, 'report.json'), 'utf8')]]);
  for (const f of readdirSync(join(out, 'vhdl')).sort()) files.set(`vhdl/${f}`, readFileSync(join(out, 'vhdl', f), 'utf8'));
  return files;
}

/** The watcher's output equals `kiln build --force` of the config now on disk, into another folder. */
async function expectCleanBuild(dir: string): Promise<void> {
  const clean = await kiln(['build', '--force', '--out', 'clean'], dir);
  expect(clean.code, clean.stderr).toBe(0);
  const want = outputs(join(dir, 'clean'));
  const got = outputs(join(dir, 'build'));
  expect([...got.keys()]).toEqual([...want.keys()]);
  for (const [rel, text] of want) expect(got.get(rel), rel).toBe(text);
  rmSync(join(dir, 'clean'), { recursive: true });
}

const watchers: Watcher[] = [];
afterEach(async () => {
  for (const w of watchers.splice(0)) await w.close();
});

async function watching() {
  const dir = project({ 'fpga.config.ts': version(0) });
  const events = new Events();
  const w = await startWatch({ cwd: dir, onEvent: events.push, debounceMs: 30, pollMs: 0 });
  watchers.push(w);
  await w.idle();
  return { dir, events, w };
}

describe('kiln watch survives editors', () => {
  for (let round = 1; round <= REPEAT; round++) {
    for (const size of SIZES) {
      for (const gap of GAPS_MS) {
        it(`${size} atomic save${size === 1 ? '' : 's'}, ${gap} ms apart${REPEAT > 1 ? ` (round ${round})` : ''}: the final build equals a clean one, and the next save is heard`, async () => {
          const { dir, w } = await watching();
          for (let i = 1; i <= size; i++) {
            atomicSave(dir, version(i));
            if (gap > 0) await sleep(gap);
          }
          await w.idle();
          await expectCleanBuild(dir);
          // Not deaf afterwards: one more save is built.
          atomicSave(dir, version(size + 1));
          await w.idle();
          await expectCleanBuild(dir);
        }, 120_000);
      }
    }
  }

  it('delete and recreate (at once, and after the deletion was reported), then a burst', async () => {
    const { dir, events, w } = await watching();
    rmSync(join(dir, 'fpga.config.ts'));
    writeFileSync(join(dir, 'fpga.config.ts'), version(1));
    await w.idle();
    await expectCleanBuild(dir);

    events.skipAll();
    rmSync(join(dir, 'fpga.config.ts'));
    expect((await events.build()).type).toBe('build-error');
    writeFileSync(join(dir, 'fpga.config.ts'), version(2));
    await w.idle();
    await expectCleanBuild(dir);

    for (let i = 3; i < 8; i++) atomicSave(dir, version(i));
    await w.idle();
    await expectCleanBuild(dir);
  }, 120_000);

  it('the folder of the config replaced by another folder of the same name is watched again (with the safety-net poll)', async () => {
    const dir = project({ 'proj/fpga.config.ts': version(0) });
    const events = new Events();
    const proj = join(dir, 'proj');
    const w = await startWatch({ cwd: proj, outDir: join(dir, 'out'), onEvent: events.push, debounceMs: 30, pollMs: 50 });
    watchers.push(w);
    await w.idle();
    renameSync(proj, join(dir, 'old'));
    writeFileSync(join(dir, 'fpga.config.ts'), version(3));
    const { mkdirSync } = await import('node:fs');
    mkdirSync(proj);
    renameSync(join(dir, 'fpga.config.ts'), join(proj, 'fpga.config.ts'));
    await w.idle();
    expect(JSON.parse(readFileSync(join(dir, 'out', 'report.json'), 'utf8')).layers.find((l: { path: string }) => l.path === 'pool').outputBits).toBe(2 + ((3 * 7) % 15));
    atomicSave(proj, version(4));
    await w.idle();
    expect(JSON.parse(readFileSync(join(dir, 'out', 'report.json'), 'utf8')).layers.find((l: { path: string }) => l.path === 'pool').outputBits).toBe(2 + ((4 * 7) % 15));
  }, 120_000);
});
