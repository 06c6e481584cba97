/**
 * The ways a config module can hand over its config, each read the way Node would read it: a default export,
 * `module.exports` holding the config, a function or a Promise; `import('kiln-fpga')`; and a reload of an edited
 * module in the same config worker (watch mode) sees the edit, whatever its extension.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/dsl/load.js';
import { ConfigSandbox } from '../../src/dsl/sandbox.js';
import { resolveDesign } from '../../src/ir/index.js';
import { project } from '../helpers.js';

const sandbox = new ConfigSandbox();
afterAll(() => sandbox.close());

const MODEL = `transformer({ window: 4, inputFeatures: 2, dModel: 4 })`;
const load = (dir: string, file: string) => loadConfig({ cwd: dir, configPath: file, sandbox });
const deviceOf = async (dir: string, file: string) => resolveDesign((await load(dir, file)).config).device.id;

describe('config module forms', () => {
  const forms: [string, string, string][] = [
    ['module.exports = (env) => config', 'fpga.config.cjs', `const { transformer } = require('kiln-fpga');\nmodule.exports = (env) => ({ device: 'xc7s25', model: ${MODEL} });\n`],
    ['module.exports = a Promise', 'fpga.config.cjs', `const { transformer } = require('kiln-fpga');\nmodule.exports = Promise.resolve({ device: 'xc7s25', model: ${MODEL} });\n`],
    ['module.exports = { … }', 'fpga.config.cjs', `const { transformer } = require('kiln-fpga');\nmodule.exports = { device: 'xc7s25', model: ${MODEL} };\n`],
    ["import('kiln-fpga') in an ES module", 'c.mjs', `export default import('kiln-fpga').then(({ transformer }) => ({ device: 'xc7s25', model: ${MODEL} }));\n`],
    ["import('kiln-fpga') in TypeScript", 'c.ts', `export default async () => {\n  const { transformer } = await import('kiln-fpga');\n  return { device: 'xc7s25' as const, model: ${MODEL} };\n};\n`],
  ];
  for (const [what, file, source] of forms) {
    it(what, async () => {
      const dir = project({ [file]: source });
      expect(await deviceOf(dir, file)).toBe('xc7s25');
    });
  }

  for (const file of ['c.mjs', 'c.ts', 'c.cjs', 'c.js']) {
    it(`a reload of an edited ${file} in the same worker sees the edit`, async () => {
      const body = (device: string) =>
        file === 'c.cjs' ? `module.exports = { device: '${device}' };\n` : `export default { device: '${device}' };\n`;
      const dir = project({ [file]: body('xc7s6'), 'package.json': '{"name":"t","type":"module"}' });
      const deviceIn = async () => ((await load(dir, file)).config as { device: string }).device;
      expect(await deviceIn()).toBe('xc7s6');
      writeFileSync(join(dir, file), body('xc7s50'));
      expect(await deviceIn()).toBe('xc7s50');
    });
  }
});
