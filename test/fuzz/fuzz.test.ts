/**
 * A short run of the CLI fuzzer (bench/fuzz.ts runs 10,000 cases): generated configs, valid and invalid,
 * extreme and hostile, each through one kiln command of the built binary, checked against the CLI contract
 * (test/fuzz/runner.ts). Known kiln bugs (test/fuzz/known-failures.ts) are logged, not failed.
 *
 * KILN_FUZZ_CASES and KILN_FUZZ_SEED change the count (default 200) and the seed (default fixed). The time
 * limit here is the config timeout + 20 s rather than + 5 s: other test files run alongside this one and share
 * the machine; `npm run fuzz` enforces 5 s on a quiet machine.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { caseAt } from './generators.js';
import { runCase, runCases, snapshotKiln } from './runner.js';
import { Collector } from './summary.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const COUNT = Number(process.env.KILN_FUZZ_CASES ?? 200);
const SEED = Number(process.env.KILN_FUZZ_SEED ?? 20269);

describe('CLI fuzzer (short run)', () => {
  // Generating is cheap; a case the generators cannot make is a fuzzer bug that a long run would meet hours in.
  it('the generators make every case of 3,000-case runs of three seeds', () => {
    const failed: string[] = [];
    for (const seed of [SEED, 1669369960, 7]) {
      for (let i = 0; i < 3000; i++) {
        try {
          caseAt(seed, i);
        } catch (err) {
          failed.push(`seed ${seed} case ${i}: ${(err as Error).message}`);
        }
      }
    }
    expect(failed).toEqual([]);
  }, 120_000);

  it(`${COUNT} generated configs (seed ${SEED}) keep the CLI contract`, async () => {
    const work = mkdtempSync(join(tmpdir(), 'kiln-fuzz-test-'));
    const collector = new Collector(3);
    try {
      // (A copy of the built kiln: another build of dist/ while this runs must not change it.)
      const kilnBin = snapshotKiln(ROOT, work);
      await runCases(COUNT, (i) => caseAt(SEED, i), { kilnBin, workDir: join(work, 'cases'), jobs: 2, commands: 'first', wallLimitMs: 20_000 }, (r) => collector.add(r));
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
    const s = collector.summary();
    const exits = collector.exitTotals();
    const known = s.known.filter((k) => k.runs > 0).map((k) => `${k.id} (${k.runs})`);
    console.log(
      `fuzz: ${s.cases} cases (${s.validCases} valid), ${s.runs} runs, exit 0/1/2 ${exits['0'] ?? 0}/${exits['1'] ?? 0}/${exits['2'] ?? 0}; ` +
        `wall p50/p99/max ${s.wallMs.all?.p50}/${s.wallMs.all?.p99}/${s.wallMs.all?.max} ms; RSS max ${s.rssMB.all?.max} MB; known kiln bugs: ${known.join(', ') || 'none'}`,
    );
    const failures = collector.unknownFailures().map((f) => `case ${f.index} (${f.family}) [${f.failure.category}] ${f.failure.run}: ${f.failure.message.slice(0, 300)}`);
    expect(failures, `reproduce one with: npm run fuzz -- --seed ${SEED} --only <case>`).toEqual([]);
  }, 900_000);
});

/** A stand-in for bin/kiln.js that breaks the contract in the way its config asks for. */
const FAKE_KILN = `import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
const args = process.argv.slice(2);
const json = args.includes('--json');
const config = readFileSync(args.includes('--config') ? args[args.indexOf('--config') + 1] : 'fpga.config.mjs', 'utf8');
const mode = /FAKE_(\\w+)/.exec(config)?.[1] ?? 'OK';
const report = { schema: 'kiln-report', schemaVersion: 1, fits: true, over: [], device: { id: 'xc7s15' }, clockMHz: 100, layers: [{}, {}], total: { lut: 1, ff: 1, lutram: 0, bram18: 0, dsp: 0, cycles: 1, latencyUs: 0.01 } };
const error = { schema: 'kiln-error', schemaVersion: 1, diagnostics: [{ code: 'KILN_E_RANGE', severity: 'error', path: [], message: 'bad' }] };
switch (mode) {
  case 'OK': if (json) process.stdout.write(JSON.stringify(report)); process.exit(0);
  case 'INTERNAL': process.stderr.write('kiln: internal error (please report it): TypeError: x\\n'); if (json) process.stdout.write(JSON.stringify(error)); process.exit(2);
  case 'EXIT3': process.exit(3);
  case 'BADJSON': process.stdout.write('{"schema": "kiln-error"}\\n{}'); process.exit(2);
  case 'WRITE': mkdirSync('build', { recursive: true }); writeFileSync('build/stray.txt', 'x'); if (json) process.stdout.write(JSON.stringify(error)); process.exit(2);
  case 'LIAR': if (json) process.stdout.write(JSON.stringify({ ...report, fits: false })); process.exit(0);
  case 'HANG': setInterval(() => {}, 1000); break;
  case 'HOG': { const held = []; for (let i = 0; i < 12; i++) held.push(Buffer.alloc(2 ** 26, 1)); if (json) process.stdout.write(JSON.stringify(report)); process.exit(0); }
}
`;

describe("the fuzz runner's checks", () => {
  it('catch a CLI that breaks each part of the contract', async () => {
    const work = mkdtempSync(join(tmpdir(), 'kiln-fuzz-self-'));
    try {
      const bin = join(work, 'fake-kiln.mjs');
      writeFileSync(bin, FAKE_KILN);
      const fake = (mode: string) => ({
        family: `self/${mode}`,
        files: { 'fpga.config.mjs': `// FAKE_${mode}\n` },
        config: 'fpga.config.mjs',
        configFlag: false,
        runs: [{ command: 'build' as const, json: true }],
        expect: { estimate: { exits: [0, 1] }, build: { exits: [0, 1] } },
      });
      const categories = async (mode: string) => {
        const r = await runCase(0, fake(mode), { kilnBin: bin, workDir: join(work, mode), hardCapMs: 3000, rssLimitMB: 400 });
        return [...new Set(r.failures.map((f) => f.category))].sort();
      };
      expect(await categories('OK')).toEqual([]);
      expect(await categories('INTERNAL')).toEqual(['internal', 'verdict']);
      expect(await categories('EXIT3')).toEqual(['exit-code', 'json']);
      expect(await categories('BADJSON')).toEqual(['json', 'verdict']);
      expect(await categories('WRITE')).toEqual(['verdict', 'write-on-error']);
      expect(await categories('LIAR')).toEqual(['report']);
      expect(await categories('HANG')).toEqual(['hang']);
      expect(await categories('HOG')).toEqual(['memory']);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 60_000);
});
