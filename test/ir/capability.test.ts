/**
 * One capability check: what kiln cannot build is refused by build, sim and synth with the same message
 * (exit 2, nothing written), and `kiln estimate` prints that message as a warning and marks the layer.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { graph } from '../../src/index.js';
import { buildProblems, resolveDesign } from '../../src/ir/index.js';
import { configSource, kiln, project } from '../helpers.js';

const DOUBLE = `graph({ window: 4, features: 3, name: 'double' }, (g, x) => { const h = g.linear('h', x, { out: 4 }); return g.linear('head', g.add('twice', h, h), { out: 1 }); })`;
const MESSAGE = /'twice' reads 'h' on both operands, but a buffer has one read port/;

describe('capability check', () => {
  it('finds a layer that reads one buffer on both operands', () => {
    const design = resolveDesign({ device: 'xc7s15', model: graph({ window: 4, features: 3 }, (g, x) => { const h = g.linear('h', x, { out: 4 }); return g.add('twice', h, h); }) });
    expect(buildProblems(design).map((p) => p.path)).toEqual(['twice']);
  });

  for (const command of ['build', 'sim', 'synth']) {
    it(`kiln ${command} refuses it with the one message, exit 2, nothing written`, async () => {
      const dir = project({ 'fpga.config.mjs': configSource(`{ device: 'xc7s15', model: ${DOUBLE} }`) });
      const r = await kiln([command], dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/error\[KILN_E_UNSUPPORTED\]: model\.twice: /);
      expect(r.stderr).toMatch(MESSAGE);
      expect(r.stderr).not.toMatch(/internal error/);
      expect(existsSync(join(dir, 'build'))).toBe(false);
    });
  }

  it('kiln estimate warns with the same message and marks the layer as not buildable', async () => {
    const dir = project({ 'fpga.config.mjs': configSource(`{ device: 'xc7s15', model: ${DOUBLE} }`) });
    const r = await kiln(['estimate'], dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/warning\[KILN_W_NOT_BUILDABLE\]: model\.twice: /);
    expect(r.stderr).toMatch(MESSAGE);
    expect(r.stderr).toMatch(/twice\s+add \(!\)/);
    const json = await kiln(['estimate', '--json'], dir);
    const report = JSON.parse(json.stdout) as { buildable: boolean; layers: { path: string; notBuildable?: string }[] };
    expect(report.buildable).toBe(false);
    expect(report.layers.find((l) => l.path === 'twice')!.notBuildable).toMatch(MESSAGE);
    expect(report.layers.find((l) => l.path === 'h')!.notBuildable).toBeUndefined();
  });
});
