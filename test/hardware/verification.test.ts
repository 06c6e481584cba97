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
    expect(r!.message).toMatch(/measured \d+ cycles in run 0, the estimator says \d+/);
  });

  itGhdl('full-range random vectors drive requantization into saturation at both ends', async () => {
    const wider = { ...config, model: transformer({ window: 8, inputFeatures: 7, dModel: 16, ffnDim: 32 }) };
    const run = await buildAndSimulate(wider, { only: (t) => t.unit === 'encoder.0.ffn.fc1' });
    expect(run.results[0]!.status).toBe('pass');
    const y = readFileSync(join(run.outDir, run.testbenches[0]!.vectors.Y_FILE!), 'utf8').split('\n').slice(1).filter(Boolean).map(Number);
    expect(y).toContain(127);
    expect(y).toContain(-128);
  });
  /** A layer that saturates on the recorded windows: 3-bit everything, where the residual add piles up at its bounds. */
  const narrow = {
    device: 'xc7s50' as const,
    model: transformer({ window: 4, inputFeatures: 3, dModel: 4, heads: 2, ffnDim: 8 }),
    defaults: { weightBits: 3 as const, outputBits: 3 as const },
    weights: { seed: 12 },
  };
  const values = (file: string) => readFileSync(file, 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).map(Number);
  /** Recorded expected outputs at -4 or 3 (the 3-bit bounds) other than `zero`. */
  const atBounds = (expected: number[], recorded: number, zero: number) => expected.slice(0, recorded).filter((v) => (v === -4 || v === 3) && v !== zero).length;

  itGhdl('a layer whose expected outputs on the recorded windows mostly sit at the bounds fails its sanity check, after every output matched', async () => {
    const run = await buildAndSimulate(narrow, { only: (t) => t.unit === 'encoder.0.ffn_add' });
    const [tb, r] = [run.testbenches[0]!, run.results[0]!];
    const recorded = (tb.windows - 1) * tb.outputs;
    const zero = Number(/constant OUT_ZERO : integer := (-?\d+);/.exec(readFileSync(join(run.outDir, tb.sources[2]!), 'utf8'))![1]);
    const count = atBounds(values(join(run.outDir, tb.vectors.Y_FILE!)), recorded, zero);
    expect(2 * count).toBeGreaterThan(recorded);
    expect(r.mismatches).toBe(0);
    expect(r.cycles).toBe(r.expectedCycles);
    expect(r.status).toBe('fail');
    expect(r.saturated).toEqual({ outputs: count, of: recorded });
    expect(r.message).toMatch(new RegExp(`^${count} of ${recorded} expected outputs on recorded test windows sit at the bounds of the 3-bit output: the layer saturates on real data`));
  });

  itGhdl("outputs at the output's representation of 0 are not counted as saturated (a ReLU's zeros)", async () => {
    const run = await buildAndSimulate(narrow, { only: (t) => t.unit === 'encoder.0.ffn_add' });
    const tb = run.testbenches[0]!;
    const recorded = (tb.windows - 1) * tb.outputs;
    const expected = values(join(run.outDir, tb.vectors.Y_FILE!));
    // Say that the more frequent bound is the output's 0: those outputs no longer count.
    const frequent = expected.slice(0, recorded).filter((v) => v === 3).length > expected.slice(0, recorded).filter((v) => v === -4).length ? 3 : -4;
    const tbFile = join(run.outDir, tb.sources[2]!);
    writeFileSync(tbFile, readFileSync(tbFile, 'utf8').replace(/constant OUT_ZERO : integer := -?\d+;/, `constant OUT_ZERO : integer := ${frequent};`));
    const count = atBounds(expected, recorded, frequent);
    expect(count).toBeLessThan(atBounds(expected, recorded, 0));
    const [r] = await simulate([tb], { outDir: run.outDir });
    expect(r!.mismatches).toBe(0);
    if (2 * count > recorded) expect(r!.saturated).toEqual({ outputs: count, of: recorded });
    else expect(r!.status, r!.message).toBe('pass');
  });
});
