/** `kiln search` on the command line: usage errors, a front written as search.json and search.md, --json. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSource, kiln, project } from '../helpers.js';

const SMALL = configSource(`{ device: 'xc7s15', model: transformer({ window: 8, inputFeatures: 3, dModel: 8, heads: 2, ffnDim: 16 }), weights: { seed: 5 } }`);

describe('kiln search', () => {
  it('refuses bad options with a usage error, exit 2, and a kiln-error document under --json', async () => {
    const dir = project({ 'fpga.config.ts': SMALL });
    for (const args of [['--time', '0'], ['--time', '-1'], ['--time', 'abc'], ['--evaluations', '2.5'], ['--objectives', 'lut,speed'], ['--objectives', 'lut'], ['--bits', '1-8'], ['--bits', '4,x'], ['--seed', '-3']]) {
      const r = await kiln(['search', ...args, '--json'], dir);
      expect(r.code, args.join(' ')).toBe(2);
      const doc = JSON.parse(r.stdout) as { schema: string; diagnostics: { code: string; message: string }[] };
      expect(doc.schema).toBe('kiln-error');
      expect(doc.diagnostics[0]!.code).toBe('KILN_E_USAGE');
      expect(r.stderr).not.toMatch(/internal error/);
    }
    expect(existsSync(join(dir, 'build'))).toBe(false);
  });

  it('prints a front of fitting points and writes search.json and search.md', async () => {
    const dir = project({ 'fpga.config.ts': SMALL });
    const r = await kiln(['search', '--evaluations', '40', '--json'], dir);
    expect(r.code, r.stderr).toBe(0);
    const doc = JSON.parse(r.stdout) as { schema: string; front: { fits: boolean; rmse: number; lut: number; settings: Record<string, object> }[]; evaluations: number; accuracy: { on: string } };
    expect(doc.schema).toBe('kiln-search');
    expect(doc.evaluations).toBe(40);
    expect(doc.front.length).toBeGreaterThan(1);
    expect(doc.front.every((p) => p.fits)).toBe(true);
    expect(doc.accuracy.on).toMatch(/synthetic windows/);
    expect(JSON.parse(readFileSync(join(dir, 'build', 'search.json'), 'utf8'))).toEqual(doc);
    expect(readFileSync(join(dir, 'build', 'search.md'), 'utf8')).toMatch(/^## kiln search: transformer on/);
    expect(r.stderr).toMatch(/\[search\] done: 40\/40 evaluations/);
  });

  it('exits 1 naming the blocking resource when nothing fits', async () => {
    const dir = project({ 'fpga.config.ts': configSource(`{ device: 'xc7s6', budget: { lut: 0.05 }, model: transformer({ window: 8, inputFeatures: 3, dModel: 8, heads: 2, ffnDim: 16 }), weights: { seed: 5 } }`) });
    const r = await kiln(['search', '--evaluations', '20'], dir);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stderr).toMatch(/no candidate fits the budget; even all layers at 2 bits are over on LUT by \d+/);
  });
});
