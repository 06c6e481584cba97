/** Over budget, told why and how to fit; a design that fits is reported exactly as before. */
import { describe, expect, it } from 'vitest';
import { configSource, kiln, project } from '../helpers.js';

describe('over-budget advice', () => {
  it('names the full blocks and what spilled, the costliest layers, the smallest device and a quick fit', async () => {
    const dir = project({ 'fpga.config.ts': configSource(`{ device: 'xc7s15', model: transformer({ window: 24, inputFeatures: 7, dModel: 32, heads: 2, ffnDim: 64, encoderLayers: 2 }) }`) });
    const r = await kiln(['estimate', '--json'], dir);
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as { over: string[]; overBudget: { why: string; full: string[]; spilled: { memories: number; multipliers: number }; topLayers: { path: string; resource: string; amount: number }[]; smallestDevice?: string; nearest?: object; nearestNote?: string } };
    const a = report.overBudget;
    expect(a.full).toEqual(['bram18', 'dsp']);
    expect(a.spilled.memories).toBeGreaterThan(0);
    expect(a.spilled.multipliers).toBeGreaterThan(0);
    expect(a.why).toMatch(/^BRAM18 and DSP are full, so 'auto' placed \d+ memories in LUTRAM or logic and \d+ multipliers in LUTs; over on LUT \(/);
    expect(a.topLayers).toHaveLength(5);
    expect(a.topLayers[0]!.resource).toBe(report.over[0]);
    expect(a.topLayers.map((l) => l.amount)).toEqual([...a.topLayers.map((l) => l.amount)].sort((x, y) => y - x));
    expect(a.smallestDevice).toBe('xc7s25');
    expect(a.nearest !== undefined || a.nearestNote !== undefined).toBe(true);
    const human = await kiln(['estimate'], dir);
    expect(human.stderr).toMatch(/\nWhy: BRAM18 and DSP are full/);
    expect(human.stderr).toMatch(/\nTo fit: device: 'xc7s25' \(the smallest that fits\)/);
  });

  it('offers the nearest fitting widths when narrowing is enough, and nothing when the design fits', async () => {
    const dir = project({ 'fpga.config.ts': configSource(`{ device: 'xc7s15', model: transformer({ window: 16, inputFeatures: 4, dModel: 16, ffnDim: 32 }), budget: { lut: 0.3 } }`) });
    const r = await kiln(['estimate', '--json'], dir);
    expect(r.code).toBe(1);
    const a = (JSON.parse(r.stdout) as { overBudget: { nearest?: { changes: Record<string, object>; total: { lut: number } } } }).overBudget;
    expect(a.nearest, JSON.stringify(a)).toBeDefined();
    expect(a.nearest!.total.lut).toBeLessThanOrEqual(2400);
    expect(Object.keys(a.nearest!.changes).length).toBeGreaterThan(0);
    const fits = project({ 'fpga.config.ts': configSource(`{ device: 'xc7s15', model: transformer({ window: 16, inputFeatures: 4, dModel: 16, ffnDim: 32 }) }`) });
    const ok = await kiln(['estimate', '--json'], fits);
    expect(ok.code).toBe(0);
    expect(ok.stdout).not.toMatch(/overBudget/);
  });
});
