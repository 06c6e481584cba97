/** `kiln sim` on the default fpga.config.ts: every testbench passes and the measured cycles equal the estimate. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { DEFAULT_CONFIG, kiln, ROOT, tempDir } from '../helpers.js';
import { itGhdl } from './_harness.js';

describe('default model', () => {
  itGhdl('kiln sim passes with 0 mismatches and cycles equal to the estimate', async () => {
    const out = tempDir();
    const r = await kiln(['sim', '--config', DEFAULT_CONFIG, '--out', out, '--json'], ROOT);
    expect(r.code, r.stderr).toBe(0);
    const sim = JSON.parse(r.stdout) as { results: { unit: string; status: string; mismatches: number; cycles: number; expectedCycles: number }[]; failed: number };
    expect(sim.failed).toBe(0);
    expect(sim.results).toHaveLength(18);
    for (const t of sim.results) {
      expect(t.status, t.unit).toBe('pass');
      expect(t.cycles).toBe(t.expectedCycles);
    }
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { total: { cycles: number } };
    expect(sim.results.find((t) => t.unit === 'transformer')!.cycles).toBe(report.total.cycles);
  }, 600_000);
});
