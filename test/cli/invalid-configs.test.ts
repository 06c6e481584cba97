/**
 * Invalid configs: each gives its own clear message naming the field, exit code 2, and writes nothing.
 * Configs are plain JavaScript (.mjs) unless the case is about TypeScript, since JS users have no type checker.
 */
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSource, DEFAULT_MODEL, kiln, project } from '../helpers.js';

interface Case {
  name: string;
  /** Config file name → content. Default file: fpga.config.mjs. */
  files?: Record<string, string>;
  config?: string;
  args?: string[];
  code: string;
  message: RegExp;
  hint?: RegExp;
}

const cfg = (body: string) => configSource(body);
const base = (extra: string) => cfg(`{ device: 'xc7s15', model: ${DEFAULT_MODEL}, ${extra} }`);

const CASES: Case[] = [
  { name: 'bit width 1', config: base(`defaults: { weightBits: 1 }`), code: 'KILN_E_BITS', message: /defaults\.weightBits: bit width must be an integer from 2 to 16, got 1/ },
  { name: 'bit width 17', config: base(`layers: { 'encoder.0.ffn.fc1': { outputBits: 17 } }`), code: 'KILN_E_BITS', message: /layers\['encoder\.0\.ffn\.fc1'\]\.outputBits: .* got 17/ },
  { name: 'bit width 4.5', config: base(`kinds: { linear: { weightBits: 4.5 } }`), code: 'KILN_E_BITS', message: /kinds\.linear\.weightBits: .* got 4\.5/ },
  { name: 'bit width as a string', config: base(`defaults: { outputBits: '8' }`), code: 'KILN_E_BITS', message: /defaults\.outputBits: .* got "8"/ },
  { name: 'unknown device', config: cfg(`{ device: 'xc7s16', model: ${DEFAULT_MODEL} }`), code: 'KILN_E_UNKNOWN_DEVICE', message: /device: unknown device "xc7s16"/, hint: /did you mean 'xc7s(15|6)'/ },
  { name: 'missing device', config: cfg(`{ model: ${DEFAULT_MODEL} }`), code: 'KILN_E_MISSING', message: /device: the config names no device/ },
  { name: 'heads not dividing dModel', config: cfg(`{ device: 'xc7s15', model: transformer({ window: 24, inputFeatures: 7, dModel: 16, heads: 3 }) }`), code: 'KILN_E_RANGE', message: /model\.heads: heads \(3\) must divide dModel \(16\)/, hint: /1, 2, 4, 8, 16/ },
  { name: 'a BigInt window', config: cfg(`{ device: 'xc7s15', model: transformer({ window: 24n, inputFeatures: 7, dModel: 16 }) }`), code: 'KILN_E_RANGE', message: /model\.window: must be a positive integer, got 24n \(a BigInt\)/ },
  { name: 'a BigInt seed', config: base(`weights: { seed: 3n }`), code: 'KILN_E_RANGE', message: /weights\.seed: must be a non-negative integer, got 3n \(a BigInt\)/ },
  { name: 'a BigInt device', config: cfg(`{ device: 15n, model: ${DEFAULT_MODEL} }`), code: 'KILN_E_UNKNOWN_DEVICE', message: /device: unknown device 15n \(a BigInt\)/ },
  { name: 'window 0', config: cfg(`{ device: 'xc7s15', model: transformer({ window: 0, inputFeatures: 7, dModel: 16 }) }`), code: 'KILN_E_RANGE', message: /model\.window: must be a positive integer, got 0/ },
  { name: 'negative window', config: cfg(`{ device: 'xc7s15', model: transformer({ window: -24, inputFeatures: 7, dModel: 16 }) }`), code: 'KILN_E_RANGE', message: /model\.window: .* got -24/ },
  { name: 'encoderLayers 0', config: cfg(`{ device: 'xc7s15', model: transformer({ window: 24, inputFeatures: 7, dModel: 16, encoderLayers: 0 }) }`), code: 'KILN_E_RANGE', message: /model\.encoderLayers: .* got 0/ },
  { name: 'missing dModel', config: cfg(`{ device: 'xc7s15', model: transformer({ window: 24, inputFeatures: 7 }) }`), code: 'KILN_E_MISSING', message: /model\.dModel: transformer option 'dModel' is required/ },
  { name: 'unknown transformer option', config: cfg(`{ device: 'xc7s15', model: transformer({ window: 24, inputFeatures: 7, dModel: 16, dmodel: 8 }) }`), code: 'KILN_E_UNKNOWN_KEY', message: /model\.dmodel: unknown transformer option/, hint: /did you mean 'dModel'/ },
  { name: 'unknown layer path', config: base(`layers: { 'encoder.0.ffn.fc11': { weightBits: 4 } }`), code: 'KILN_E_UNKNOWN_LAYER', message: /no layer 'encoder\.0\.ffn\.fc11'/, hint: /did you mean 'encoder\.0\.ffn\.fc1'\?/ },
  { name: 'layer path of a missing encoder layer', config: base(`layers: { 'encoder.1.attn.q': { weightBits: 4 } }`), code: 'KILN_E_UNKNOWN_LAYER', message: /no layer 'encoder\.1\.attn\.q'/, hint: /did you mean 'encoder\.0\.attn\.q'\?/ },
  { name: 'unknown buffer storage', config: base(`defaults: { buffer: 'dram' }`), code: 'KILN_E_STORAGE', message: /defaults\.buffer: unknown buffer storage "dram"/, hint: /'bram', 'lutram', 'registers', 'auto'/ },
  { name: 'weight-only storage used for a buffer', config: base(`layers: { pool: { buffer: 'logic' } }`), code: 'KILN_E_STORAGE', message: /layers\.pool\.buffer: unknown buffer storage "logic"/ },
  { name: 'unknown weight storage', config: base(`kinds: { linear: { weightStorage: 'bramm' } }`), code: 'KILN_E_STORAGE', message: /kinds\.linear\.weightStorage: unknown weight storage "bramm"/, hint: /did you mean 'bram'/ },
  { name: 'unknown multiplier mapping', config: base(`defaults: { multiplier: 'dsp48' }`), code: 'KILN_E_MULTIPLIER', message: /defaults\.multiplier: unknown multiplier mapping "dsp48"/, hint: /did you mean 'dsp'/ },
  { name: 'budget above 1', config: base(`budget: 1.5`), code: 'KILN_E_BUDGET', message: /budget: a budget is a fraction of the device in \(0, 1\], got 1\.5/ },
  { name: 'budget as a percentage', config: base(`budget: { lut: 80 }`), code: 'KILN_E_BUDGET', message: /budget\.lut: .* got 80/, hint: /for 80% write 0\.8/ },
  { name: 'budget of zero', config: base(`budget: 0`), code: 'KILN_E_BUDGET', message: /budget: .* got 0/ },
  { name: 'budget for an unknown resource', config: base(`budget: { luts: 0.5 }`), code: 'KILN_E_UNKNOWN_KEY', message: /budget\.luts: unknown resource 'luts'/, hint: /did you mean 'lut'/ },
  { name: 'missing model', config: cfg(`{ device: 'xc7s15' }`), code: 'KILN_E_MISSING', message: /model: the config has no model/ },
  { name: 'model that is not a model', config: cfg(`{ device: 'xc7s15', model: { dModel: 16 } }`), code: 'KILN_E_TYPE', message: /model: must be a model built with transformer\(\) or graph\(\)/ },
  { name: 'unknown top-level key', config: base(`precison: {}`), code: 'KILN_E_UNKNOWN_KEY', message: /precison: unknown config key 'precison'/ },
  { name: 'unknown layer kind', config: base(`kinds: { gelu: { outputBits: 8 } }`), code: 'KILN_E_UNKNOWN_KIND', message: /kinds\.gelu: unknown layer kind 'gelu'/ },
  { name: 'unknown layer setting', config: base(`defaults: { weightbits: 8 }`), code: 'KILN_E_UNKNOWN_KEY', message: /defaults\.weightbits: unknown layer setting/, hint: /did you mean 'weightBits'/ },
  { name: 'precision on a ReLU', config: base(`layers: { 'encoder.0.ffn.relu': { outputBits: 4 } }`), code: 'KILN_E_NOT_APPLICABLE', message: /'outputBits' does not apply: 'encoder\.0\.ffn\.relu' is applied on read/ },
  { name: 'weight bits on a weightless kind', config: base(`kinds: { matmul: { weightBits: 4 } }`), code: 'KILN_E_NOT_APPLICABLE', message: /kinds\.matmul\.weightBits: 'weightBits' does not apply/ },
  { name: 'negative clock', config: base(`clockMHz: -5`), code: 'KILN_E_RANGE', message: /clockMHz: must be a number of MHz/ },
  { name: 'non-integer seed', config: base(`weights: { seed: 'abc' }`), code: 'KILN_E_RANGE', message: /weights\.seed: must be a non-negative integer, got "abc"/ },
  { name: 'weights in a format kiln does not read', config: base(`weights: { file: 'w.json' }`), code: 'KILN_E_WEIGHTS', message: /w\.json: kiln reads weights from \.safetensors or \.onnx files/ },
  { name: 'config that throws', config: `throw new Error('boom from config');\n`, code: 'KILN_E_CONFIG_LOAD', message: /loading .*fpga\.config\.mjs failed: boom from config/ },
  { name: 'config function that throws', config: cfg(`() => { throw new Error('env failure'); }`), code: 'KILN_E_CONFIG_LOAD', message: /failed: env failure/ },
  { name: 'config exporting a number', config: `export default 42;\n`, code: 'KILN_E_CONFIG_SHAPE', message: /the config must export an object .*got 42/ },
  {
    name: 'TypeScript syntax error',
    files: { 'fpga.config.ts': `import { defineConfig } from 'kiln-fpga';\nexport default defineConfig({ device: 'xc7s15', model: ;\n` },
    code: 'KILN_E_CONFIG_LOAD',
    message: /loading .*fpga\.config\.ts failed/,
  },
  {
    name: 'import of a missing local module',
    files: { 'fpga.config.ts': `import { dims } from './missing-dims';\nexport default { device: 'xc7s15', model: dims };\n` },
    code: 'KILN_E_CONFIG_LOAD',
    message: /failed: .*missing-dims/,
  },
  {
    name: 'graph with mismatched add shapes',
    config: cfg(`{ device: 'xc7s15', model: graph({ window: 8, features: 4 }, (g, x) => { const a = g.linear('a', x, { out: 8 }); const b = g.linear('b', x, { out: 6 }); return g.add('sum', a, b); }) }`),
    code: 'KILN_E_SHAPE',
    message: /model\.sum: add needs equal shapes, got \[8, 8\] \('a'\) and \[8, 6\] \('b'\)/,
  },
  {
    name: 'graph with a duplicate layer name',
    config: cfg(`{ device: 'xc7s15', model: graph({ window: 8, features: 4 }, (g, x) => g.linear('fc', g.linear('fc', x, { out: 8 }), { out: 1 })) }`),
    code: 'KILN_E_GRAPH',
    message: /duplicate layer path 'fc'/,
  },
  {
    name: 'graph with a dead layer',
    config: cfg(`{ device: 'xc7s15', model: graph({ window: 8, features: 4 }, (g, x) => { g.linear('unused', x, { out: 3 }); return g.linear('fc', x, { out: 1 }); }) }`),
    code: 'KILN_E_GRAPH',
    message: /layer 'unused' does not contribute to the output 'fc'/,
  },
  {
    name: 'graph with heads not dividing the width',
    config: cfg(`{ device: 'xc7s15', model: graph({ window: 8, features: 6 }, (g, x) => g.avgpool('p', g.matmul('ctx', g.softmax('sm', g.matmul('s', x, x, { mode: 'scores', heads: 4 })), x, { mode: 'context', heads: 4 }))) }`),
    code: 'KILN_E_SHAPE',
    message: /model\.s\.heads: heads \(4\) must divide the operand width 6/,
  },
  // Found by the CLI fuzzer (test/fuzz/): each was an internal error, a wrong verdict or a broken build.
  { name: "an inherited property as the device ('constructor')", config: cfg(`{ device: 'constructor', model: ${DEFAULT_MODEL} }`), code: 'KILN_E_UNKNOWN_DEVICE', message: /device: unknown device "constructor"/ },
  { name: "a model named like kiln's arithmetic package", config: cfg(`{ device: 'xc7s15', model: transformer({ window: 4, inputFeatures: 2, dModel: 4, name: 'kiln_arith' }) }`), code: 'KILN_E_GRAPH', message: /model\.name: model name 'kiln_arith' .* already kiln's arithmetic package/ },
  { name: "a model named like a layer's testbench", config: cfg(`{ device: 'xc7s15', model: transformer({ window: 4, inputFeatures: 2, dModel: 4, name: 'pool_tb' }) }`), code: 'KILN_E_GRAPH', message: /model name 'pool_tb' .* already the testbench of layer 'pool'/ },
  { name: 'a layer name too long for a file name', config: cfg(`{ device: 'xc7s15', model: graph({ window: 2, features: 2 }, (g, x) => g.linear('l' + 'a'.repeat(300), x, { out: 2 })) }`), code: 'KILN_E_GRAPH', message: /is 301 characters long; .* at most 128/ },
  { name: 'a config key of a million characters', config: cfg(`{ device: 'xc7s15', model: ${DEFAULT_MODEL}, ['k'.repeat(1e6)]: 1 }`), code: 'KILN_E_UNKNOWN_KEY', message: /kkkk…\(1000000 characters\)'\]: unknown config key 'kkk+\.\.\.\n/ },
  { name: 'a hand-made model with an unknown kind', config: cfg(`{ device: 'xc7s15', model: { kind: 'kiln-model', name: 'm', describe: () => ({ name: 'm', layers: [{ kind: 'input', path: 'input', inputs: [], shape: [2, 2] }, { kind: 'conv', path: 'c', inputs: ['input'], shape: [2, 2] }], output: 'c' }) } }`), code: 'KILN_E_GRAPH', message: /model\.c: unknown layer kind "conv"/ },
  { name: 'a hand-made model whose describe() returns nothing', config: cfg(`{ device: 'xc7s15', model: { kind: 'kiln-model', name: 'm', describe: () => undefined } }`), code: 'KILN_E_GRAPH', message: /model: the model's describe\(\) must return \{ name, layers: \[\.\.\.\], output \}, got undefined/ },
  { name: 'a hand-made matmul without a mode', config: cfg(`{ device: 'xc7s15', model: { kind: 'kiln-model', name: 'm', describe: () => ({ name: 'm', layers: [{ kind: 'input', path: 'input', inputs: [], shape: [2, 4] }, { kind: 'matmul', path: 'mm', inputs: ['input', 'input'], shape: [1, 2, 2] }], output: 'mm' }) } }`), code: 'KILN_E_TYPE', message: /model\.mm\.mode: matmul mode must be 'scores' or 'context', got undefined/ },
  { name: 'a hand-made layer whose declared shape is wrong', config: cfg(`{ device: 'xc7s15', model: { kind: 'kiln-model', name: 'm', describe: () => ({ name: 'm', layers: [{ kind: 'input', path: 'input', inputs: [], shape: [2, 4] }, { kind: 'relu', path: 'r', inputs: ['input'], shape: [9, 9] }], output: 'r' }) } }`), code: 'KILN_E_SHAPE', message: /model\.r: declares shape an array, but its operands give \[2, 4\]/ },
  { name: 'an ES module with named exports only', files: { 'fpga.config.mjs': `export const config = { device: 'xc7s15' };\n` }, code: 'KILN_E_CONFIG_LOAD', message: /the config has no default export \(it exports 'config'\)\n  --> fpga\.config\.mjs:1:1/ },
  { name: 'two default exports in TypeScript', files: { 'fpga.config.ts': `import { transformer } from 'kiln-fpga';\n// export default in a comment\nexport default { device: 'xc7s15' as const, model: ${DEFAULT_MODEL} };\nexport default { device: 'xc7s6' as const, model: ${DEFAULT_MODEL} };\n` }, code: 'KILN_E_CONFIG_LOAD', message: /syntax error: Only one default export allowed per module\.\n  --> fpga\.config\.ts:4:1/ },
  { name: 'two default exports', config: `${cfg(`{ device: 'xc7s15', model: ${DEFAULT_MODEL} }`)}export default { device: 'xc7s6' };\n`, code: 'KILN_E_CONFIG_LOAD', message: /syntax error: Only one default export allowed per module/ },
  { name: 'missing --config file', config: base(''), args: ['build', '--config', 'nope.config.ts'], code: 'KILN_E_CONFIG_NOT_FOUND', message: /config file not found: .*nope\.config\.ts/ },
  { name: 'no config anywhere', files: { 'package.json': '{"name":"empty","type":"module"}' }, code: 'KILN_E_CONFIG_NOT_FOUND', message: /no fpga\.config\.ts, .* found/ },
  { name: 'unknown command', config: base(''), args: ['biuld'], code: 'KILN_E_USAGE', message: /unknown command 'biuld'/ },
  { name: 'unknown option', config: base(''), args: ['build', '--outdir', 'x'], code: 'KILN_E_USAGE', message: /Unknown option '--outdir'/ },
];

describe('invalid configs exit 2 with a clear message and write nothing', () => {
  it('has at least 20 distinct cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(20);
    expect(new Set(CASES.map((c) => c.message.source)).size).toBe(CASES.length);
  });

  for (const c of CASES) {
    it(c.name, async () => {
      const files = c.files ?? { 'package.json': '{"name":"t","type":"module"}', 'fpga.config.mjs': c.config! };
      const dir = project(files);
      const args = c.args ?? ['build'];
      const human = await kiln(args, dir);
      expect(human.code, human.stderr).toBe(2);
      expect(human.stderr).toContain(`[${c.code}]`);
      expect(human.stderr).toMatch(c.message);
      if (c.hint) expect(human.stderr).toMatch(c.hint);
      expect(human.stderr).not.toMatch(/\n\s+at .*\(.*:\d+:\d+\)/); // no stack trace
      expect(existsSync(join(dir, 'build'))).toBe(false);

      // The same failure in machine form: JSON diagnostics on stdout.
      const machine = await kiln([...args, '--json'], dir);
      expect(machine.code).toBe(2);
      const out = JSON.parse(machine.stdout) as { schema: string; diagnostics: { code: string }[] };
      expect(out.schema).toBe('kiln-error');
      expect(out.diagnostics.map((d) => d.code)).toContain(c.code);
      expect(existsSync(join(dir, 'build'))).toBe(false);
    });
  }

  it('reports every problem of a config at once', async () => {
    const dir = project({ 'fpga.config.mjs': base(`budget: 2, defaults: { weightBits: 1, buffer: 'dram' }, layers: { 'encoder.0.fc1': {} }`) });
    const r = await kiln(['estimate'], dir);
    expect(r.code).toBe(2);
    for (const code of ['KILN_E_BUDGET', 'KILN_E_BITS', 'KILN_E_STORAGE', 'KILN_E_UNKNOWN_LAYER']) expect(r.stderr).toContain(code);
    expect(r.stderr).toMatch(/4 errors; nothing was written/);
  });

  it('points at the line of the offending key', async () => {
    const source = [
      "import { defineConfig, transformer } from 'kiln-fpga';",
      'export default defineConfig({',
      "  device: 'xc7s15',",
      '  model: transformer({ window: 24, inputFeatures: 7, dModel: 16 }),',
      '  layers: {',
      "    'encoder.0.attn.q': { weightBits: 6 },",
      "    'encoder.0.ffn.fc2': { weightBits: 20 },",
      '  },',
      '});',
    ].join('\n');
    const dir = project({ 'fpga.config.ts': source });
    const r = await kiln(['build'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--> fpga\.config\.ts:7:28/);
  });

  it('leaves an earlier build untouched when the config turns invalid', async () => {
    const dir = project({ 'fpga.config.mjs': base('') });
    expect((await kiln(['build'], dir)).code).toBe(0);
    const report = join(dir, 'build', 'report.json');
    const before = readFileSync(report, 'utf8');
    const mtime = statSync(report).mtimeMs;
    writeFileSync(join(dir, 'fpga.config.mjs'), base(`defaults: { outputBits: 99 }`));
    expect((await kiln(['build'], dir)).code).toBe(2);
    expect(readFileSync(report, 'utf8')).toBe(before);
    expect(statSync(report).mtimeMs).toBe(mtime);
  });
});
