import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/dsl/load.js';
import { resolveDesign } from '../../src/ir/index.js';
import { configSource, kiln, project } from '../helpers.js';

const MODEL = `transformer({ window: 8, inputFeatures: 2, dModel: 8 })`;

describe('config loading', () => {
  it('loads a TypeScript config that imports local modules (transitively)', async () => {
    const dir = project({
      'dims.ts': `import { base } from './base';\nexport const dims = { ...base, dModel: 16 } as const;\n`,
      'base.ts': `export const base = { window: 12, inputFeatures: 3 } satisfies Record<string, number>;\n`,
      'fpga.config.ts': `import { defineConfig, transformer } from 'kiln-fpga';\nimport { dims } from './dims';\nexport default defineConfig({ device: 'xc7s15', model: transformer(dims) });\n`,
    });
    const loaded = await loadConfig({ cwd: dir });
    expect(loaded.filepath).toMatch(/fpga\.config\.ts$/);
    expect(resolveDesign(loaded.config).layers[0]!.output.shape).toEqual([12, 3]);
  });

  it.each(['fpga.config.mts', 'fpga.config.js', 'fpga.config.mjs'])('finds %s', async (name) => {
    const dir = project({ 'package.json': '{"name":"x","type":"module"}', [name]: configSource(`{ device: 'xc7s15', model: ${MODEL} }`) });
    const loaded = await loadConfig({ cwd: dir });
    expect(loaded.filepath.endsWith(name)).toBe(true);
  });

  it('reads a "fpga" key in package.json with a data-only model', async () => {
    const dir = project({
      'package.json': JSON.stringify({ name: 'x', fpga: { device: 'xc7s25', model: { transformer: { window: 8, inputFeatures: 2, dModel: 8 } } } }),
    });
    const r = await kiln(['estimate', '--json'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).device.id).toBe('xc7s25');
  });

  it('takes --config over the search and calls a function export with the command env', async () => {
    const dir = project({
      'fpga.config.ts': configSource(`{ device: 'xc7s6', model: ${MODEL} }`),
      'other.config.ts': configSource(`(env) => ({ device: env.command === 'estimate' ? 'xc7s50' : 'xc7s6', model: ${MODEL} })`),
    });
    const r = await kiln(['estimate', '--json', '--config', 'other.config.ts'], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).device.id).toBe('xc7s50');
  });

  it('reloads a changed config instead of serving a cached module', async () => {
    const dir = project({ 'fpga.config.mjs': configSource(`{ device: 'xc7s6', model: ${MODEL} }`) });
    expect(((await loadConfig({ cwd: dir })).config as { device: string }).device).toBe('xc7s6');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(`${dir}/fpga.config.mjs`, configSource(`{ device: 'xc7s100', model: ${MODEL} }`));
    expect(((await loadConfig({ cwd: dir })).config as { device: string }).device).toBe('xc7s100');
  });
});
