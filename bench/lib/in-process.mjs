// @ts-check
/**
 * The in-process half of bench/incremental.ts, run by plain `node` against the built kiln (dist/), as `kiln
 * watch` runs: the benchmark itself runs under tsx, whose module hooks would slow down every config reload.
 *
 *   node bench/lib/in-process.mjs <project dir> <changed layer> <repetitions>
 *
 * The project folder holds fpga.config.ts (weightBits 8) and fpga.config.4.ts / fpga.config.8.ts (the two
 * versions the rebuilds alternate between). Prints one JSON object on stdout.
 */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const [dir, layer, repsText] = process.argv.slice(2);
if (!dir || !layer || !repsText) throw new Error('usage: in-process.mjs <dir> <layer> <reps>');
const reps = Number(repsText);
const { buildProject } = await import(new URL('../../dist/build/index.js', import.meta.url).href);

// Warm-up (JIT, the config loader), not measured.
await buildProject({ cwd: dir, outDir: join(dir, 'warmup') });
const full = [];
let last;
for (let i = 0; i < reps; i++) {
  const t0 = performance.now();
  last = await buildProject({ cwd: dir, outDir: join(dir, `full-${i}`) });
  full.push(performance.now() - t0);
}
let r = await buildProject({ cwd: dir, outDir: join(dir, 'build') });
const rebuild = [];
/** @type {Record<string, number[]>} */
const stages = {};
for (let i = 0; i < reps; i++) {
  copyFileSync(join(dir, `fpga.config.${i % 2 === 0 ? 4 : 8}.ts`), join(dir, 'fpga.config.ts'));
  const t0 = performance.now();
  // As kiln watch runs it: the previous build's state, and the lock already held (watch holds it for its session).
  r = await buildProject({ cwd: dir, outDir: join(dir, 'build'), cache: r.cache, lock: false });
  rebuild.push(performance.now() - t0);
  for (const [k, v] of Object.entries(r.build.timings)) (stages[k] ??= []).push(v);
}
if (r.build.full || !r.build.rebuilt.some((/** @type {{unit: string}} */ u) => u.unit === layer)) throw new Error(`the rebuild did not rebuild ${layer}`);
process.stdout.write(
  JSON.stringify({
    full,
    rebuild,
    stages,
    layers: r.design.layers.length,
    files: last.build.written.length,
    fits: r.report.fits,
    rebuiltUnits: r.build.rebuilt.map((/** @type {{unit: string}} */ u) => u.unit),
    filesWritten: r.build.written.length,
  }) + '\n',
);
