/**
 * The verification itself can fail: a corrupted expected value, a wrong cycle count, and a layer whose
 * reference disagrees are all reported, with indices.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { transformer } from '../../src/index.js';
import { simulate } from '../../src/toolchain/simulate.js';
import { buildAndSimulate, itGhdl } from './_harness.js';

const config = {
  device: 'xc7s15' as const,
  model: transformer({ window: 4, inputFeatures: 3, dModel: 4, ffnDim: 8 }),
  defaults: { weightBits: 8 as const, outputBits: 8 as const },
};

describe('verification catches disagreement', () => {
  itGhdl('a corrupted expected value fails the testbench and names its index', async () => {
    const run = await buildAndSimulate(config, { only: (t) => t.unit === 'encoder.0.ffn.fc1' });
    expect(run.results[0]!.status).toBe('pass');
    const tb = run.testbenches[0]!;
    const yFile = join(run.outDir, tb.vectors.Y_FILE!);
    const lines = readFileSync(yFile, 'utf8').split('\n');
    // line 0 is the comment; corrupt output index 5
    lines[6] = String(Number(lines[6]) + 1);
    writeFileSync(yFile, lines.join('\n'));
    const [r] = await simulate([tb], { outDir: run.outDir });
    expect(r!.status).toBe('fail');
    expect(r!.mismatches).toBe(1);
    expect(r!.firstMismatches).toEqual([{ index: 5, expected: Number(lines[6]), got: Number(lines[6]) - 1 }]);
  });

  itGhdl('a cycle count that differs from the estimate fails', async () => {
    const run = await buildAndSimulate(config, { only: (t) => t.unit === 'pool' });
    const tb = { ...run.testbenches[0]!, expectedCycles: run.testbenches[0]!.expectedCycles + 1 };
    const [r] = await simulate([tb], { outDir: run.outDir });
    expect(r!.status).toBe('fail');
    expect(r!.message).toMatch(/measured \d+ cycles, the estimator says \d+/);
  });

  itGhdl('full-range random vectors drive requantization into saturation at both ends', async () => {
    const wider = { ...config, model: transformer({ window: 8, inputFeatures: 7, dModel: 16, ffnDim: 32 }) };
    const run = await buildAndSimulate(wider, { only: (t) => t.unit === 'encoder.0.ffn.fc1' });
    expect(run.results[0]!.status).toBe('pass');
    const y = readFileSync(join(run.outDir, run.testbenches[0]!.vectors.Y_FILE!), 'utf8').split('\n').slice(1).filter(Boolean).map(Number);
    expect(y).toContain(127);
    expect(y).toContain(-128);
  });
});
