/**
 * The watch loop in-process (startWatch): rebuilds only what changed on a save, survives configs that throw
 * or fail validation with the last good build in place, follows imported helper modules (also ones added
 * later or created after the config), reruns when a change lands mid-build, and holds the lock.
 */
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildProject } from '../../src/build/index.js';
import { isKilnError } from '../../src/dsl/diagnostics.js';
import { startWatch, type WatchEvent, type Watcher } from '../../src/watch/watcher.js';
import { configSource, project } from '../helpers.js';
import { AFTER_FC1, config, diffSnapshots, Events, expectFc1WeightEditFiles, rebuiltIds, snapshot, SMALL_MODEL } from './_helpers.js';

const watchers: Watcher[] = [];
afterEach(async () => {
  for (const w of watchers.splice(0)) await w.close();
});

async function watch(files: Record<string, string>) {
  const dir = project(files);
  const events = new Events();
  const w = await startWatch({ cwd: dir, onEvent: events.push, debounceMs: 30 });
  watchers.push(w);
  await w.ready;
  return { dir, out: join(dir, 'build'), events, w };
}

function ended(e: WatchEvent): Extract<WatchEvent, { type: 'build-end' }> {
  if (e.type !== 'build-end') throw new Error(`expected a successful build, got ${e.type}: ${JSON.stringify(e)}`);
  return e;
}

describe('kiln watch (in-process)', () => {
  it("rebuilds only the changed layer's unit and dependents on a save, with the delta", async () => {
    const { dir, out, events, w } = await watch({ 'fpga.config.ts': config() });
    const first = ended(await events.build());
    expect(w.last()).toBe(first.result);
    expect(first.initial).toBe(true);
    expect(first.result.build.full).toBe(true);
    const watching = await events.next('watching');
    expect(watching.config).toBe(join(dir, 'fpga.config.ts'));
    const s0 = snapshot(out);
    writeFileSync(join(dir, 'fpga.config.ts'), config(`layers: { 'encoder.0.ffn.fc1': { weightBits: 4 } }`));
    const e = ended(await events.build());
    expect(e.changed).toEqual([join(dir, 'fpga.config.ts')]);
    expect(rebuiltIds(e.result)).toEqual(['encoder.0.ffn.fc1', ...AFTER_FC1, '@model', '@reports']);
    expect(e.result.build.delta.layers.map((l) => l.path)).toEqual(['encoder.0.ffn.fc1']);
    expectFc1WeightEditFiles(diffSnapshots(s0, snapshot(out)).rewritten);
  });

  it('a config with a syntax error or failing validation is reported; the last good build stays; a fix rebuilds', async () => {
    const { dir, out, events } = await watch({ 'fpga.config.ts': config() });
    await events.build();
    const s0 = snapshot(out);
    writeFileSync(join(dir, 'fpga.config.ts'), "import { defineConfig } from 'kiln-fpga';\nexport default defineConfig({ device: 'xc7s50', model: ;\n");
    const syntax = await events.build();
    expect(syntax.type).toBe('build-error');
    if (syntax.type === 'build-error') expect(syntax.diagnostics[0]!.code).toBe('KILN_E_CONFIG_LOAD');
    writeFileSync(join(dir, 'fpga.config.ts'), config(`defaults: { outputBits: 99 }`));
    const invalid = await events.build();
    expect(invalid.type).toBe('build-error');
    if (invalid.type === 'build-error') expect(invalid.diagnostics.map((d) => d.code)).toEqual(['KILN_E_BITS']);
    expect(diffSnapshots(s0, snapshot(out))).toEqual({ rewritten: [], added: [], removed: [] });
    writeFileSync(join(dir, 'fpga.config.ts'), config(`defaults: { outputBits: 7 }`));
    const fixed = ended(await events.build());
    expect(fixed.result.report.layers.find((l) => l.path === 'pool')!.outputBits).toBe(7);
    expect(fixed.result.build.full).toBe(false);
  });

  it('follows imported helper modules, including ones imported later', async () => {
    const { dir, events } = await watch({
      'dims.ts': 'export const dims = { window: 6, inputFeatures: 3, dModel: 8, ffnDim: 16 };\n',
      'fpga.config.ts': configSource(`{ device: 'xc7s50', model: transformer((await import('./dims')).dims) }`).replace('export default defineConfig(', "import { dims } from './dims';\nexport default defineConfig(").replace("(await import('./dims')).dims", 'dims'),
    });
    await events.build();
    expect((await events.next('watching')).modules).toEqual([join(dir, 'dims.ts')]);
    writeFileSync(join(dir, 'dims.ts'), 'export const dims = { window: 6, inputFeatures: 3, dModel: 8, ffnDim: 32 };\n');
    const e = ended(await events.build());
    expect(e.changed).toEqual([join(dir, 'dims.ts')]);
    expect(rebuiltIds(e.result)).toContain('encoder.0.ffn.fc1');
    expect(e.result.design.layers.find((l) => l.path === 'encoder.0.ffn.fc1')!.output.shape).toEqual([6, 32]);

    // The helper now imports another module: it is watched from the next build on.
    writeFileSync(join(dir, 'bits.ts'), 'export const bits = 6;\n');
    writeFileSync(join(dir, 'dims.ts'), "import { bits } from './bits';\nexport const dims = { window: 6, inputFeatures: 3, dModel: 8, ffnDim: 32 };\nexport const outBits = bits;\n");
    await events.build();
    const w = await events.next('watching');
    expect(w.modules).toEqual([join(dir, 'bits.ts'), join(dir, 'dims.ts')]);
    writeFileSync(join(dir, 'fpga.config.ts'), "import { defineConfig, transformer } from 'kiln-fpga';\nimport { dims, outBits } from './dims';\nexport default defineConfig({ device: 'xc7s50', model: transformer(dims), defaults: { outputBits: outBits } });\n");
    expect(ended(await events.build()).result.report.layers.find((l) => l.path === 'pool')!.outputBits).toBe(6);
    writeFileSync(join(dir, 'bits.ts'), 'export const bits = 5;\n');
    const deep = ended(await events.build());
    expect(deep.changed).toEqual([join(dir, 'bits.ts')]);
    expect(deep.result.report.layers.find((l) => l.path === 'pool')!.outputBits).toBe(5);
  });

  it('waits for an imported module that does not exist yet', async () => {
    const { dir, events } = await watch({
      'fpga.config.ts': `import { defineConfig, transformer } from 'kiln-fpga';\nimport { dims } from './dims';\nexport default defineConfig({ device: 'xc7s50', model: transformer(dims) });\n`,
    });
    const first = await events.build();
    expect(first.type).toBe('build-error');
    expect((await events.next('watching')).awaiting).toContain(join(dir, 'dims.ts'));
    writeFileSync(join(dir, 'dims.ts'), 'export const dims = { window: 6, inputFeatures: 3, dModel: 8, ffnDim: 16 };\n');
    const e = ended(await events.build());
    expect(e.result.build.full).toBe(true);
    expect((await events.next('watching')).modules).toEqual([join(dir, 'dims.ts')]);
  });

  it('a change that lands during a build is built right after it (rerun), ending with the last content', async () => {
    const big = `transformer({ window: 24, inputFeatures: 7, dModel: 32, heads: 2, encoderLayers: 2 })`;
    const { dir, events } = await watch({ 'fpga.config.ts': config('', big, 'xc7s100') });
    await events.build();
    writeFileSync(join(dir, 'fpga.config.ts'), config(`weights: { seed: 2 }`, big, 'xc7s100'));
    await events.next('build-start');
    writeFileSync(join(dir, 'fpga.config.ts'), config(`weights: { seed: 2 }, layers: { pool: { outputBits: 6 } }`, big, 'xc7s100'));
    let last = ended(await events.next('build-end'));
    while (last.result.report.layers.find((l) => l.path === 'pool')!.outputBits !== 6) last = ended(await events.next('build-end'));
    expect(last.result.report.weights).toMatchObject({ source: 'synthetic', seed: 2 });
  });

  it('holds the output folder’s lock: kiln build into it is refused until watch stops', async () => {
    const { dir, events, w } = await watch({ 'fpga.config.ts': config() });
    await events.build();
    const err = await buildProject({ cwd: dir }).catch((e: unknown) => e);
    expect(isKilnError(err) && err.diagnostics[0]!.message).toMatch(/another build in this process is building into/);
    await w.close();
    expect((await events.next('close')).type).toBe('close');
    expect((await buildProject({ cwd: dir })).build.rebuilt).toEqual([]);
  });

  it('a deleted config is an error until it comes back', async () => {
    const { dir, events } = await watch({ 'fpga.config.ts': config() });
    await events.build();
    rmSync(join(dir, 'fpga.config.ts'));
    const gone = await events.build();
    expect(gone.type).toBe('build-error');
    writeFileSync(join(dir, 'fpga.config.ts'), config(`layers: { pool: { outputBits: 4 } }`, SMALL_MODEL));
    const back = ended(await events.build());
    expect(rebuiltIds(back.result)).toContain('pool');
  });
});

describe('kiln watch and configs that do not finish', () => {
  const LOOP = `while (true) {}\nexport default {};\n`;

  it('a save of a looping config is an error after the limit; a later save is built; close releases the lock', async () => {
    const dir = project({ 'fpga.config.ts': config() });
    const events = new Events();
    const w = await startWatch({ cwd: dir, onEvent: events.push, debounceMs: 30, configTimeoutMs: 1000 });
    watchers.push(w);
    await w.ready;
    expect(ended(await events.build()).result.build.full).toBe(true);

    writeFileSync(join(dir, 'fpga.config.ts'), LOOP);
    const stuck = await events.build();
    expect(stuck.type).toBe('build-error');
    if (stuck.type === 'build-error') {
      expect(stuck.diagnostics.map((d) => d.code)).toEqual(['KILN_E_CONFIG_TIMEOUT']);
      expect(stuck.diagnostics[0]!.message).toMatch(/fpga\.config\.ts did not finish within 1 s/);
    }

    // Saved while the looping config is being evaluated: built once the limit has stopped it.
    writeFileSync(join(dir, 'fpga.config.ts'), LOOP.replace('{}', '{ }'));
    await events.next('build-start');
    writeFileSync(join(dir, 'fpga.config.ts'), config(`layers: { pool: { outputBits: 6 } }`));
    let outcome = await events.build();
    while (outcome.type === 'build-error') outcome = await events.build();
    expect(ended(outcome).result.report.layers.find((l) => l.path === 'pool')!.outputBits).toBe(6);

    await w.close();
    expect(existsSync(join(dir, 'build', '.kiln', 'lock'))).toBe(false);
  });

  it('close() during the evaluation of a looping config returns at once (not after the limit) and releases the lock', async () => {
    const dir = project({ 'fpga.config.ts': config() });
    const events = new Events();
    const w = await startWatch({ cwd: dir, onEvent: events.push, debounceMs: 30, configTimeoutMs: 3_600_000 });
    watchers.push(w);
    await events.build();
    writeFileSync(join(dir, 'fpga.config.ts'), LOOP);
    await events.next('build-start');
    await w.close(); // with an hour's limit, this test would time out if close() waited for the evaluation
    expect((await events.next('close')).type).toBe('close');
    expect(events.all.filter((e) => e.type === 'build-error')).toEqual([]);
    expect(existsSync(join(dir, 'build', '.kiln', 'lock'))).toBe(false);
  });
});
