/**
 * Data for calibration and evaluation: CSV series split by time into windows, .npy arrays; and every bad data
 * input of issue 11 (item 8) is a clear error naming the file (and row and column where it applies), exit 2,
 * nothing written.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { seriesDataset } from '../../src/data/series.js';
import { configSource, kiln, project } from '../helpers.js';

const MODEL = `transformer({ window: 4, inputFeatures: 2, dModel: 8, ffnDim: 8 })`;
const csvConfig = (data: string) => configSource(`{ device: 'xc7s50', model: ${MODEL}, data: ${data} }`);

/** A CSV of `rows` rows: a, b (and t, the target). */
function series(rows: number): string {
  const lines = ['a,b,t'];
  for (let r = 0; r < rows; r++) lines.push(`${Math.sin(r / 3).toFixed(4)},${Math.cos(r / 5).toFixed(4)},${Math.sin((r + 1) / 3).toFixed(4)}`);
  return lines.join('\n') + '\n';
}

/** A float32 .npy file of a given shape. */
function npy(shape: number[], values?: number[]): Buffer {
  const count = shape.reduce((a, b) => a * b, 1);
  let header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  header = header.padEnd(Math.ceil((header.length + 11) / 64) * 64 - 11) + '\n';
  const head = Buffer.alloc(10);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(head);
  head.writeUInt16LE(header.length, 8);
  const data = Buffer.from(Float32Array.from(values ?? Array.from({ length: count }, (_, i) => Math.sin(i))).buffer);
  return Buffer.concat([head, Buffer.from(header, 'latin1'), data]);
}

async function refused(dir: string, message: RegExp): Promise<void> {
  const r = await kiln(['build'], dir);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toMatch(/\[KILN_E_DATA\]/);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/internal error|KILN_E_INTERNAL/);
  expect(existsSync(join(dir, 'build'))).toBe(false);
}

describe('time-series windows', () => {
  it('splits by time with no window crossing a boundary, normalises with the training split only', () => {
    const rows = 100;
    const a = Float64Array.from({ length: rows }, (_, r) => r);
    const ds = seriesDataset(new Map([['a', a]]), rows, 's.csv', { window: 5, features: ['a'], targets: ['a'], horizon: 1, split: { train: 0.7, validation: 0.15 }, normalize: 'train' });
    expect(ds.splits.train.rows).toEqual([0, 70]);
    expect(ds.splits.validation.rows).toEqual([70, 85]);
    expect(ds.splits.test.rows).toEqual([85, 100]);
    expect(ds.splits.train.windows.samples).toBe(70 - 6 + 1);
    expect(ds.splits.test.windows.samples).toBe(15 - 6 + 1);
    expect(ds.normalization.mean[0]).toBeCloseTo(34.5, 12); // mean of rows 0..69 only
    const { mean, std } = ds.normalization;
    const first = ds.splits.test.windows.data[0]! * std[0]! + mean[0]!;
    expect(first).toBeCloseTo(85, 9); // the first test window starts at the first test row
    const target = ds.splits.test.targets[0]! * std[0]! + mean[0]!;
    expect(target).toBeCloseTo(90, 9); // one step after the window's last row (89)
    const persistence = ds.splits.test.persistence![0]! * std[0]! + mean[0]!;
    expect(persistence).toBeCloseTo(89, 9);
  });
});

describe('bad data', () => {
  it('an empty CSV', async () => refused(project({ 'fpga.config.mjs': csvConfig(`{ csv: 's.csv', features: ['a', 'b'], target: 't' }`), 's.csv': '' }), /s\.csv is empty/));
  it('a missing CSV', async () => refused(project({ 'fpga.config.mjs': csvConfig(`{ csv: 'nope.csv', features: ['a', 'b'], target: 't' }`) }), /cannot read nope\.csv: it does not exist/));
  it('a misnamed column, with a suggestion', async () => refused(project({ 'fpga.config.mjs': csvConfig(`{ csv: 's.csv', features: ['a', 'bb'], target: 't' }`), 's.csv': series(50) }), /s\.csv has no column 'bb'[\s\S]*did you mean 'b'/));
  it('a missing target column', async () => refused(project({ 'fpga.config.mjs': csvConfig(`{ csv: 's.csv', features: ['a', 'b'], target: 'y' }`), 's.csv': series(50) }), /s\.csv has no column 'y'/));
  it('a non-numeric cell, naming its row and column', async () => {
    const text = series(50).replace(/\n0\.[0-9]+,/, '\nn/a,');
    await refused(project({ 'fpga.config.mjs': csvConfig(`{ csv: 's.csv', features: ['a', 'b'], target: 't' }`), 's.csv': text }), /s\.csv:\d+: column 'a' holds "n\/a", not a number/);
  });
  it('fewer rows than one window per split', async () => refused(project({ 'fpga.config.mjs': csvConfig(`{ csv: 's.csv', features: ['a', 'b'], target: 't' }`), 's.csv': series(12) }), /fewer than one window of 4 plus the horizon of 1/));
  it('a wrong number of feature columns for the model (no file read)', async () => {
    const dir = project({ 'fpga.config.mjs': csvConfig(`{ csv: 's.csv', features: ['a'], target: 't' }`) });
    const r = await kiln(['build'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/data\.features: names 1 column, but the model takes 2 input features per step/);
  });
  it('an .npy windows file of the wrong rank', async () => {
    const dir = project({ 'fpga.config.mjs': configSource(`{ device: 'xc7s50', model: ${MODEL}, data: { npy: { windows: 'x.npy', targets: 'y.npy' } } }`) });
    writeFileSync(join(dir, 'x.npy'), npy([40, 8]));
    writeFileSync(join(dir, 'y.npy'), npy([40]));
    await refused(dir, /x\.npy has shape \(40, 8\); the model needs \(N, 4, 2\)/);
  });
  it('an .npy file that lies about its shape', async () => {
    const dir = project({ 'fpga.config.mjs': configSource(`{ device: 'xc7s50', model: ${MODEL}, data: { npy: { windows: 'x.npy', targets: 'y.npy' } } }`) });
    writeFileSync(join(dir, 'x.npy'), npy([40, 4, 2]).subarray(0, 200));
    writeFileSync(join(dir, 'y.npy'), npy([40]));
    await refused(dir, /x\.npy is not a usable \.npy array: its shape \(40, 4, 2\) needs 1280 bytes of data/);
  });
  it('good .npy arrays build, and eval scores them', async () => {
    const dir = project({ 'fpga.config.mjs': configSource(`{ device: 'xc7s50', model: ${MODEL}, data: { npy: { windows: 'x.npy', targets: 'y.npy' }, persistenceFeature: 0 } }`) });
    writeFileSync(join(dir, 'x.npy'), npy([60, 4, 2]));
    writeFileSync(join(dir, 'y.npy'), npy([60, 1]));
    expect((await kiln(['build'], dir)).code).toBe(0);
    const r = await kiln(['eval', '--json'], dir);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { accuracy: { windows: number; persistence?: unknown } };
    expect(report.accuracy.windows).toBe(60 - 42 - 9);
    expect(report.accuracy.persistence).toBeDefined();
  });
});
