/**
 * Estimator speed, this checkout against another one, on one machine (issue 10: "bench:estimator results
 * unchanged or better" across the kinds-registry refactor). Figures from different machines cannot be compared,
 * and on a shared virtual machine even one machine's speed drifts by 2× over minutes; so the two checkouts run
 * in turns (ABBA order), pinned to one core, timed in CPU time, and the result is the median of the per-round
 * ratios.
 *
 *   npm run bench:estimator-ab -- --base ../kiln-old [--config FILE] [--rounds 8]
 *
 * --base is a checkout with its own node_modules and a built dist/ (e.g. `git worktree add ../kiln-old b9145ff
 * && cd ../kiln-old && npm ci && npx tsc -p tsconfig.build.json`). --config defaults to the base's
 * fpga.config.ts, so that both estimate the same design. Writes bench/results/estimator-ab.{md,json}.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { machine } from './lib/machine.js';

const ROOT = join(import.meta.dirname, '..');
const { values } = parseArgs({ options: { base: { type: 'string' }, config: { type: 'string' }, rounds: { type: 'string', default: '8' } } });
if (!values.base) {
  process.stderr.write('usage: npm run bench:estimator-ab -- --base CHECKOUT [--config FILE] [--rounds N]\n');
  process.exit(2);
}
const base = resolve(values.base);
const config = resolve(values.config ?? join(base, 'fpga.config.ts'));
const rounds = Number(values.rounds);
const child = join(ROOT, 'bench', 'lib', 'estimator-speed-child.mjs');
const commit = (dir: string) => execFileSync('git', ['-C', dir, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
const pinned = spawnSync('taskset', ['-c', '0', 'true']).status === 0;

interface Speed {
  repeated: number;
  distinct: number;
}
function measure(root: string): Speed {
  const args = [child, root, config];
  const out = pinned ? execFileSync('taskset', ['-c', '1', process.execPath, ...args], { encoding: 'utf8' }) : execFileSync(process.execPath, args, { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').at(-1)!) as Speed;
}

const checkouts = { base: { dir: base, commit: commit(base) }, head: { dir: ROOT, commit: commit(ROOT) } };
const loadAtStart = loadavg().map((x) => Number(x.toFixed(2)));
const runs: { round: number; base: Speed; head: Speed }[] = [];
for (let round = 0; round < rounds; round++) {
  // ABBA: neither checkout always runs first.
  const order = round % 2 === 0 ? (['base', 'head'] as const) : (['head', 'base'] as const);
  const r: Partial<Record<'base' | 'head', Speed>> = {};
  for (const which of order) r[which] = measure(checkouts[which].dir);
  runs.push({ round, base: r.base!, head: r.head! });
  console.log(`round ${round + 1}/${rounds}: base ${JSON.stringify(r.base)}, head ${JSON.stringify(r.head)}`);
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const summary = Object.fromEntries(
  (['repeated', 'distinct'] as const).map((k) => [
    k,
    {
      base: Math.round(median(runs.map((r) => r.base[k]))),
      head: Math.round(median(runs.map((r) => r.head[k]))),
      ratio: Number(median(runs.map((r) => r.head[k] / r.base[k])).toFixed(3)),
      ratioRange: [Math.min(...runs.map((r) => r.head[k] / r.base[k])), Math.max(...runs.map((r) => r.head[k] / r.base[k]))].map((x) => Number(x.toFixed(2))),
    },
  ]),
) as Record<'repeated' | 'distinct', { base: number; head: number; ratio: number; ratioRange: number[] }>;
const loadAverage = { start: loadAtStart, end: loadavg().map((x) => Number(x.toFixed(2))) };
const result = { schema: 'kiln-estimator-ab', machine: machine(), loadAverage, checkouts: { base: checkouts.base.commit, head: checkouts.head.commit }, config: config.replace(`${base}/`, 'base:'), pinnedToOneCore: pinned, rounds, runs, summary };

const fmt = (n: number) => n.toLocaleString('en-US');
const md = [
  '# Estimator speed, two commits on one machine (npm run bench:estimator-ab)',
  '',
  `Run ${result.machine.date} on ${result.machine.cpu}, ${result.machine.cores} cores, ${result.machine.os}, Node ${result.machine.node}. Base commit ${checkouts.base.commit}, head commit ${checkouts.head.commit}; both estimate the design of \`${result.config}\`.`,
  `${rounds} rounds in ABBA order${pinned ? ', each process pinned to core 1' : ''}; whole-model estimates per second of CPU time, median of 5 passes per process: the design estimated again and again ("repeated"), and 2,000 distinct variants of it ("distinct"). Load average (1, 5, 15 min) at the start ${loadAverage.start.join(', ')}, at the end ${loadAverage.end.join(', ')}.`,
  '',
  'Read the ratio, not the figures: on a shared virtual machine one process runs at about 35,000 or about 60,000 estimates/s depending on the host, so single runs differ by up to 2× and only many alternating rounds compare two commits.',
  '',
  '| | base | head | head / base (median of rounds) | range of round ratios |',
  '|---|---:|---:|---:|---|',
  ...(['repeated', 'distinct'] as const).map((k) => `| ${k} | ${fmt(summary[k].base)} | ${fmt(summary[k].head)} | ${summary[k].ratio.toFixed(2)} | ${summary[k].ratioRange.join('–')} |`),
  '',
  '| Round | base repeated | head repeated | base distinct | head distinct |',
  '|---:|---:|---:|---:|---:|',
  ...runs.map((r) => `| ${r.round + 1} | ${fmt(r.base.repeated)} | ${fmt(r.head.repeated)} | ${fmt(r.base.distinct)} | ${fmt(r.head.distinct)} |`),
  '',
].join('\n');
mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
writeFileSync(join(ROOT, 'bench', 'results', 'estimator-ab.json'), JSON.stringify(result, null, 2) + '\n');
writeFileSync(join(ROOT, 'bench', 'results', 'estimator-ab.md'), md);
console.log(md);
