import { describe, expect, it } from 'vitest';
import { isKilnError } from '../../src/dsl/diagnostics.js';
import { loadConfig } from '../../src/dsl/load.js';
import { FullTransformNeeded, fastTransform } from '../../src/dsl/transpile.js';
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

  describe('transform', () => {
    it('takes plain TypeScript with sucrase: types, enums, satisfies, type-only imports', () => {
      const source = `import type { KilnConfig } from 'kiln-fpga';\nimport { defineConfig } from 'kiln-fpga';\nenum Bits { Low = 4 }\nconst c = { weightBits: Bits.Low } satisfies Record<string, number>;\nexport default defineConfig({ c } as unknown as KilnConfig);\n`;
      const { code } = fastTransform({ source, filename: '/x/fpga.config.ts', ts: true });
      expect(code).toContain('require(\'kiln-fpga\')');
      expect(code).not.toMatch(/satisfies|import type|KilnConfig\b.*from/);
      // Lines are kept, so stack traces point at the right line of the config.
      expect(code.split('\n').findIndex((l) => l.includes('Bits.Low'))).toBe(3);
    });

    it.each([
      ['import.meta', `const u = import.meta.url;\nexport default {};\n`],
      ['a dynamic import()', `export default await import('./x');\n`],
      ['a syntax error', `export default { device: ;\n`],
    ])('hands %s over to the full transform', (_what, source) => {
      expect(() => fastTransform({ source, filename: '/x/fpga.config.ts', ts: true })).toThrow(FullTransformNeeded);
    });

    it('loads configs that need the full transform: import.meta, dynamic import(), top-level await', async () => {
      const dir = project({
        'dims.json': JSON.stringify({ window: 10, inputFeatures: 3, dModel: 8 }),
        'layers.ts': `export const encoderLayers: number = 2;\n`,
        'fpga.config.ts': [
          `import { readFileSync } from 'node:fs';`,
          `import { defineConfig, transformer } from 'kiln-fpga';`,
          `const dims = JSON.parse(readFileSync(new URL('./dims.json', import.meta.url), 'utf8'));`,
          `const { encoderLayers } = await import('./layers');`,
          `export default defineConfig({ device: 'xc7s15', model: transformer({ ...dims, encoderLayers }) });`,
        ].join('\n'),
      });
      const design = resolveDesign((await loadConfig({ cwd: dir })).config);
      expect(design.layers[0]!.output.shape).toEqual([10, 3]);
      expect(design.layers.some((l) => l.path.startsWith('encoder.1.'))).toBe(true);
    });

    it('reports a syntax error in an imported helper at its file and line', async () => {
      const dir = project({
        'helper.ts': `export const dims = {\n  window: 8,\n  inputFeatures: ,\n};\n`,
        'fpga.config.ts': `import { defineConfig, transformer } from 'kiln-fpga';\nimport { dims } from './helper';\nexport default defineConfig({ device: 'xc7s15', model: transformer({ ...dims, dModel: 8 }) });\n`,
      });
      const err = await loadConfig({ cwd: dir }).catch((e: unknown) => e);
      expect(isKilnError(err)).toBe(true);
      const d = (err as { diagnostics: { code: string; loc?: { file: string; line: number } }[] }).diagnostics[0]!;
      expect(d.code).toBe('KILN_E_CONFIG_LOAD');
      expect(d.loc?.file).toMatch(/helper\.ts$/);
      expect(d.loc?.line).toBe(3);
    });
  });
});
