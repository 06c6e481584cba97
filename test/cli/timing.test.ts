/**
 * Timing sanity: clockMHz above the part's global clock limit (FMAX_BUFG of its speed grade, DS189) warns on
 * every estimate and build, and exits 1 under --strict; report.json says so in `timing`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEVICES } from '../../src/devices/index.js';
import { checkClock } from '../../src/devices/timing.js';
import { kiln, project } from '../helpers.js';
import { config } from '../watch/_helpers.js';

describe('clockMHz against the part', () => {
  it('every Spartan-7 part of the database is speed grade -2, limited to 628 MHz by its global clock buffers', () => {
    for (const d of Object.values(DEVICES)) {
      expect(d.part.endsWith('-2'), d.id).toBe(true);
      expect(d.clockLimit).toMatchObject({ speedGrade: '-2', maxMHz: 628 });
    }
    expect(checkClock(DEVICES.xc7s15, 628).withinLimit).toBe(true);
    expect(checkClock(DEVICES.xc7s15, 628.5).withinLimit).toBe(false);
  });

  it('clockMHz: 1000 warns and still exits 0; --strict exits 1; report.json records it', async () => {
    const dir = project({ 'fpga.config.ts': config('clockMHz: 1000') });
    const plain = await kiln(['estimate'], dir);
    expect(plain.code).toBe(0);
    expect(plain.stderr).toMatch(/kiln: warning: clockMHz 1000 is above the xc7s50's global clock limit, 628 MHz at speed grade -2 \(DS189 v1\.10 .*Table 32.*\): no design runs at that clock on this part/);
    expect((await kiln(['estimate', '--strict'], dir)).code).toBe(1);
    const json = await kiln(['estimate', '--json'], dir);
    expect(JSON.parse(json.stdout).timing).toMatchObject({ clockMHz: 1000, limitMHz: 628, speedGrade: '-2', withinLimit: false });
    const built = await kiln(['build', '--strict'], dir);
    expect(built.code).toBe(1);
    expect(built.stderr).toMatch(/kiln: warning: clockMHz 1000 is above/);
    expect(JSON.parse(readFileSync(join(dir, 'build', 'report.json'), 'utf8')).timing.withinLimit).toBe(false);
  });

  it('a clock within the limit says nothing, also under --strict', async () => {
    const dir = project({ 'fpga.config.ts': config('clockMHz: 200') });
    const r = await kiln(['estimate', '--strict'], dir);
    expect(r.code).toBe(0);
    expect(r.stderr).not.toMatch(/warning/);
  });
});
