/** Every example config builds with the binary's code path and fits its device. */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kiln, ROOT, tempDir } from '../helpers.js';

const examples = readdirSync(join(ROOT, 'examples'));

describe('examples', () => {
  it('exist', () => expect(examples.length).toBeGreaterThanOrEqual(4));
  for (const name of examples) {
    it(`${name} builds and fits`, async () => {
      const r = await kiln(['build', '--config', join(ROOT, 'examples', name, 'fpga.config.ts'), '--out', tempDir()], ROOT);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(/; fits xc7s/);
    });
  }
});
