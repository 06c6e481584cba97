/**
 * Accuracy of the trained default model (models/airbase-pm10) on its test split, at several precisions: the float
 * model, the integer model (what the hardware computes, bit for bit) and the persistence baseline, by RMSE and
 * MAE in normalised units and in µg/m³; the worst layer's SQNR; and whether the design fits the default device.
 *
 *   npm run bench:accuracy     writes bench/results/accuracy.{md,json}
 *
 * Each variant is the root fpga.config.ts with other `defaults` (weight and activation widths) or another
 * observer, evaluated like `kiln eval` (calibration on the training split, scores on the test split, which
 * nothing was tuned on: the model was trained with early stopping on the validation split).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { evaluateProject } from '../src/build/index.js';
import { KILN_VERSION } from '../src/version.js';
import { machine } from './lib/machine.js';

const ROOT = join(import.meta.dirname, '..');
const RESULTS = join(ROOT, 'bench', 'results');

interface Variant {
  readonly name: string;
  readonly weightBits: number;
  readonly outputBits: number;
  readonly observer?: string;
}

const VARIANTS: readonly Variant[] = [
  { name: '8-bit', weightBits: 8, outputBits: 8 },
  { name: '6-bit', weightBits: 6, outputBits: 6 },
  { name: '4-bit', weightBits: 4, outputBits: 4 },
  { name: '4-bit weights, 8-bit activations', weightBits: 4, outputBits: 8 },
  { name: '6-bit, percentile 99.9 observer', weightBits: 6, outputBits: 6, observer: '{ percentile: 99.9 }' },
  { name: '4-bit, percentile 99.9 observer', weightBits: 4, outputBits: 4, observer: '{ percentile: 99.9 }' },
];

const base = readFileSync(join(ROOT, 'fpga.config.ts'), 'utf8');
const widths = /weightBits: 8,\n(\s+)outputBits: 8,/;
if (!widths.test(base)) throw new Error('fpga.config.ts changed shape: no "weightBits: 8, outputBits: 8" defaults to vary');

function configFor(v: Variant): string {
  let text = base.replace(widths, `weightBits: ${v.weightBits},\n$1outputBits: ${v.outputBits},`);
  // The variant lives in another folder: its files are the repository's.
  text = text.replace(/'models\//g, `'${ROOT}/models/`);
  if (v.observer) text = text.replace('accuracy: {', `quantization: { observer: ${v.observer} },\n  accuracy: {`);
  return text;
}

interface Row {
  variant: string;
  weightBits: number;
  outputBits: number;
  observer: string;
  rmse: { float: number; integer: number; persistence: number };
  mae: { float: number; integer: number; persistence: number };
  rmseUgm3: { float: number; integer: number; persistence: number };
  rmseIncrease: number;
  worstLayer: { path: string; db: number };
  fits: boolean;
  lut: number;
  dsp: number;
  bram18: number;
}

const rows: Row[] = [];
let data: unknown;
let windows = 0;
for (const v of VARIANTS) {
  const dir = mkdtempSync(join(tmpdir(), 'kiln-bench-accuracy-'));
  writeFileSync(join(dir, 'fpga.config.ts'), configFor(v));
  const { report } = await evaluateProject({ cwd: dir });
  const a = report.accuracy!;
  data ??= { ...report.data!, file: relative(ROOT, resolve(dir, report.data!.file)) };
  windows = a.windows;
  const three = (f: (m: NonNullable<typeof a.persistence>) => number) => ({ float: f(a.float), integer: f(a.integer), persistence: f(a.persistence!) });
  rows.push({
    variant: v.name,
    weightBits: v.weightBits,
    outputBits: v.outputBits,
    observer: report.data!.observer,
    rmse: three((m) => m.rmse),
    mae: three((m) => m.mae),
    rmseUgm3: three((m) => m.rmseOriginal![0]!),
    rmseIncrease: a.rmseIncrease,
    worstLayer: a.worstLayer,
    fits: report.fits,
    lut: report.total.lut,
    dsp: report.total.dsp,
    bram18: report.total.bram18,
  });
  process.stderr.write(`${v.name}: integer RMSE ${a.integer.rmse.toFixed(4)} (${(a.rmseIncrease * 100).toFixed(2)} % over float)\n`);
}

const env = { ...machine(), kiln: KILN_VERSION };
writeFileSync(join(RESULTS, 'accuracy.json'), JSON.stringify({ machine: env, dataset: data, testWindows: windows, rows }, null, 1) + '\n');

const f4 = (x: number) => x.toFixed(4);
const f2 = (x: number) => x.toFixed(2);
const d = data as { file: string; rows: Record<string, [number, number]>; windows: Record<string, number>; calibrationWindows: number };
const md = [
  '# Accuracy of the trained default model',
  '',
  '`npm run bench:accuracy` (bench/accuracy.ts) writes this file and `accuracy.json`.',
  '',
  '- **Model:** models/airbase-pm10 (the root `fpga.config.ts`): 24 days of daily PM10 at 8 German rural background',
  '  stations → the next day at DEUB005; trained in PyTorch (`models/airbase-pm10/train.py`).',
  `- **Data:** \`${d.file}\`: AirBase daily PM10, Germany, 2002–2009, from the Debian package r-cran-spacetime`,
  '  (data set `air`; see models/airbase-pm10/DATA.md for source, licence and cleaning).',
  `- **Split, by time:** train rows ${d.rows.train!.join('–')} (${d.windows.train} windows), validation rows ${d.rows.validation!.join('–')} (${d.windows.validation}), test rows ${d.rows.test!.join('–')} (${d.windows.test}), half-open.`,
  '  Training used the train split, early stopping the validation split; calibration here reads',
  `  ${d.calibrationWindows} windows spread over the train split; every figure below is on all ${windows} test windows.`,
  '- **Units:** RMSE and MAE of the normalised target (train-split mean and standard deviation), and RMSE in µg/m³.',
  '  "Integer" is kiln\'s integer reference model, which the generated VHDL equals bit for bit (`kiln sim`).',
  '  Persistence forecasts the last value of the window.',
  `- **Machine:** ${env.cpu}, ${env.cores} cores, ${env.memoryGiB} GiB; ${env.os}; Node ${env.node}; kiln ${env.kiln}; ${env.date.slice(0, 10)}.`,
  '',
  '| Variant | Observer | Float RMSE | Integer RMSE | Persistence RMSE | Integer vs float | Integer RMSE µg/m³ | Integer MAE | Worst layer (SQNR) | LUT | DSP | BRAM18 | Fits XC7S15 |',
  '|---|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|---|',
  ...rows.map(
    (r) =>
      `| ${r.variant} | ${r.observer} | ${f4(r.rmse.float)} | ${f4(r.rmse.integer)} | ${f4(r.rmse.persistence)} | ${r.rmseIncrease >= 0 ? '+' : ''}${f2(r.rmseIncrease * 100)} % | ${f2(r.rmseUgm3.integer)} | ${f4(r.mae.integer)} | ${r.worstLayer.path} (${f2(r.worstLayer.db)} dB) | ${r.lut} | ${r.dsp} | ${r.bram18} | ${r.fits ? 'yes' : 'no'} |`,
  ),
  '',
  `Float RMSE ${f2(rows[0]!.rmseUgm3.float)} µg/m³ against persistence ${f2(rows[0]!.rmseUgm3.persistence)} µg/m³: the trained model beats persistence by ${f2((1 - rows[0]!.rmse.float / rows[0]!.rmse.persistence) * 100)} %.`,
  '',
].join('\n');
writeFileSync(join(RESULTS, 'accuracy.md'), md);
process.stderr.write(md);
