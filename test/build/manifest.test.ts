/**
 * The manifest is only an optimisation: missing, corrupt, foreign, tampered or another config's manifest →
 * a full rebuild with a warning, never a crash and never stale output; a build interrupted midway is followed
 * by a full rebuild.
 */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { buildProject } from '../../src/build/index.js';
import { MANIFEST_FILE, manifestProblem, readManifest } from '../../src/build/manifest.js';
import { kiln, project, tempDir } from '../helpers.js';
import { config, diffSnapshots, expectSameAsFullBuild, snapshot } from '../watch/_helpers.js';

async function built(text = config()) {
  const dir = project({ 'fpga.config.ts': text });
  const r = await buildProject({ cwd: dir });
  return { dir, out: r.outDir, manifest: join(r.outDir, MANIFEST_FILE) };
}

describe('build manifest', () => {
  it('records every unit with its key, files and reason, and is valid', async () => {
    const { out } = await built();
    const read = await readManifest(out);
    expect(read.status).toBe('ok');
    if (read.status !== 'ok') return;
    const m = read.manifest;
    expect(m.schema).toBe('kiln-build-manifest');
    expect(Object.keys(m.units)).toContain('encoder.0.ffn.fc1');
    const fc1 = m.units['encoder.0.ffn.fc1']!;
    expect(fc1.key).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.keys(fc1.files).sort()).toEqual(['sim/encoder_0_ffn_fc1_tb.vhd', 'sim/vectors/encoder_0_ffn_fc1.x0.txt', 'sim/vectors/encoder_0_ffn_fc1.y.txt', 'vhdl/encoder_0_ffn_fc1.vhd']);
    expect(fc1.reason).toBe('first build');
    expect(fc1.estimate!.cycles).toBeGreaterThan(0);
    expect(Object.keys(m.units['@top']!.files)).toEqual(['vhdl/transformer.vhd', 'vhdl/files.txt']);
    expect(m.lastBuild.full).toBe(true);
  });

  const damage: [string, (text: string) => string, RegExp][] = [
    ['truncated (a killed writer)', (t) => t.slice(0, t.length / 2), /is not valid JSON/],
    ['not JSON at all', () => 'garbage\u0000', /is not valid JSON/],
    ['foreign (another tool’s file)', () => JSON.stringify({ name: 'something else', version: 3 }), /is not a kiln build manifest/],
    ['another schema version', (t) => JSON.stringify({ ...JSON.parse(t), schemaVersion: 99 }), /schema version 99/],
    ['a malformed unit', (t) => JSON.stringify({ ...JSON.parse(t), units: { x: { kind: 'layer', key: 'nope' } } }), /malformed unit 'x'/],
    [
      'a file outside the output folder',
      (t) => {
        const m = JSON.parse(t);
        m.units['@arith'].files['../outside.txt'] = m.units['@arith'].files['vhdl/kiln_arith.vhd'];
        return JSON.stringify(m);
      },
      /outside the output folder: "\.\.\/outside\.txt"/,
    ],
  ];
  for (const [name, corrupt, problem] of damage) {
    it(`a manifest that is ${name} → warning and a correct full rebuild`, async () => {
      const { dir, out, manifest } = await built();
      writeFileSync(join(dir, 'outside.txt'), 'not kiln’s\n');
      writeFileSync(manifest, corrupt(readFileSync(manifest, 'utf8')));
      const r = await buildProject({ cwd: dir });
      expect(r.build.full).toBe(true);
      expect(r.build.fullReason).toBe('manifest unreadable');
      expect(r.build.warnings).toHaveLength(1);
      expect(r.build.warnings[0]).toMatch(problem);
      expect(r.build.warnings[0]).toMatch(/rebuilding everything/);
      expect(existsSync(join(dir, 'outside.txt'))).toBe(true);
      await expectSameAsFullBuild(dir, out);
      expect((await readManifest(out)).status).toBe('ok');
      // …after which builds are incremental again.
      expect((await buildProject({ cwd: dir })).build.written).toEqual([]);
    });
  }

  it('a deleted manifest next to earlier outputs → warning, full rebuild, and stale files of removed layers are removed', async () => {
    const two = `transformer({ window: 6, inputFeatures: 3, dModel: 8, ffnDim: 16, encoderLayers: 2 })`;
    const { dir, out, manifest } = await built(config('', two));
    rmSync(manifest);
    writeFileSync(join(dir, 'fpga.config.ts'), config());
    writeFileSync(join(out, 'vhdl', 'notes.txt'), 'mine\n');
    writeFileSync(join(out, 'vhdl', 'handwritten.vhd'), '-- my own entity\n');
    const r = await buildProject({ cwd: dir });
    expect(r.build.fullReason).toBe('manifest missing');
    expect(r.build.warnings[0]).toMatch(/no build manifest \(build\/\.kiln\/manifest\.json\) next to earlier outputs; rebuilding everything/);
    expect(r.build.removed.some((f) => f.endsWith('vhdl/encoder_1_ffn_fc1.vhd'))).toBe(true);
    // Files kiln did not generate are left alone.
    expect(readFileSync(join(out, 'vhdl', 'notes.txt'), 'utf8')).toBe('mine\n');
    expect(existsSync(join(out, 'vhdl', 'handwritten.vhd'))).toBe(true);
    rmSync(join(out, 'vhdl', 'notes.txt'));
    rmSync(join(out, 'vhdl', 'handwritten.vhd'));
    await expectSameAsFullBuild(dir, out);
  });

  it("another config's manifest in the same output folder → warning and a full rebuild", async () => {
    const { dir, out } = await built();
    writeFileSync(join(dir, 'other.config.ts'), config(`layers: { pool: { outputBits: 6 } }`));
    const r = await buildProject({ cwd: dir, configPath: 'other.config.ts', outDir: out });
    expect(r.build.fullReason).toBe('manifest of another config');
    expect(r.build.warnings[0]).toMatch(/was written for .*fpga\.config\.ts; rebuilding everything/);
    expect(readFileSync(join(out, 'report.json'), 'utf8')).toContain('other.config.ts');
  });

  it('a different generator revision rebuilds every unit with the reason "generator changed"', async () => {
    const { dir, manifest } = await built();
    const m = JSON.parse(readFileSync(manifest, 'utf8'));
    for (const u of Object.values(m.units) as { facets: Record<string, string>; key: string }[]) {
      if ('generator' in u.facets) {
        u.facets.generator = '0.0.1+r0.0000000000000000';
        u.key = 'f'.repeat(64);
      }
    }
    writeFileSync(manifest, JSON.stringify(m));
    const r = await buildProject({ cwd: dir });
    expect(r.build.full).toBe(false);
    const reasons = new Set(r.build.rebuilt.filter((u) => u.unit !== '@reports').map((u) => u.reason));
    expect([...reasons]).toEqual(['generator changed']);
    // Same content: the files are not rewritten.
    expect(r.build.written).toEqual([]);
  });

  it('manifestProblem accepts what a build writes and rejects unsafe paths', async () => {
    const { manifest } = await built();
    const m = JSON.parse(readFileSync(manifest, 'utf8'));
    expect(manifestProblem(m)).toBeUndefined();
    for (const bad of ['/etc/passwd', '../x', 'vhdl/../../x', '.kiln/lock', 'a\\b', './vhdl/x.vhd', '']) {
      const copy = structuredClone(m);
      copy.units['@arith'].files[bad] = copy.units['@arith'].files['vhdl/kiln_arith.vhd'];
      expect(manifestProblem(copy), bad).toMatch(/outside the output folder/);
    }
  });

  it('a build interrupted midway (a write fails) leaves no manifest; the next build is full and correct', async () => {
    const { dir, out, manifest } = await built();
    const s0 = snapshot(out);
    writeFileSync(join(dir, 'fpga.config.ts'), config(`defaults: { weightBits: 5 }`));
    // Make one target unwritable: a directory where the file must be renamed to.
    rmSync(join(out, 'vhdl', 'pool.vhd'));
    mkdirSync(join(out, 'vhdl', 'pool.vhd', 'blocker'), { recursive: true });
    await expect(buildProject({ cwd: dir })).rejects.toThrow();
    expect(existsSync(manifest)).toBe(false);
    expect(diffSnapshots(s0, snapshot(out)).rewritten.length).toBeGreaterThan(0); // it got partway
    rmSync(join(out, 'vhdl', 'pool.vhd'), { recursive: true });
    const r = await buildProject({ cwd: dir });
    expect(r.build.fullReason).toBe('manifest missing');
    await expectSameAsFullBuild(dir, out);
  });

  it('watch mode: after a failed build the next one (from the in-memory state) repairs the files and writes the manifest again', async () => {
    const { dir, out, manifest } = await built();
    const first = await buildProject({ cwd: dir });
    writeFileSync(join(dir, 'fpga.config.ts'), config(`layers: { 'encoder.0.ffn.fc1': { weightBits: 4 } }`));
    rmSync(join(out, 'vhdl', 'encoder_0_ffn_fc1.vhd'));
    mkdirSync(join(out, 'vhdl', 'encoder_0_ffn_fc1.vhd', 'blocker'), { recursive: true });
    await expect(buildProject({ cwd: dir, cache: first.cache })).rejects.toThrow();
    expect(existsSync(manifest)).toBe(false);
    rmSync(join(out, 'vhdl', 'encoder_0_ffn_fc1.vhd'), { recursive: true });
    writeFileSync(join(dir, 'fpga.config.ts'), config());
    const r = await buildProject({ cwd: dir, cache: first.cache });
    // Files are written in unit order and the first failure stops the build, so only the layer's unit (whose
    // file was replaced by the blocker) needs repairing; the units after it were never touched.
    expect(r.build.rebuilt.map((u) => [u.unit, u.reason])).toEqual([['encoder.0.ffn.fc1', 'vhdl/encoder_0_ffn_fc1.vhd was deleted']]);
    expect((await readManifest(out)).status).toBe('ok');
    await expectSameAsFullBuild(dir, out);
  });

  it('kiln build prints the warning and still exits 0', async () => {
    const { dir, manifest } = await built();
    writeFileSync(manifest, '{');
    const r = await kiln(['build'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/kiln: warning: build manifest build\/\.kiln\/manifest\.json is not valid JSON .*; rebuilding everything/);
    expect(r.stderr).toMatch(/rebuilt all 23 units \(manifest unreadable\)/);
  });

  it('an empty output folder is a first build, without a warning', async () => {
    const dir = project({ 'fpga.config.ts': config() });
    const out = tempDir();
    const r = await buildProject({ cwd: dir, outDir: out });
    expect(r.build.fullReason).toBe('first build');
    expect(r.build.warnings).toEqual([]);
  });
});
