/**
 * Invalidation: which units a change rebuilds (exactly that unit and its documented dependents), which files
 * are rewritten (only those whose content changed; mtimes of the others stay), and that the result is always
 * byte-identical to a from-scratch build.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProject } from '../../src/build/index.js';
import { CALIBRATION_FILE } from '../../src/build/calibration-store.js';
import { project } from '../helpers.js';
import { AFTER_FC1, config, diffSnapshots, expectFc1WeightEditFiles, expectSameAsFullBuild, rebuiltIds, snapshot } from '../watch/_helpers.js';

async function twoBuilds(before: string, after: string, options: { cached?: boolean } = {}) {
  const dir = project({ 'fpga.config.ts': before });
  const out = join(dir, 'build');
  const first = await buildProject({ cwd: dir });
  const s0 = snapshot(out);
  writeFileSync(join(dir, 'fpga.config.ts'), after);
  const second = await buildProject({ cwd: dir, ...(options.cached ? { cache: first.cache } : {}) });
  return { dir, out, first, second, diff: diffSnapshots(s0, snapshot(out)) };
}

describe('incremental build', () => {
  it('first build: every unit, reason "first build", all files written', async () => {
    const dir = project({ 'fpga.config.ts': config() });
    const r = await buildProject({ cwd: dir });
    expect(r.build.full).toBe(true);
    expect(r.build.fullReason).toBe('first build');
    expect(r.build.warnings).toEqual([]);
    expect(r.build.unchanged).toBe(0);
    expect(rebuiltIds(r)).toEqual([...r.design.layers.map((l) => l.path), '@arith', '@top', '@model', '@reports']);
    expect(r.build.written.length).toBe(snapshot(r.outDir).size);
    await expectSameAsFullBuild(dir, r.outDir);
  });

  it('changing nothing rebuilds nothing and writes nothing (not even the manifest)', async () => {
    const { second, diff, out } = await twoBuilds(config(), config());
    expect(second.build.rebuilt).toEqual([]);
    expect(second.build.written).toEqual([]);
    expect(second.build.unchanged).toBe(second.design.layers.length + 4);
    expect(diff).toEqual({ rewritten: [], added: [], removed: [] });
    const again = await buildProject({ cwd: join(out, '..') });
    expect(again.build.written).toEqual([]);
  });

  /** Scheduled layers downstream of `path` (their testbenches replay activations recorded through it). */
  const downstreamTestbenches = (r: Awaited<ReturnType<typeof buildProject>>, path: string): string[] => {
    const reach = new Set([path]);
    for (const l of r.design.layers) if (l.inputs.some((i) => reach.has(i.from))) reach.add(l.path);
    return r.design.layers.filter((l) => l.path !== path && reach.has(l.path) && l.role === 'scheduled').map((l) => l.path);
  };

  for (const cached of [false, true]) {
    it(`weightBits of one layer: that layer, the testbenches downstream, @model (its expected output) and @reports${cached ? ' (watch cache)' : ''}`, async () => {
      const { dir, out, second, diff } = await twoBuilds(config(), config(`layers: { 'encoder.0.ffn.fc1': { weightBits: 4 } }`), { cached });
      const downstream = downstreamTestbenches(second, 'encoder.0.ffn.fc1');
      expect(downstream).toEqual(AFTER_FC1);
      expect(rebuiltIds(second)).toEqual(['encoder.0.ffn.fc1', ...downstream, '@model', '@reports']);
      const why = Object.fromEntries(second.build.rebuilt.map((r) => [r.unit, r.reason]));
      expect(why['encoder.0.ffn.fc1']).toMatch(/^weightBits 8→4/);
      for (const d of downstream) expect(why[d]).toBe('replayed activations depend on encoder.0.ffn.fc1');
      expect(why['@model']).toBe('expected output depends on encoder.0.ffn.fc1');
      expect(why['@reports']).toBe('row of encoder.0.ffn.fc1 changed');
      // Only files whose content changed are rewritten.
      expectFc1WeightEditFiles(diff.rewritten);
      expect(diff.added).toEqual([]);
      expect(diff.removed).toEqual([]);
      expect(second.build.delta.layers.map((l) => l.path)).toEqual(['encoder.0.ffn.fc1']);
      await expectSameAsFullBuild(dir, out);
    });
  }

  it("outputBits of one layer: also its consumers (input quantization), the testbenches downstream, the top level (port widths) and @model", async () => {
    const { dir, out, second } = await twoBuilds(config(), config(`layers: { 'encoder.0.attn.q': { outputBits: 6 } }`));
    const downstream = downstreamTestbenches(second, 'encoder.0.attn.q');
    expect(rebuiltIds(second)).toEqual(['encoder.0.attn.q', ...downstream, '@top', '@model', '@reports']);
    const why = Object.fromEntries(second.build.rebuilt.map((r) => [r.unit, r.reason]));
    expect(why['encoder.0.attn.q']).toMatch(/^outputBits 8→6/);
    expect(why['encoder.0.attn.scores']).toMatch(/input quantization changed \(from encoder\.0\.attn\.q\)/);
    expect(why['encoder.0.attn.softmax']).toMatch(/^replayed activations depend on encoder\.0\.attn\.q/);
    expect(why['@top']).toBe('interface of encoder.0.attn.q, encoder.0.attn.scores changed');
    await expectSameAsFullBuild(dir, out);
  });

  it('outputBits before a ReLU: the ReLU passes the quantization on to the layer after it', async () => {
    const { second } = await twoBuilds(config(), config(`layers: { 'encoder.0.ffn.fc1': { outputBits: 6 } }`));
    expect(rebuiltIds(second)).toEqual(['encoder.0.ffn.fc1', 'encoder.0.ffn.relu', ...downstreamTestbenches(second, 'encoder.0.ffn.fc1'), '@top', '@model', '@reports']);
    expect(second.build.rebuilt.find((r) => r.unit === 'encoder.0.ffn.fc2')!.reason).toMatch(/input quantization changed \(from encoder\.0\.ffn\.relu\)/);
  });

  it("a buffer's storage: only that layer and the reports (no arithmetic, no interface changes)", async () => {
    const { dir, out, second, diff } = await twoBuilds(config(), config(`layers: { 'encoder.0.attn_add': { buffer: 'registers' } }`));
    expect(rebuiltIds(second)).toEqual(['encoder.0.attn_add', '@reports']);
    expect(second.build.rebuilt[0]!.reason).toBe('storage of buffer lutram→registers');
    expect(diff.rewritten).toEqual(['report.json', 'report.md', 'vhdl/encoder_0_attn_add.vhd']);
    await expectSameAsFullBuild(dir, out);
  });

  it('auto placement is global: taking a BRAM block can move another layer out of BRAM', async () => {
    // On the xc7s15 the default model's auto placement fills all 20 BRAM18; pool's buffer is in LUTRAM.
    const model = `transformer({ window: 24, inputFeatures: 7, dModel: 16, ffnDim: 64 })`;
    const { dir, out, first, second } = await twoBuilds(config('', model, 'xc7s15'), config(`layers: { pool: { buffer: 'bram' } }`, model, 'xc7s15'));
    expect(first.design.layers.find((l) => l.path === 'pool')!.buffer!.storage).toBe('lutram');
    expect(first.estimate.total.bram18).toBe(20);
    const ids = rebuiltIds(second);
    expect(second.build.rebuilt.find((r) => r.unit === 'pool')!.reason).toBe('storage of buffer lutram→bram');
    const moved = second.build.rebuilt.filter((r) => r.unit !== 'pool' && !r.unit.startsWith('@'));
    expect(moved.length).toBeGreaterThan(0);
    for (const m of moved) expect(m.reason).toMatch(/^storage of (buffer|weights|bias|table) bram→(lutram|logic)/);
    expect(ids).toContain('@reports');
    await expectSameAsFullBuild(dir, out);
  });

  it('the seed changes every parameter: all layers with parameters or vectors', async () => {
    const { dir, out, second } = await twoBuilds(config(), config(`weights: { seed: 2 }`));
    const ids = rebuiltIds(second);
    expect(ids).not.toContain('@arith');
    expect(ids.filter((i) => !i.startsWith('@')).length).toBe(second.design.layers.length);
    expect(second.build.rebuilt.find((r) => r.unit === 'encoder.0.ffn.fc1')!.reason).toMatch(/seed 1→2/);
    await expectSameAsFullBuild(dir, out);
  });

  it('the clock changes only the top level (its header) and the reports', async () => {
    const { second, diff } = await twoBuilds(config(), config(`clockMHz: 50`));
    expect(rebuiltIds(second)).toEqual(['@top', '@reports']);
    expect(second.build.rebuilt[0]!.reason).toBe('clockMHz 100→50');
    expect(diff.rewritten).toEqual(['report.json', 'report.md', 'vhdl/transformer.vhd']);
  });

  it('removed layers: their files are removed, the others stay', async () => {
    const two = `transformer({ window: 6, inputFeatures: 3, dModel: 8, ffnDim: 16, encoderLayers: 2 })`;
    const { dir, out, second, diff } = await twoBuilds(config('', two), config());
    expect(diff.removed.length).toBeGreaterThan(0);
    expect(diff.removed.every((f) => /encoder_1_/.test(f))).toBe(true);
    expect(diff.removed).toContain('vhdl/encoder_1_ffn_fc1.vhd');
    expect(diff.removed).toContain('sim/vectors/encoder_1_ffn_fc1.y.txt');
    expect(second.build.removed.length).toBe(diff.removed.length);
    // encoder.0's layers read the same inputs as before, but pool now reads encoder.0's output.
    expect(rebuiltIds(second)).toContain('pool');
    expect(rebuiltIds(second)).not.toContain('encoder.0.attn.q');
    await expectSameAsFullBuild(dir, out);
    const again = await buildProject({ cwd: dir });
    expect(again.build.written).toEqual([]);
  });

  it('added layers are built with the reason "new layer"', async () => {
    const two = `transformer({ window: 6, inputFeatures: 3, dModel: 8, ffnDim: 16, encoderLayers: 2 })`;
    const { dir, out, second } = await twoBuilds(config(), config('', two));
    expect(second.build.rebuilt.find((r) => r.unit === 'encoder.1.ffn.fc1')!.reason).toBe('new layer');
    expect(second.build.delta.layers.filter((l) => l.status === 'added').length).toBe(14);
    await expectSameAsFullBuild(dir, out);
  });

  it('a deleted or edited output file is regenerated even though its unit is unchanged', async () => {
    const dir = project({ 'fpga.config.ts': config() });
    const first = await buildProject({ cwd: dir });
    const { rmSync } = await import('node:fs');
    rmSync(join(first.outDir, 'vhdl', 'encoder_0_attn_q.vhd'));
    writeFileSync(join(first.outDir, 'sim', 'vectors', 'pool.y.txt'), 'edited\n');
    const second = await buildProject({ cwd: dir });
    const why = Object.fromEntries(second.build.rebuilt.map((r) => [r.unit, r.reason]));
    expect(why).toEqual({ 'encoder.0.attn.q': 'vhdl/encoder_0_attn_q.vhd was deleted', pool: 'sim/vectors/pool.y.txt was modified' });
    expect(second.build.written.map((f) => f.slice(first.outDir.length + 1)).sort()).toEqual(['sim/vectors/pool.y.txt', 'vhdl/encoder_0_attn_q.vhd']);
    await expectSameAsFullBuild(dir, first.outDir);
  });

  it('--force rebuilds and rewrites everything', async () => {
    const dir = project({ 'fpga.config.ts': config() });
    const first = await buildProject({ cwd: dir });
    const s0 = snapshot(first.outDir);
    const forced = await buildProject({ cwd: dir, force: true });
    expect(forced.build.fullReason).toBe('--force');
    expect(forced.build.rebuilt.every((r) => r.reason === '--force')).toBe(true);
    expect(diffSnapshots(s0, snapshot(first.outDir)).rewritten.length).toBe(s0.size);
  });

  it('a sequence of edits, alternately with and without the watch cache, always equals a full build', async () => {
    const edits = [
      config(`layers: { 'encoder.0.attn.v': { weightBits: 3 } }`),
      config(`layers: { 'encoder.0.attn.v': { weightBits: 3, outputBits: 5 } }, kinds: { softmax: { outputBits: 6 } }`),
      config(`defaults: { multiplier: 'lut' }`),
      config(`defaults: { weightStorage: 'bram', buffer: 'bram' }`),
      config(`weights: { seed: 7 }, layers: { output_linear: { outputBits: 12 } }`),
      config('', `transformer({ window: 6, inputFeatures: 3, dModel: 8, heads: 2, ffnDim: 16 })`),
      config(),
    ];
    const dir = project({ 'fpga.config.ts': config() });
    let r = await buildProject({ cwd: dir });
    for (const [i, text] of edits.entries()) {
      writeFileSync(join(dir, 'fpga.config.ts'), text);
      r = await buildProject({ cwd: dir, ...(i % 2 === 0 ? { cache: r.cache } : {}) });
      expect(r.build.full).toBe(false);
      await expectSameAsFullBuild(dir, r.outDir);
    }
  });

  describe('float calibration stored between processes (.kiln/calibration.json)', () => {
    it('a one-shot rebuild after a change of widths computes no float calibration and equals a full build', async () => {
      const { dir, out, first, second } = await twoBuilds(config(), config(`layers: { 'encoder.0.ffn.fc1': { weightBits: 4, outputBits: 6 } }`));
      expect(first.build.calibrated.length).toBe(first.design.layers.length);
      expect(second.build.calibrated).toEqual([]);
      await expectSameAsFullBuild(dir, out);
    });

    it('a change of structure recalibrates the changed layers (and the producers whose outputs they need)', async () => {
      const { dir, out, second } = await twoBuilds(config(), config('', `transformer({ window: 6, inputFeatures: 3, dModel: 8, ffnDim: 12 })`));
      expect(second.build.calibrated).toEqual(expect.arrayContaining(['encoder.0.ffn.fc1', 'encoder.0.ffn.fc2', 'encoder.0.attn_norm']));
      await expectSameAsFullBuild(dir, out);
    });

    it.each([
      ['garbage', () => 'not json'],
      ['from another generator', (t: string) => JSON.stringify({ ...JSON.parse(t), generator: 'someone-else' })],
      ['with malformed entries', (t: string) => JSON.stringify({ ...JSON.parse(t), layers: { input: { key: 'x', min: 'a' } } })],
      [
        'without the statistics a batch norm records',
        (t: string) => {
          const stored = JSON.parse(t);
          for (const e of Object.values(stored.layers) as { statistics?: unknown }[]) delete e.statistics;
          return JSON.stringify(stored);
        },
      ],
    ])('a cache that is %s is ignored where it cannot be used: those layers are calibrated again, output correct', async (name, damage) => {
      const dir = project({ 'fpga.config.ts': config() });
      const first = await buildProject({ cwd: dir });
      const file = join(first.outDir, CALIBRATION_FILE);
      writeFileSync(file, damage(readFileSync(file, 'utf8')));
      writeFileSync(join(dir, 'fpga.config.ts'), config(`layers: { 'encoder.0.attn.q': { weightBits: 5 } }`));
      const r = await buildProject({ cwd: dir });
      expect(r.build.full).toBe(false);
      if (name.startsWith('without')) expect(r.build.calibrated).toEqual(expect.arrayContaining(['encoder.0.attn_norm', 'encoder.0.ffn_norm']));
      else expect(r.build.calibrated.length).toBe(r.design.layers.length);
      await expectSameAsFullBuild(dir, r.outDir);
    });

    it('--force ignores the stored calibration', async () => {
      const dir = project({ 'fpga.config.ts': config() });
      await buildProject({ cwd: dir });
      const forced = await buildProject({ cwd: dir, force: true });
      expect(forced.build.calibrated.length).toBe(forced.design.layers.length);
    });
  });

  it('the manifest grows linearly with the depth of the model (one upstream facet per testbench, not one per upstream layer)', async () => {
    const facetsPerLayer = async (layers: number) => {
      const dir = project({ 'fpga.config.ts': config('', `transformer({ window: 8, inputFeatures: 2, dModel: 4, encoderLayers: ${layers}, heads: 1, ffnDim: 8 })`) });
      const r = await buildProject({ cwd: dir });
      const facets = Object.values(JSON.parse(readFileSync(join(r.outDir, '.kiln', 'manifest.json'), 'utf8')).units as Record<string, { facets: object }>).reduce((n, u) => n + Object.keys(u.facets).length, 0);
      return facets / r.design.layers.length;
    };
    const [two, eight] = [await facetsPerLayer(2), await facetsPerLayer(8)];
    // Facets per layer stay flat with depth (quadratic growth would make the 8-layer figure about 4x the 2-layer one).
    expect(eight / two).toBeLessThan(1.2);
  });
});
