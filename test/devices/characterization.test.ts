/**
 * The counting rules against the characterization sweep (bench/characterize.ts, data in
 * bench/characterization/data.json): every point synthesized alone must have exactly the BRAM18, DSP48E1 and
 * LUTRAM count the rules give, and the constant products of addresses the LUTs they give. No tools: the data
 * is committed, and `npm run bench:characterize` remeasures it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { pointName, ruleCount, type Data } from '../../bench/characterize.js';
import { setBits } from '../../src/engines/_shared/blocks.js';
import { ROOT } from '../helpers.js';

const data = JSON.parse(readFileSync(join(ROOT, 'bench', 'characterization', 'data.json'), 'utf8')) as Data;
const measured = data.points.filter((p) => p.synthesized !== undefined);

describe('counting rules against the characterization sweep', () => {
  it('has data, and every point synthesized', () => {
    expect(Object.keys(data.runs).length).toBeGreaterThan(0);
    expect(data.points.filter((p) => p.error).map((p) => `${pointName(p.point)}: ${p.error}`)).toEqual([]);
  });

  for (const family of Object.keys(data.runs)) {
    const points = measured.filter((p) => p.point.family === family);
    it(`${family}: BRAM18, DSP and LUTRAM exact on all ${points.length} points`, () => {
      const wrong = points.flatMap((p) => {
        const rule = ruleCount(p.point);
        return (['bram18', 'dsp', 'lutram'] as const).filter((k) => rule[k] !== p.synthesized![k]).map((k) => `${pointName(p.point)} ${k}: rule ${rule[k]}, synthesized ${p.synthesized![k]}`);
      });
      expect(wrong).toEqual([]);
    });
  }

  // LUTs are modelled (and calibrated), not counted; the address products are modelled closely enough to test:
  // the usual factors (two set bits) exactly, three set bits within 4 LUTs, more within half (or 16 LUTs).
  it('address products: LUTs exact for constants with two set bits, close with more', () => {
    const addresses = measured.filter((p) => p.point.family === 'address');
    for (const p of addresses) {
      if (p.point.family !== 'address') continue;
      const rule = ruleCount(p.point).lut;
      const lut = p.synthesized!.lut;
      if (setBits(p.point.coefficient) <= 2) expect(rule, pointName(p.point)).toBe(lut);
      else if (setBits(p.point.coefficient) === 3) expect(Math.abs(rule - lut), `${pointName(p.point)}: rule ${rule}, synthesized ${lut}`).toBeLessThanOrEqual(4);
      else expect(Math.abs(rule - lut), `${pointName(p.point)}: rule ${rule}, synthesized ${lut}`).toBeLessThanOrEqual(Math.max(16, 0.5 * lut));
    }
  });
});

describe('multipliers against the characterization sweep', () => {
  const multipliers = measured.filter((p) => p.point.family === 'mul');

  // The LUT multiplier table is derived from these points (a line in a per width b), so this pins the
  // derivation: a rule that ignored the data, or a table off by a row, fails here.
  it('LUTs of multipliers in LUTs within 1 % (or 2 LUTs) of every point; FFs exact', () => {
    const wrong = multipliers.flatMap((p) => {
      const rule = ruleCount(p.point);
      const s = p.synthesized!;
      return Math.abs(rule.lut - s.lut) > Math.max(2, 0.01 * s.lut) || rule.ff !== s.ff ? [`${pointName(p.point)}: rule ${rule.lut} LUT ${rule.ff} FF, synthesized ${s.lut} LUT ${s.ff} FF`] : [];
    });
    expect(wrong).toEqual([]);
  });

  it('the LUT multiplier table is what the committed data derives', async () => {
    const { deriveMultiplierRules } = await import('../../bench/characterize.js');
    const { LUT_MULTIPLIER_ROWS, LUT_MULTIPLIER_SURFACE, SMALL_PRODUCT_LUTS } = await import('../../src/devices/characterized.generated.js');
    const derived = deriveMultiplierRules(data);
    expect(LUT_MULTIPLIER_ROWS).toEqual(derived.rows);
    expect(LUT_MULTIPLIER_SURFACE).toEqual(derived.surface);
    expect(SMALL_PRODUCT_LUTS).toEqual(derived.small);
  });
});

describe('one-entry memories', () => {
  // Not in the sweep (it starts at two entries): measured in the calibration models, where every output layer's
  // 1 × 18 bias ROM synthesized to nothing (a constant) and was 18 flip-flops over when counted as a table.
  it('a one-entry ROM is a constant: no LUT, no flip-flop, no block', () => {
    for (const storage of ['logic', 'bram'] as const) expect(ruleCount({ family: 'rom', storage, depth: 1, width: 18 })).toEqual({ lut: 0, ff: 0, lutram: 0, bram18: 0, dsp: 0 });
    expect(ruleCount({ family: 'ram', storage: 'bram', depth: 1, width: 8 })).toEqual({ lut: 0, ff: 16, lutram: 0, bram18: 0, dsp: 0 });
  });
});
