import { describe, expect, it } from 'vitest';
import { bram18Count, dspCount, lutramLuts } from '../../src/devices/mapping.js';
import { signedBitsFor } from '../../src/arith/index.js';
import { DEVICES } from '../../src/devices/index.js';
import { transformer, type KilnConfig } from '../../src/index.js';
import { estimateDesign, estimateLayer } from '../../src/estimator/index.js';
import { resolveDesign } from '../../src/ir/index.js';
import { RESOURCES } from '../../src/dsl/index.js';

const model = transformer({ window: 24, inputFeatures: 7, dModel: 16, ffnDim: 64 });
const estimate = (c: Omit<KilnConfig, 'model'> & { model?: KilnConfig['model'] }) => estimateDesign(resolveDesign({ model, ...c }));

describe('mapping rules', () => {
  it('counts BRAM18 by the best aspect ratio', () => {
    expect(bram18Count(1024, 8)).toBe(1);
    expect(bram18Count(1024, 18)).toBe(1);
    expect(bram18Count(2048, 9)).toBe(1);
    expect(bram18Count(2048, 10)).toBe(2);
    expect(bram18Count(4096, 8)).toBe(2);
    expect(bram18Count(384, 8)).toBe(1);
    expect(bram18Count(512, 36)).toBe(1);
    expect(bram18Count(0, 8)).toBe(0);
  });

  it('counts LUTRAM LUTs as yosys lays the memory out (least memlib cost)', () => {
    expect(lutramLuts(32, 6)).toEqual({ memory: 4, readMux: 0 });
    expect(lutramLuts(64, 8)).toEqual({ memory: 12, readMux: 0 });
    // four RAM64M banks of three instances: a 4:1 mux LUT per bit and a 4-way write decoder
    expect(lutramLuts(256, 8)).toEqual({ memory: 48, readMux: 8 + 4 });
    expect(lutramLuts(384, 8).memory).toBe(4 * 6 * 3);
    // Synthesized with yosys 0.23 (synth_xilinx, the characterization flow): instances by shape. Three RAM32M
    // banks beat two RAM64M banks at 65-96 entries up to 6 bits (the 5-bit buffers of issue 12: 12, not 16).
    const synthesized: [number, number, number][] = [
      [65, 1, 4], [65, 2, 8], [65, 3, 12], [65, 5, 12], [96, 6, 12], [96, 7, 24], [65, 16, 36],
      [128, 3, 8], [128, 5, 16], [128, 16, 48], [129, 1, 12], [129, 4, 20], [129, 7, 36], [129, 12, 40],
      [192, 4, 24], [192, 16, 72], [256, 7, 48], [512, 1, 32], [512, 16, 192],
    ];
    for (const [depth, width, luts] of synthesized) expect(lutramLuts(depth, width).memory, `${depth} x ${width}`).toBe(luts);
  });

  it('counts DSP48E1 slices like yosys splits products', () => {
    expect(dspCount(4, 4)).toBe(0); // 8-bit product stays in LUTs
    expect(dspCount(9, 9)).toBe(1);
    expect(dspCount(25, 18)).toBe(1);
    expect(dspCount(24, 16)).toBe(1);
    expect(dspCount(26, 18)).toBe(2);
    expect(dspCount(41, 17)).toBe(2);
    expect(dspCount(30, 30)).toBe(4);
  });

  it('sizes signed integers exactly', () => {
    expect(signedBitsFor(0n)).toBe(1);
    expect(signedBitsFor(1n)).toBe(2);
    expect(signedBitsFor(127n)).toBe(8);
    expect(signedBitsFor(128n)).toBe(9);
  });
});

describe('estimator v0', () => {
  it('totals equal the sum of the layers and the top level (cycles add the enable handoffs)', () => {
    for (const e of [estimate({ device: 'xc7s15' }), estimate({ device: 'xc7s15', defaults: { buffer: 'lutram', multiplier: 'lut', weightBits: 4 } })]) {
      for (const r of RESOURCES) expect(e.total[r]).toBe(e.layers.reduce((n, l) => n + l[r], 0) + e.top[r]);
      const scheduled = e.layers.filter((l) => l.cycles > 0).length;
      expect(e.total.cycles).toBe(e.layers.reduce((n, l) => n + l.cycles, 0) + scheduled);
      // with calibration factors of 1 a layer is exactly the sum of its parts
      const raw = estimateDesign(resolveDesign({ model, device: 'xc7s15' }), { id: 'raw', source: 'test', lut: {}, ff: {} });
      for (const l of raw.layers) for (const r of RESOURCES) expect(l[r]).toBe(Math.round(l.parts.reduce((n, p) => n + p.cost[r], 0)));
    }
  });

  it('splits the top-level row into its own logic (structural) and the fitted composition correction', () => {
    const e = estimate({ device: 'xc7s15' });
    for (const r of RESOURCES) {
      expect(e.top.own[r] + e.top.composition[r], r).toBe(e.top[r]);
      expect(e.top.own[r], r).toBe(Math.round(e.top.parts.reduce((n, p) => n + p.cost[r], 0)));
    }
    // the default calibration scales the top level's LUTs: the correction is there, and named
    expect(e.top.composition.lut).toBeGreaterThan(0);
    // with factors of 1 there is nothing to correct
    const raw = estimateDesign(resolveDesign({ model, device: 'xc7s15' }), { id: 'raw', source: 'test', lut: {}, ff: {} });
    for (const r of RESOURCES) expect(raw.top.composition[r], r).toBe(0);
  });

  it('fits the default model on the XC7S15 and says so', () => {
    const e = estimate({ device: 'xc7s15' });
    expect(e.fits).toBe(true);
    expect(e.over).toEqual([]);
    expect(e.total.dsp).toBeLessThanOrEqual(20);
    expect(e.total.cycles).toBeGreaterThan(100_000);
    expect(e.latencyUs).toBeCloseTo(e.total.cycles / 100);
  });

  it('names the resources over budget', () => {
    const e = estimate({ device: 'xc7s15', budget: { dsp: 0.5 }, defaults: { multiplier: 'dsp', buffer: 'lutram' }, model: transformer({ window: 24, inputFeatures: 7, dModel: 64 }) });
    expect(e.fits).toBe(false);
    expect(e.over).toContain('dsp');
    expect(e.over).toContain('lutram');
    expect(e.utilization.dsp).toBeGreaterThan(1);
  });

  it('responds to storage choices in the expected direction', () => {
    const bram = estimate({ device: 'xc7s15', layers: { 'encoder.0.ffn.fc1': { buffer: 'bram' } } });
    const lutram = estimate({ device: 'xc7s15', layers: { 'encoder.0.ffn.fc1': { buffer: 'lutram' } } });
    const regs = estimate({ device: 'xc7s15', layers: { 'encoder.0.ffn.fc1': { buffer: 'registers' } } });
    const fc1 = (e: typeof bram) => e.layers.find((l) => l.path === 'encoder.0.ffn.fc1')!;
    expect(fc1(bram).bram18).toBeGreaterThan(fc1(lutram).bram18);
    expect(fc1(lutram).lutram).toBe(4 * Math.ceil(8 / 3) * Math.ceil(1536 / 64));
    expect(fc1(bram).lutram).toBe(0);
    expect(fc1(regs).ff).toBeGreaterThan(1536 * 8);
  });

  it('responds to multiplier mapping and bit width', () => {
    const dsp = estimate({ device: 'xc7s15', layers: { 'encoder.0.ffn.fc2': { multiplier: 'dsp' } } });
    const lut = estimate({ device: 'xc7s15', layers: { 'encoder.0.ffn.fc2': { multiplier: 'lut' } } });
    const fc2 = (e: typeof dsp) => e.layers.find((l) => l.path === 'encoder.0.ffn.fc2')!;
    expect(fc2(dsp).dsp).toBe(1);
    expect(fc2(lut).dsp).toBe(0);
    expect(fc2(lut).lut).toBeGreaterThan(fc2(dsp).lut + 100);
    const narrow = estimate({ device: 'xc7s15', defaults: { weightBits: 4, outputBits: 4, multiplier: 'lut', buffer: 'lutram' } });
    const wide = estimate({ device: 'xc7s15', defaults: { weightBits: 8, outputBits: 8, multiplier: 'lut', buffer: 'lutram' } });
    expect(narrow.total.lut).toBeLessThan(wide.total.lut);
    expect(narrow.total.lutram).toBeLessThan(wide.total.lutram);
  });

  it('models cycles from the layer-at-a-time schedule', () => {
    const design = resolveDesign({ device: 'xc7s15', model });
    const fc1 = design.layers.find((l) => l.path === 'encoder.0.ffn.fc1')!;
    expect(estimateLayer(fc1).cycles).toBe(24 * 64 * (16 + 4) + 2);
    const relu = design.layers.find((l) => l.kind === 'relu')!;
    expect(estimateLayer(relu).cycles).toBe(0);
  });

  it('has a device database with the Spartan-7 family', () => {
    expect(Object.keys(DEVICES)).toEqual(['xc7s6', 'xc7s15', 'xc7s25', 'xc7s50', 'xc7s75', 'xc7s100']);
    expect(DEVICES.xc7s15).toMatchObject({ lut: 8000, ff: 16000, lutram: 2400, bram18: 20, dsp: 20 });
    for (const d of Object.values(DEVICES)) expect(d.source).toMatch(/DS180/);
  });
});
