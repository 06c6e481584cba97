/**
 * Config evaluation in the config worker: a config that never settles, loops (at the top level or in its
 * `(env) => config` function), keeps a timer alive or allocates without bound is stopped at its limit with a
 * diagnostic naming the file and the limit (exit 2, nothing written); what a config holds that cannot cross the
 * thread boundary is reported as before; and the worker recovers for the next load.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/dsl/load.js';
import { ConfigSandbox } from '../../src/dsl/sandbox.js';
import { decodeConfig, encodeConfig, MAX_CONFIG_DATA_MB } from '../../src/dsl/transfer.js';
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
    expect(r.stderr).toMatch(/stopped: the config ended its process \(process\.exit\(0\)\)/);
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

describe('values that cannot cross the process boundary', () => {
  const base = (extra: string) => configSource(`{ device: 'xc7s15', model: ${MODEL}, ${extra} }`);

  it.each([
    ['a function where a number belongs', base(`clockMHz: () => 100`), /clockMHz: must be a number of MHz in \(0, 1000\], got a function/],
    ['a symbol where a string belongs', base(`defaults: { buffer: Symbol('bram') }`), /defaults\.buffer: unknown buffer storage (a symbol|an object)/],
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

const MEMORY_LIMIT = /error\[KILN_E_CONFIG_LOAD\]: loading .*c\.mjs stopped: the config used more than 256 MB of memory/;

/** A process's command line from /proc (Linux), or '' once it is gone. */
function procCommand(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
  } catch {
    return '';
  }
}

/** A process's parent and state (R, S, Z…) from /proc (Linux), or undefined once it is gone. */
function procStat(pid: number): { ppid: number; state: string } | undefined {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '').split(' ');
    return { state: fields[0]!, ppid: Number(fields[1]) };
  } catch {
    return undefined;
  }
}

describe('memory and size limits', () => {
  it('a config exporting a large typed array is refused before it is copied', async () => {
    const dir = project({ 'c.mjs': `export default new Uint8Array(2 ** 30);\n` });
    const r = await kiln(['estimate', '--config', 'c.mjs'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error\[KILN_E_CONFIG_SHAPE\]: the config must export an object \(or a function returning one\), got a typed array$/m);
    expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  });

  it.each([
    ['exported', `export default new Array(2 ** 31);\n`, /error\[KILN_E_CONFIG_SHAPE\]: the config must export an object \(or a function returning one\), got an array/],
    ['under a field', `export default { device: 'xc7s15', layers: new Array(2 ** 31) };\n`, /error\[KILN_E_CONFIG_SHAPE\]: layers: the config holds more than 64 MB of data under this field/],
  ])('a holey new Array(2 ** 31) %s is refused at once, not copied', async (_where, source, message) => {
    const dir = project({ 'c.mjs': source });
    const r = await kiln(['estimate', '--config', 'c.mjs', '--config-timeout', '30'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });

  it('typed arrays and ArrayBuffers under a field count toward the data limit by their bytes', () => {
    const encode = (data: unknown) => () => encodeConfig({ device: 'xc7s15', weights: { seed: 1, data } }, () => undefined);
    expect(encode(new Uint8Array(2 ** 20))).not.toThrow();
    for (const big of [new Uint8Array((MAX_CONFIG_DATA_MB + 1) * 2 ** 20), new ArrayBuffer(2 ** 27), new DataView(new ArrayBuffer(2 ** 27), 0, 1)]) {
      expect(encode(big)).toThrow(/^error\[KILN_E_CONFIG_SHAPE\] weights: the config holds more than 64 MB of data under this field/);
    }
  });

  it('memory outside the JavaScript heap (ArrayBuffers) counts toward the memory limit', async () => {
    const dir = project({ 'c.mjs': `const held = [];\nfor (let i = 0; i < 16; i++) held.push(new Uint8Array(2 ** 26).fill(1));\nexport default { device: 'xc7s15' };\n` });
    const r = await kiln(['estimate', '--config', 'c.mjs', '--config-timeout', '60'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(MEMORY_LIMIT);
  });

  // Both used to abort kiln itself (V8's "heap out of memory", exit 134): a Map's growth needs one allocation
  // larger than what the heap has left, and fill() over a huge array cannot be interrupted at all.
  it.each([
    ['a Map that grows without end', `const m = new Map();\nfor (let i = 0; ; i++) m.set(i, { i, s: String(i) });\n`],
    ['fill() over new Array(2 ** 28)', `const big = new Array(2 ** 28).fill(0);\nexport default {};\n`],
  ])('%s fails at the memory limit, and the next load works', async (_what, source) => {
    const dir = project({ 'c.mjs': source, 'fpga.config.ts': GOOD });
    const r = await kiln(['estimate', '--config', 'c.mjs', '--config-timeout', '60'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(MEMORY_LIMIT);
    expect(r.stderr).not.toMatch(/FATAL|internal error|\n\s+at /);
    const next = await kiln(['estimate'], dir);
    expect(next.code, next.stderr).toBe(0);
  });

  it.runIf(process.platform === 'linux')('a worker whose kiln is killed in the middle of a load ends too', async () => {
    const dir = project({ 'fpga.config.mjs': `console.log('looping');\nwhile (true) {}\nexport default {};\n` });
    const sandbox = pathToFileURL(join(import.meta.dirname, '../../src/dsl/sandbox.ts')).href;
    const script = `const { ConfigSandbox } = await import(${JSON.stringify(sandbox)});\nawait new ConfigSandbox().evaluate(${JSON.stringify(join(dir, 'fpga.config.mjs'))}, { command: 'build', mode: 'production' }, 3_600_000);\n`;
    const tsx = pathToFileURL(createRequire(import.meta.url).resolve('tsx/esm')).href;
    const host = spawn(process.execPath, ['--import', tsx, '--input-type=module', '-e', script], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    let worker: number | undefined;
    try {
      // The config prints before it loops: from then on, its worker is busy and cannot listen.
      await new Promise<void>((resolve, reject) => {
        let err = '';
        host.stderr!.on('data', (d: Buffer) => (err += d.toString()).includes('looping') && resolve());
        host.once('exit', () => reject(new Error(`the host ended first: ${err}`)));
      });
      const workers = readdirSync('/proc')
        .map(Number)
        .filter((pid) => pid > 0 && procStat(pid)?.ppid === host.pid && procCommand(pid).includes('config-worker'));
      expect(workers).toHaveLength(1);
      worker = workers[0]!;
      host.kill('SIGKILL');
      const deadline = Date.now() + 10_000;
      while (Date.now() < deadline && (procStat(worker)?.state ?? 'Z') !== 'Z') await new Promise((r) => setTimeout(r, 50));
      // (Gone, or a zombie where nothing reaps orphans.)
      expect(procStat(worker)?.state ?? 'gone').toMatch(/^(gone|Z)$/);
    } finally {
      host.kill('SIGKILL');
      // A failed run leaves no looping process behind.
      if (worker !== undefined && procStat(worker)?.state !== 'Z' && procCommand(worker).includes('config-worker')) {
        try {
          process.kill(worker, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
    }
  });
});

describe('weights.map', () => {
  const model = () => transformer({ window: 4, inputFeatures: 2, dModel: 4 });

  it('a function weights.map runs in the worker and travels as the record it makes', () => {
    const encoded = encodeConfig({ device: 'xc7s15', model: model(), weights: { file: 'w.safetensors', map: (path: string) => `m.${path}` } }, () => undefined) as { weights: { map: Record<string, string> } };
    expect(encoded.weights.map.input).toBe('m.input');
  });

  it('weights: [] is reported as a wrong type, not called as a weights map (Array.prototype.map)', async () => {
    const dir = project({ 'c.mjs': `import { transformer } from 'kiln-fpga';\nexport default { device: 'xc7s15', model: transformer({ window: 4, inputFeatures: 2, dModel: 4 }), weights: [] };\n` });
    const r = await kiln(['estimate', '--config', 'c.mjs'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error\[KILN_E_TYPE\]: weights: /);
    expect(r.stderr).not.toMatch(/weights\.map threw/);
  });
});

describe('closing the sandbox', () => {
  it('an awaited close() settles in a process with nothing else to keep it alive (the built kiln)', async () => {
    const dir = project({ 'fpga.config.mjs': GOOD });
    const sandbox = pathToFileURL(join(import.meta.dirname, '..', '..', 'dist', 'dsl', 'sandbox.js')).href;
    const script = [
      `const { ConfigSandbox } = await import(${JSON.stringify(sandbox)});`,
      'const s = new ConfigSandbox();',
      `const r = await s.evaluate(${JSON.stringify(join(dir, 'fpga.config.mjs'))}, { command: 'estimate', mode: 'production' });`,
      'await s.close();',
      "process.stdout.write(r.ok ? 'closed' : 'failed');",
    ].join('\n');
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { cwd: dir });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    // (Exit 13 is Node's "unsettled top-level await": close() never settled.)
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect({ code, out }).toEqual({ code: 0, out: 'closed' });
  });
});
