/** The stat -json parser on outputs recorded from yosys 0.23 (synth_xilinx of kiln layers). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { countCells, parseStatJson } from '../../src/synth/index.js';
import { ROOT } from '../helpers.js';

const fixture = (name: string) => readFileSync(join(ROOT, 'test', 'synth', 'fixtures', `${name}.stat.json`), 'utf8');

describe('stat -json counting', () => {
  it('counts a linear layer with BRAM buffers and a DSP multiplier', () => {
    const c = parseStatJson(fixture('fc1'), 'encoder_0_ffn_fc1');
    // LUT2 13 + LUT3 13 + LUT4 43 + LUT5 25 + LUT6 31 + INV 58
    expect(c).toMatchObject({ lut: 183, lutram: 0, ff: 70, bram18: 2, dsp: 1, carry4: 39, inv: 58, latches: 0 });
  });

  it('counts the LUTs inside LUT-RAM cells as LUT and as LUTRAM', () => {
    const c = parseStatJson(fixture('pool'), 'pool');
    // RAM32M 2 → 8 LUTRAM LUTs; logic LUTs 18 + 12 + 2 + 14 + 46 + INV 39 = 131
    expect(c).toMatchObject({ lut: 131 + 8, lutram: 8, ff: 43, bram18: 0, dsp: 1 });
  });

  it('counts the flattened whole model', () => {
    const c = parseStatJson(fixture('transformer'), 'transformer');
    expect(c.bram18).toBe(20);
    expect(c.dsp).toBe(16);
    expect(c.ff).toBe(1167 + 9);
    expect(c.lutram).toBe(4 * (5 + 9));
    expect(c.lut).toBe(1 + 538 + 433 + 542 + 237 + 738 + 769 + 56);
  });

  it('counts RAMB36 as two BRAM18, latches, and ignores $scopeinfo', () => {
    const c = countCells({ RAMB36E1: 3, RAMB18E1: 1, LDCE: 2, $scopeinfo: 5, RAM64X1S: 3, SRLC32E: 1, FDCE: 4 });
    expect(c).toMatchObject({ bram18: 7, latches: 2, lutram: 4, lut: 4, ff: 4 });
    expect(c.cells.$scopeinfo).toBeUndefined();
  });

  it('refuses cells it does not know how to count', () => {
    expect(() => countCells({ LUT6: 1, URAM288: 1 })).toThrow(/URAM288/);
  });
});
