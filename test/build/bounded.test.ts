/**
 * Bounded work: whatever its size, a config gets an answer in seconds. Over budget and too large for kiln to
 * generate: the reports and exit 1, no VHDL; sim and synth of a design with no hardware say so. (A design that
 * fits one of the supported devices and is still beyond the limits would be refused with exit 2, naming the size;
 * none was found: the devices' capacities keep designs well inside them.) Each reproduction of issue 9 item 3.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProblems, WORK_LIMITS } from '../../src/ir/capability.js';
import { resolveDesign } from '../../src/ir/index.js';
import { graph, transformer } from '../../src/index.js';
import { configSource, kiln, project } from '../helpers.js';

const big = (options: string) => configSource(`{ device: 'xc7s15', model: transformer({ window: 24, inputFeatures: 7, dModel: 16, ${options} }) }`);

describe('bounded work', () => {
  for (const [what, options] of [
    ['dModel 65536', 'dModel: 65536'],
    ['window 100000', 'window: 100000'],
    ['dModel 4096 with 8 encoder layers', 'dModel: 4096, encoderLayers: 8'],
    ['dModel 1024', 'dModel: 1024'],
  ] as const) {
    it(`${what}: build writes the reports, no VHDL, and exits 1 in seconds`, async () => {
      const dir = project({ 'fpga.config.mjs': big(options) });
      const t0 = Date.now();
      const r = await kiln(['build', '--json'], dir);
      expect(r.code, r.stderr).toBe(1);
      expect(Date.now() - t0).toBeLessThan(5000);
      const out = JSON.parse(r.stdout) as { fits: boolean; noHardware?: string; buildable: boolean };
      expect(out.fits).toBe(false);
      expect(out.buildable).toBe(false);
      expect(out.noHardware).toMatch(/too large for kiln to generate and verify here: [\d,]+ (activations|parameter entries|cycles per inference) \(limit/);
      expect(existsSync(join(dir, 'build', 'report.json'))).toBe(true);
      expect(existsSync(join(dir, 'build', 'vhdl'))).toBe(false);
      expect(r.stderr).not.toMatch(/internal error|KILN_E_INTERNAL/);
    });
  }

  it('sim and synth of such a design say there is nothing to run, exit 1', async () => {
    const dir = project({ 'fpga.config.mjs': big('dModel: 1024') });
    for (const command of ['sim', 'synth']) {
      const r = await kiln([command], dir);
      expect(r.code, r.stderr).toBe(1);
      expect(r.stderr).toMatch(new RegExp(`nothing to ${command === 'sim' ? 'simulate' : 'synthesize'}: the design is over budget, and it is too large`));
    }
  });

  it('estimate names the size as a warning, at the model field, for any design beyond the limits', async () => {
    const dir = project({ 'fpga.config.mjs': big('dModel: 1024') });
    const r = await kiln(['estimate'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/warning\[KILN_W_NOT_BUILDABLE\]: model: the design is too large for kiln to generate and verify here: 12,630,273 parameter entries \(limit 1,000,000\), the most in 'encoder\.0\.ffn\.fc1' \(4,198,400\)/);
  });

  it('the limits are what the capability check applies', () => {
    const d = resolveDesign({ device: 'xc7s15', model: transformer({ window: 24, inputFeatures: 7, dModel: 16 }) });
    expect(buildProblems(d)).toEqual([]);
    expect(WORK_LIMITS.activations).toBeGreaterThan(d.layers.reduce((n, l) => n + l.output.elements, 0));
  });
});

describe('simulation bound', () => {
  it('kiln sim refuses a whole-model testbench beyond what it simulates here, naming the size (exit 2); --layer still works', async () => {
    const dir = project({ 'fpga.config.mjs': configSource(`{ device: 'xc7s100', model: transformer({ window: 24, inputFeatures: 7, dModel: 64 }) }`) });
    const r = await kiln(['sim'], dir);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stderr).toMatch(/the testbench 'transformer' would simulate 16 windows × 1,381,887 cycles, more than kiln simulates here \(20,000,000\)/);
    expect(r.stderr).toMatch(/--layer PATH/);
    const layer = await kiln(['sim', '--layer', 'pool'], dir);
    expect(layer.code, layer.stderr).toBe(0);
  }, 120_000);
});

describe('calibration work is bounded too', () => {
  const withData = (quantization: string) =>
    resolveDesign({
      device: 'xc7s15',
      model: transformer({ window: 24, inputFeatures: 2, dModel: 16, outputs: 1 }),
      data: { csv: 'series.csv', features: ['a', 'b'], target: 'a' },
      ...(quantization ? { quantization: JSON.parse(quantization) as object } : {}),
    });

  it('activations × calibration windows past the limit is named, with the setting that sets the windows', () => {
    const problems = buildProblems(withData('{ "calibrationWindows": 10000 }'));
    expect(problems).toHaveLength(1);
    expect(problems[0]!.message).toMatch(/too large for kiln to generate and verify here: [\d,]+ calibration values \(activations × 10000 calibration windows\) \(limit 16,000,000\)/);
    expect(problems[0]!.hint).toMatch(/quantization\.calibrationWindows/);
    expect(buildProblems(withData(''))).toEqual([]); // 256 windows, the default
  });

  it('an over-budget design with a wide feed-forward layer answers with its reports in seconds, no VHDL (a fuzzer case: 12 s and 560 MB before)', async () => {
    const columns = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
    const rows = Array.from({ length: 80 }, (_, t) => columns.map((_, j) => Math.sin(t / (3 + j)).toFixed(3)).join(','));
    const dir = project({
      'series.csv': [columns.join(','), ...rows].join('\n') + '\n',
      'fpga.config.mjs': configSource(
        `{ device: 'xc7s25', model: transformer({ window: 6, inputFeatures: 7, dModel: 2, heads: 2, ffnDim: 59603, outputs: 1, norm: 'layernorm' }), data: { csv: 'series.csv', features: ${JSON.stringify(columns)}, target: 'a' } }`,
      ),
    });
    const t0 = Date.now();
    const r = await kiln(['build', '--json'], dir);
    expect(r.code, r.stderr).toBe(1);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect((JSON.parse(r.stdout) as { noHardware?: string }).noHardware).toMatch(/calibration values \(activations × 256 calibration windows\)/);
    expect(existsSync(join(dir, 'build', 'vhdl'))).toBe(false);
  });

  it('testbench vectors past the limit are named (a fuzzer case: a 16,465-step window fed to a 49-wide layer took 876 MB)', () => {
    const d = resolveDesign({
      device: 'xc7s25',
      model: graph({ window: 16465, features: 1 }, (g, x) => g.linear('dense', g.softmax('sm', g.relu('act', x)), { out: 49 })),
    });
    const problems = buildProblems(d);
    expect(problems.map((p) => p.message)).toEqual([expect.stringMatching(/too large for kiln to generate and verify here: [\d,]+ testbench vector values \(limit 4,000,000\), the most in 'dense'/)]);
  });
});
