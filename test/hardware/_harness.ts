/**
 * Shared harness of the GHDL tests: build a design in memory, write its hardware, simulate its testbenches.
 * GHDL tests never skip under CI=true: a missing GHDL fails them there.
 */
import { it } from 'vitest';
import { writeArtifacts } from '../../src/build/write.js';
import { emitHardware, type TestbenchEntry } from '../../src/emitters/vhdl/index.js';
import { resolveDesign, type ResolvedDesign } from '../../src/ir/index.js';
import { quantizeModel } from '../../src/reference/index.js';
import { ghdlAvailable } from '../../src/toolchain/ghdl.js';
import { simulate, type SimResult } from '../../src/toolchain/simulate.js';
import { tempDir } from '../helpers.js';

export const HAVE_GHDL = ghdlAvailable();
if (!HAVE_GHDL && process.env.CI !== 'true') console.warn('GHDL not found: GHDL tests are skipped (they fail under CI=true)');

/** `it` for tests that need GHDL: runs when it is there or under CI (where its absence is a failure). */
export function itGhdl(name: string, fn: () => Promise<void>, timeout?: number): void {
  if (HAVE_GHDL || process.env.CI === 'true') it(name, fn, timeout);
  else it.skip(name, fn);
}

export interface HardwareRun {
  design: ResolvedDesign;
  outDir: string;
  testbenches: TestbenchEntry[];
  results: SimResult[];
}

export async function buildAndSimulate(config: unknown, options: { only?: (t: TestbenchEntry) => boolean } = {}): Promise<HardwareRun> {
  if (!HAVE_GHDL) throw new Error('GHDL is required for this test (apt-get install ghdl)');
  const design = resolveDesign(config);
  const model = quantizeModel(design);
  const { files, testbenches } = emitHardware(design, model);
  const outDir = tempDir('kiln-hw-');
  await writeArtifacts(outDir, files);
  const selected = options.only ? testbenches.filter(options.only) : testbenches;
  const results = await simulate(selected, { outDir, jobs: 2 });
  return { design, outDir, testbenches: selected, results };
}

/** A compact failure description for assertion messages. */
export function failures(results: readonly SimResult[]): string {
  return results
    .filter((r) => r.status !== 'pass')
    .map((r) => `${r.unit}: ${r.status} ${r.message ?? ''} ${JSON.stringify(r.firstMismatches.slice(0, 3))}`)
    .join('\n');
}
