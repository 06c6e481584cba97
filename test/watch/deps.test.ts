/** The dependency scanner behind kiln watch: which files a config depends on. */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importSpecifiers, scanDependencies, stripComments } from '../../src/watch/deps.js';
import { project } from '../helpers.js';

describe('config dependencies', () => {
  it('finds local imports transitively, with the resolutions the loader accepts', () => {
    const dir = project({
      'fpga.config.ts': [
        "import { defineConfig, transformer } from 'kiln-fpga';",
        "import { dims } from './model/dims.js';", // .js specifier naming a .ts file
        "import type { Extra } from './types';",
        "export { helper } from './lib';", // folder with index.ts
        "import './side-effect.mjs';",
        "const lazy = () => import('./lazy');",
        "import fs from 'node:fs';",
        "import pkg from 'some-package';",
        '// import { gone } from "./commented-out";',
        '/* import { gone2 } from "./block-commented"; */',
        "export default defineConfig({ device: 'xc7s15', model: transformer(dims) });",
      ].join('\n'),
      'model/dims.ts': "import { base } from '../shared/base';\nexport const dims = { ...base, dModel: 16 };\n",
      'shared/base.mts': "export const base = { window: 8, inputFeatures: 2 };\n",
      'types.ts': 'export type Extra = number;\n',
      'lib/index.ts': "export const helper = 1;\n",
      'side-effect.mjs': '',
      'lazy.ts': "export default require('./cjs-helper.cjs');\n",
      'cjs-helper.cjs': 'module.exports = 1;\n',
      'commented-out.ts': '',
      'block-commented.ts': '',
    });
    const deps = scanDependencies(join(dir, 'fpga.config.ts'));
    expect(deps.modules.map((m) => m.slice(dir.length + 1))).toEqual(['cjs-helper.cjs', 'lazy.ts', 'lib/index.ts', 'model/dims.ts', 'shared/base.mts', 'side-effect.mjs', 'types.ts']);
    expect(deps.data).toEqual([]);
    expect(deps.missing).toEqual([]);
  });

  it('data files: imported JSON and relative paths to existing files in string literals', () => {
    const dir = project({
      'fpga.config.ts': [
        "import { readFileSync } from 'node:fs';",
        "import dims from './dims.json';",
        "const calib = JSON.parse(readFileSync(new URL('./data/calibration.json', import.meta.url), 'utf8'));",
        "const notAFile = './nowhere.csv';",
        'export default { device: "xc7s15", model: dims, calib };',
      ].join('\n'),
      'dims.json': '{"window": 8}',
      'data/calibration.json': '[]',
    });
    const deps = scanDependencies(join(dir, 'fpga.config.ts'));
    expect(deps.modules).toEqual([]);
    expect(deps.data.map((m) => m.slice(dir.length + 1))).toEqual(['data/calibration.json', 'dims.json']);
  });

  it('an import that does not resolve yet is reported with the paths that would satisfy it', () => {
    const dir = project({ 'fpga.config.ts': "import { dims } from './dims';\nexport default dims;\n" });
    const deps = scanDependencies(join(dir, 'fpga.config.ts'));
    expect(deps.modules).toEqual([]);
    expect(deps.missing).toHaveLength(1);
    expect(deps.missing[0]!.specifier).toBe('./dims');
    expect(deps.missing[0]!.candidates).toContain(join(dir, 'dims.ts'));
    expect(deps.missing[0]!.candidates).toContain(join(dir, 'dims', 'index.ts'));
  });

  it('survives a config with a syntax error, and import cycles', () => {
    const dir = project({
      'fpga.config.ts': "import { a } from './a';\nexport default defineConfig({ oops\n",
      'a.ts': "import { b } from './b';\nexport const a = 1;\n",
      'b.ts': "import { a } from './a';\nexport const b = a;\n",
    });
    expect(scanDependencies(join(dir, 'fpga.config.ts')).modules.map((m) => m.slice(dir.length + 1))).toEqual(['a.ts', 'b.ts']);
  });

  it('specifier syntax: multi-line imports, export * from, strings that look like comments', () => {
    const source = [
      'import {',
      '  a,',
      '  b,',
      "} from './multi';",
      "export * from './star';",
      "const url = 'http://example.com'; import { c } from './after-url';",
    ].join('\n');
    expect(importSpecifiers(source).sort()).toEqual(['./after-url', './multi', './star']);
    expect(stripComments("const s = '// not a comment'; // a comment")).toBe("const s = '// not a comment'; ");
  });
});
