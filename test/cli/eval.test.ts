/**
 * kiln eval and the accuracy figures of kiln build on the trained default model: float, integer and persistence
 * RMSE on the test split, the 8-bit model within 5 % of the float one, the float model better than persistence,
 * and an accuracy budget that is not met exits 1 (build and eval), with the same figures in --json.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultProject, kiln, project, configSource } from '../helpers.js';

interface Accuracy {
  split: string;
  windows: number;
  float: { rmse: number; mae: number };
  integer: { rmse: number; mae: number };
  persistence: { rmse: number; mae: number };
  rmseIncrease: number;
  sqnr: { path: string; db: number }[];
  worstLayer: { path: string; db: number };
  budget?: { maxRmseIncrease: number; met: boolean };
}

describe('kiln eval', () => {
  it('the trained default model: float, integer and persistence RMSE on the test split (--json)', async () => {
    const dir = defaultProject();
    const r = await kiln(['eval', '--json'], dir);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { weights: { source: string; file: string; sha256: string }; data: { windows: { test: number } }; accuracy: Accuracy };
    const a = report.accuracy;
    expect(a.split).toBe('test');
    expect(a.windows).toBe(report.data.windows.test);
    expect(a.windows).toBeGreaterThanOrEqual(400);
    // Done-when of the trained model: 8-bit integer within 5 % of float, float better than persistence.
    expect(a.integer.rmse).toBeLessThanOrEqual(1.05 * a.float.rmse);
    expect(a.float.rmse).toBeLessThan(a.persistence.rmse);
    expect(a.rmseIncrease).toBeCloseTo((a.integer.rmse - a.float.rmse) / a.float.rmse, 12);
    expect(a.sqnr.map((s) => s.path)).toContain('output_linear');
    expect(a.worstLayer.db).toBe(Math.min(...a.sqnr.map((s) => s.db)));
    expect(a.budget).toEqual({ maxRmseIncrease: 0.05, met: true });
    // The report says where the weights came from.
    expect(report.weights.source).toBe('file');
    expect(report.weights.sha256).toBe(createHash('sha256').update(readFileSync(join(dir, report.weights.file))).digest('hex'));
    expect(existsSync(join(dir, 'build')), 'eval writes nothing').toBe(false);
  });

  it('an accuracy budget that is not met: eval and build exit 1 and say by how much', async () => {
    const dir = defaultProject((t) => t.replace('accuracy: { maxRmseIncrease: 0.05 }', 'accuracy: { maxRmseIncrease: 0.001 }'));
    const e = await kiln(['eval'], dir);
    expect(e.code).toBe(1);
    expect(e.stderr).toMatch(/over the accuracy budget: the integer model's test RMSE is 0\.\d+ % above the float model's \(limit 0\.10 %\)/);
    const b = await kiln(['build', '--json'], dir);
    expect(b.code).toBe(1);
    const report = JSON.parse(b.stdout) as { accuracy: Accuracy; fits: boolean };
    expect(report.fits).toBe(true);
    expect(report.accuracy.budget).toEqual({ maxRmseIncrease: 0.001, met: false });
  });

  it('4-bit post-training quantization of the trained model misses the default 5 % budget', async () => {
    const dir = defaultProject((t) => t.replace(/weightBits: 8,\n(\s+)outputBits: 8,/, 'weightBits: 4,\n$1outputBits: 4,'));
    const r = await kiln(['eval', '--json'], dir);
    expect(r.code).toBe(1);
    const a = (JSON.parse(r.stdout) as { accuracy: Accuracy }).accuracy;
    expect(a.rmseIncrease).toBeGreaterThan(0.05);
    expect(a.budget!.met).toBe(false);
  });

  it('a config without data: exit 2, KILN_E_DATA', async () => {
    const dir = project({ 'fpga.config.ts': configSource(`{ device: 'xc7s50', model: transformer({ window: 4, inputFeatures: 2, dModel: 4 }) }`) });
    const r = await kiln(['eval', '--json'], dir);
    expect(r.code).toBe(2);
    expect(JSON.parse(r.stdout).diagnostics[0]).toMatchObject({ code: 'KILN_E_DATA', path: ['data'] });
  });
});
