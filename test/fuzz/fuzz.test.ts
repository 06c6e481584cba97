/**
 * A short run of the CLI fuzzer (bench/fuzz.ts runs 10,000 cases): generated configs, valid and invalid,
 * extreme and hostile, each through one kiln command of the built binary, checked against the CLI contract
 * (test/fuzz/runner.ts). Known kiln bugs (test/fuzz/known-failures.ts) are logged, not failed.
 *
 * KILN_FUZZ_CASES and KILN_FUZZ_SEED change the count (default 200) and the seed (default fixed). The time
 * limit here is the config timeout + 20 s rather than + 5 s: other test files run alongside this one and share
 * the machine; `npm run fuzz` enforces 5 s on a quiet machine.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { caseAt } from './generators.js';
import { runCases } from './runner.js';
import { Collector } from './summary.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const COUNT = Number(process.env.KILN_FUZZ_CASES ?? 200);
const SEED = Number(process.env.KILN_FUZZ_SEED ?? 20269);

describe('CLI fuzzer (short run)', () => {
  it(`${COUNT} generated configs (seed ${SEED}) keep the CLI contract`, async () => {
    const work = mkdtempSync(join(tmpdir(), 'kiln-fuzz-test-'));
    const collector = new Collector(3);
    try {
      await runCases(COUNT, (i) => caseAt(SEED, i), { kilnBin: join(ROOT, 'bin', 'kiln.js'), workDir: work, jobs: 2, commands: 'first', wallLimitMs: 20_000 }, (r) => collector.add(r));
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
