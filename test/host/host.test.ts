/**
 * The host helpers against kiln's own pipeline on the trained default model: a window read from data.csv in the
 * data's units, quantized by the helper from report.json alone, is the integer window kiln verified the hardware
 * on, and the output port's integers, dequantized by the helper, are the forecast kiln scored (in µg/m³).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateProject } from '../../src/build/index.js';
import { dequantizeOutput, quantizeWindow, type HostInterface } from '../../src/index.js';
import { dequantize } from '../../src/arith/index.js';
import { runReference } from '../../src/reference/index.js';
import { defaultProject } from '../helpers.js';

describe('host interface (report.json host, src/host)', async () => {
  const dir = defaultProject();
  const r = await evaluateProject({ cwd: dir, command: 'build' });
  const host = JSON.parse(JSON.stringify(r.report.host)) as HostInterface; // as a host reads it: through JSON
  const model = r.quantized!;
  const data = r.report.data!;
  const lines = readFileSync(join(dir, 'models/airbase-pm10/data.csv'), 'utf8').trim().split('\n');
  const header = lines[0]!.split(',');
  const column = (name: string) => lines.slice(1).map((l) => Number(l.split(',')[header.indexOf(name)]));
  const series = new Map(host.input.columns!.map((c) => [c, column(c)]));
  const [time, features] = host.input.shape as [number, number];
  /** Test window w in the data's own units, row-major [time][feature]. */
  const rawWindow = (w: number) => Float64Array.from({ length: time * features }, (_, e) => series.get(host.input.columns![e % features]!)![data.rows.test[0] + w + Math.floor(e / features)]!);

  it('describes the ports, shapes, layout, widths, scales and normalisation', () => {
    expect(host.input).toMatchObject({ ports: 'in_we, in_addr, in_data', shape: [24, 8], bits: 8, columns: data.features });
    expect(host.output).toMatchObject({ shape: [1, 1], bits: 8, columns: ['DEUB005'] });
    expect(host.input.scale).toBe(model.layers.get(r.design.layers[0]!.path)!.output.scale);
    expect(host.output.zeroPoint).toBe(model.layers.get(r.design.output)!.output.zeroPoint);
  });

  it("quantizeWindow of raw data.csv windows gives exactly the integers kiln's testbenches use", () => {
    // the recorded test windows are spread evenly over the test split (src/build/inputs.ts)
    const n = model.testInputs.length;
    for (let i = 0; i < n; i++) {
      const w = Math.floor((i * data.windows.test) / n);
      expect(quantizeWindow(host, rawWindow(w)), `test window ${w}`).toEqual(model.testInputs[i]);
    }
    expect(() => quantizeWindow(host, new Float64Array(5))).toThrow(/192 values/);
  });

  it('dequantizeOutput of the reference output is the forecast in the data units', () => {
    const q = model.layers.get(r.design.output)!.output;
    const n = host.output.normalization!;
    for (const w of [0, 100]) {
      const out = runReference(r.design, model, quantizeWindow(host, rawWindow(w))).get(r.design.output)!;
      const forecast = dequantizeOutput(host, out);
      expect(forecast[0]).toBeCloseTo(dequantize(out[0]!, q) * n.std[0]! + n.mean[0]!, 12);
      expect(dequantizeOutput(host, out, { normalized: true })[0]).toBe(dequantize(out[0]!, q));
      // a plausible PM10 forecast: within the range of the series
      expect(forecast[0]).toBeGreaterThan(0);
      expect(forecast[0]).toBeLessThan(200);
    }
  });
});
