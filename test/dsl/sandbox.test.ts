/**
 * Config evaluation in the config worker: a config that never settles, loops (at the top level or in its
 * `(env) => config` function), keeps a timer alive or allocates without bound is stopped at its limit with a
 * diagnostic naming the file and the limit (exit 2, nothing written); what a config holds that cannot cross the
 * thread boundary is reported as before; and the worker recovers for the next load.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/dsl/load.js';
import { ConfigSandbox } from '../../src/dsl/sandbox.js';
import { decodeConfig, encodeConfig } from '../../src/dsl/transfer.js';
import { graph, transformer } from '../../src/dsl/index.js';
import { resolveDesign } from '../../src/ir/index.js';
import { configSource, kiln, project } from '../helpers.js';

const MODEL = `transformer({ window: 8, inputFeatures: 2, dModel: 8 })`;
const GOOD = configSource(`{ device: 'xc7s15', model: ${MODEL} }`);

/** Configs that never finish evaluating, each in its own way. */
const HANGING: [string, string][] = [
  ['a Promise that never settles', `export default new Promise(() => {});\n`],
  ['a Promise that never settles, with a live setInterval', `setInterval(() => {}, 1000);\nexport default new Promise(() => {});\n`],
  ['an endless loop at the top level', `while (true) {}\nexport default {};\n`],
  ['an endless loop in its (env) => config function', `import { defineConfig } from 'kiln-fpga';\nexport default defineConfig((env) => {\n  while (true) {}\n});\n`],
];

describe('config evaluation with limits', () => {
  for (const [what, source] of HANGING) {
    it(`${what}: build and estimate exit 2 naming the file and the limit, and write nothing`, async () => {
      const dir = project({ 'fpga.config.ts': source });
      const build = await kiln(['build', '--config-timeout', '0.5'], dir);
      expect(build.code, build.stderr).toBe(2);
      expect(build.stderr).toMatch(/error\[KILN_E_CONFIG_TIMEOUT\]: loading .*fpga\.config\.ts did not finish within 0\.5 s/);
      expect(build.stderr).toMatch(/hint: .*--config-timeout SECONDS/);
      expect(build.stderr).not.toMatch(/internal error|\n\s+at /);
      expect(existsSync(join(dir, 'build'))).toBe(false);

      const estimate = await kiln(['estimate', '--config-timeout', '0.5', '--json'], dir);
      expect(estimate.code).toBe(2);
      const doc = JSON.parse(estimate.stdout) as { schema: string; diagnostics: { code: string; message: string }[] };
      expect(doc.schema).toBe('kiln-error');
      expect(doc.diagnostics[0]!.code).toBe('KILN_E_CONFIG_TIMEOUT');
      expect(doc.diagnostics[0]!.message).toContain(join(dir, 'fpga.config.ts'));
      expect(readdirSync(dir)).toEqual(['fpga.config.ts']);
    });
  }

  it('the next load after a timeout works (a fresh worker)', async () => {
    const dir = project({ 'hang.config.ts': HANGING[2]![1], 'fpga.config.ts': GOOD });
    expect((await kiln(['estimate', '--config', 'hang.config.ts', '--config-timeout', '0.3'], dir)).code).toBe(2);
    const r = await kiln(['estimate'], dir);
    expect(r.code, r.stderr).toBe(0);
  });

  it('a config that allocates without bound fails cleanly at the memory limit', async () => {
    const dir = project({ 'fpga.config.ts': `const keep: number[][] = [];\nwhile (true) keep.push(new Array(1e6).fill(1));\nexport default {};\n` });
    const r = await kiln(['estimate', '--config-timeout', '60'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error\[KILN_E_CONFIG_LOAD\]: loading .*fpga\.config\.ts stopped: the config used more than 256 MB of memory/);
  });

  it('a config calling process.exit() is an error, not the end of kiln', async () => {
    const dir = project({ 'fpga.config.ts': `process.exit(0);\nexport default {};\n` });
    const r = await kiln(['estimate'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/stopped: the config ended its thread \(process\.exit\(0\)\)/);
  });

  it.each([['0'], ['-1'], ['abc'], [''], ['Infinity']])('--config-timeout %j is a usage error', async (value) => {
    const dir = project({ 'fpga.config.ts': GOOD });
    for (const command of ['build', 'estimate', 'sim', 'synth']) {
      const r = await kiln([command, `--config-timeout=${value}`, '--json'], dir);
      expect(r.code, command).toBe(2);
      expect(JSON.parse(r.stdout).diagnostics[0]).toMatchObject({ code: 'KILN_E_USAGE', message: expect.stringMatching(/--config-timeout must be a positive number of seconds/) });
    }
    const watch = await kiln(['watch', `--config-timeout=${value}`], dir);
    expect(watch.code).toBe(2);
    expect(watch.stderr).toMatch(/\[KILN_E_USAGE\]: --config-timeout must be a positive number of seconds/);
    expect(existsSync(join(dir, 'build'))).toBe(false);
  });

  it('what a config prints goes to stderr: --json stdout holds one document', async () => {
    const dir = project({ 'fpga.config.ts': `console.log('hello from the config');\n${GOOD}` });
    const r = await kiln(['estimate', '--json'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).schema).toBe('kiln-report');
  });

  it('a config leaving a timer running still loads, and so do the next ones', async () => {
    const dir = project({ 'fpga.config.ts': `setInterval(() => {}, 5);\n${GOOD}`, 'other.config.ts': GOOD });
    const sandbox = new ConfigSandbox();
    try {
      for (const configPath of ['fpga.config.ts', 'other.config.ts', 'fpga.config.ts']) {
        const loaded = await loadConfig({ cwd: dir, configPath, sandbox });
        expect(resolveDesign(loaded.config).device.id).toBe('xc7s15');
      }
    } finally {
      await sandbox.close();
    }
  });

  it('an error a config throws later from a callback fails its load', async () => {
    const dir = project({ 'fpga.config.ts': `setTimeout(() => { throw new Error('late failure'); }, 0);\nexport default new Promise((r) => setTimeout(r, 50));\n` });
    const r = await kiln(['estimate'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/\[KILN_E_CONFIG_LOAD\]: loading .*failed: late failure/);
  });

  it('closing the sandbox cancels a load in progress at once', async () => {
    const dir = project({ 'fpga.config.ts': HANGING[2]![1] });
    const sandbox = new ConfigSandbox();
    const load = loadConfig({ cwd: dir, sandbox, timeoutMs: 3_600_000 }).catch((e: unknown) => e);
    // Waits for the worker to be busy with the loop, then stops it (the test would time out otherwise).
    await new Promise((r) => setTimeout(r, 300));
    await sandbox.close();
    expect(((await load) as { diagnostics: { message: string }[] }).diagnostics[0]!.message).toMatch(/was cancelled/);
  });
});

describe('values that cannot cross the thread boundary', () => {
  const base = (extra: string) => configSource(`{ device: 'xc7s15', model: ${MODEL}, ${extra} }`);

  it.each([
    ['a function where a number belongs', base(`clockMHz: () => 100`), /clockMHz: must be a number of MHz in \(0, 1000\], got a function/],
    ['a symbol where a string belongs', base(`defaults: { buffer: Symbol('bram') }`), /defaults\.buffer: unknown buffer storage an object/],
  ])('%s is reported as before', async (_what, source, message) => {
    const dir = project({ 'fpga.config.mjs': source, 'package.json': '{"type":"module"}' });
    const r = await kiln(['estimate'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('a Promise where settings belong reads as before: an object without settings', async () => {
    const dir = project({ 'fpga.config.mjs': base(`defaults: Promise.resolve({ weightBits: 4 })`), 'package.json': '{"type":"module"}' });
    const r = await kiln(['estimate', '--json'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).layers.find((l: { path: string }) => l.path === 'input_linear').weightBits).toBe(8);
  });

  it('a config nested without end is an error naming its top-level field', async () => {
    const dir = project({ 'fpga.config.ts': `let o: Record<string, unknown> = {};\nconst deep = o;\nfor (let i = 0; i < 5000; i++) o = (o.x = {}) as Record<string, unknown>;\nexport default { device: 'xc7s15', deep };\n` });
    const r = await kiln(['estimate'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error\[KILN_E_CONFIG_SHAPE\]: deep: the config is nested more than 1000 levels deep under this field/);
  });

  it('a getter that throws is an error naming its field', async () => {
    const dir = project({ 'fpga.config.ts': configSource(`{ device: 'xc7s15', model: ${MODEL}, get clockMHz(): number { throw new Error('no clock'); } }`) });
    const r = await kiln(['estimate'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error\[KILN_E_CONFIG_LOAD\]: clockMHz: reading this field threw: no clock/);
    expect(r.stderr).toMatch(/--> fpga\.config\.ts:2:\d+/);
  });

  it('a hand-made model (an object with describe()) is replayed in the worker', async () => {
    const spec = `{ name: 'tiny', output: 'fc', layers: [{ kind: 'input', path: 'input', inputs: [], shape: [2, 3] }, { kind: 'linear', path: 'fc', inputs: ['input'], shape: [2, 1], bias: true }] }`;
    const dir = project({ 'fpga.config.ts': `export default { device: 'xc7s15', model: { kind: 'kiln-model', name: 'tiny', describe: () => (${spec}) } };\n` });
    const r = await kiln(['estimate', '--json'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).layers.map((l: { path: string }) => l.path)).toEqual(['input', 'fc']);
  });

  it('encode and decode keep data, shared and circular references, and stand in for the rest', () => {
    const shared = { weightBits: 4 };
    const config: Record<string, unknown> = {
      device: 'xc7s15',
      model: transformer({ window: 4, inputFeatures: 2, dModel: 4 }),
      layers: { a: shared, b: shared },
      table: new Int16Array([1, -2]),
      set: new Set([1, () => 2]),
      map: new Map([['k', Symbol('s')]]),
      fn: function named() {},
    };
    config.self = config;
    const decoded = decodeConfig(structuredClone(encodeConfig(config, () => undefined))) as Record<string, unknown>;
    expect(decoded.self).toBe(decoded);
    const layers = decoded.layers as Record<string, unknown>;
    expect(layers.a).toBe(layers.b);
    expect(decoded.table).toEqual(new Int16Array([1, -2]));
    expect(typeof decoded.fn).toBe('function');
    expect((decoded.fn as () => void).name).toBe('named');
    expect(typeof [...(decoded.set as Set<unknown>)][1]).toBe('function');
    expect(typeof (decoded.map as Map<string, unknown>).get('k')).toBe('symbol');
    const model = decoded.model as { kind: string; describe: () => { layers: unknown[] } };
    expect(model.kind).toBe('kiln-model');
    expect(model.describe().layers.length).toBe((config.model as { describe: () => { layers: unknown[] } }).describe().layers.length);
  });

  it("a recipe's errors travel as its diagnostics", () => {
    const bad = graph({ window: 4, features: 2 }, (g, x) => g.linear('fc', g.linear('fc', x, { out: 2 }), { out: 1 }));
    const decoded = decodeConfig(structuredClone(encodeConfig({ device: 'xc7s15', model: bad }, () => ({ file: '/x.ts', line: 3, column: 7 })))) as { model: { describe: () => unknown } };
    expect(() => decoded.model.describe()).toThrow(/duplicate layer path 'fc'/);
    try {
      decoded.model.describe();
    } catch (err) {
      expect((err as { diagnostics: { loc?: unknown }[] }).diagnostics[0]!.loc).toEqual({ file: '/x.ts', line: 3, column: 7 });
    }
  });
});
