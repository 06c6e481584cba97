/**
 * Where diagnostics point (issue 9, item 9): 1-based columns, the user's own columns on line 1 (not those of
 * the transpiled module inside jiti's wrapper), a duplicate graph layer at the duplicate's call, "no default
 * export" when that is the problem, and syntax errors at the right line with a code frame.
 */
import { describe, expect, it } from 'vitest';
import { codeFrame } from '../../src/dsl/locate.js';
import { kiln, project } from '../helpers.js';

type Diag = { code: string; message: string; loc?: { file: string; line: number; column: number } };

async function diagnostics(files: Record<string, string>): Promise<{ human: string; diags: Diag[] }> {
  const dir = project(files);
  const human = await kiln(['build'], dir);
  expect(human.code, human.stderr).toBe(2);
  const machine = await kiln(['build', '--json'], dir);
  return { human: human.stderr, diags: (JSON.parse(machine.stdout) as { diagnostics: Diag[] }).diagnostics };
}

describe('diagnostic locations', () => {
  it('parse errors have 1-based columns', async () => {
    // `;` is the unexpected token: line 2, column 49 counting from 1.
    const { diags } = await diagnostics({ 'fpga.config.ts': `import { defineConfig } from 'kiln-fpga';\nexport default defineConfig({ device: 'xc7s15', ;\n` });
    expect(diags[0]).toMatchObject({ code: 'KILN_E_CONFIG_LOAD', loc: { line: 2, column: 49 } });
  });

  it('an error on line 1 is reported at the column of the original source', async () => {
    // The transpiled line 1 starts with jiti's wrapper and the module prologue; `new Error` is at column 49 here.
    const source = `import { defineConfig } from 'kiln-fpga'; throw new Error('line one');\nexport default defineConfig({});\n`;
    const { diags } = await diagnostics({ 'fpga.config.ts': source });
    expect(diags[0]!.message).toMatch(/failed: line one/);
    expect(diags[0]!.loc).toMatchObject({ line: 1, column: source.indexOf('new Error') + 1 });
  });

  it('columns after a rewritten import are the original ones too', async () => {
    const source = `import { defineConfig, transformer } from 'kiln-fpga';\nexport default defineConfig({ device: 'xc7s15', model: transformer(undefined as never).nope() });\n`;
    const { diags } = await diagnostics({ 'fpga.config.ts': source });
    expect(diags[0]!.loc).toMatchObject({ line: 2, column: source.split('\n')[1]!.indexOf('nope') + 1 });
  });

  it('a duplicate graph layer is reported at the duplicate, not at model:', async () => {
    const source = [
      `import { defineConfig, graph } from 'kiln-fpga';`,
      `export default defineConfig({`,
      `  device: 'xc7s15',`,
      `  model: graph({ window: 8, features: 4 }, (g, x) => {`,
      `    const a = g.linear('fc', x, { out: 8 });`,
      `    const b = g.relu('act', a);`,
      `    return g.linear('fc', b, { out: 1 });`,
      `  }),`,
      `});`,
    ].join('\n');
    const { diags, human } = await diagnostics({ 'fpga.config.ts': source });
    expect(diags[0]).toMatchObject({ code: 'KILN_E_GRAPH', message: "duplicate layer path 'fc'", loc: { line: 7, column: 14 } });
    expect(human).toMatch(/--> fpga\.config\.ts:7:14\n/);
  });

  it('a config with only named exports says it has no default export', async () => {
    const { diags, human } = await diagnostics({ 'fpga.config.ts': `export const x = 1;\n` });
    expect(diags).toHaveLength(1);
    expect(diags[0]).toMatchObject({ code: 'KILN_E_CONFIG_LOAD', message: "the config has no default export (it exports 'x')", loc: { line: 1, column: 1 } });
    expect(human).not.toMatch(/unknown config key/);
    expect(human).toMatch(/hint: export default defineConfig/);
  });

  it('a missing comma on line 11 is reported on line 11, with a code frame', async () => {
    const lines = [
      `import { defineConfig, transformer } from 'kiln-fpga';`,
      ``,
      `// The research model.`,
      `export default defineConfig({`,
      `  device: 'xc7s15',`,
      `  model: transformer({`,
      `    window: 24,`,
      `    inputFeatures: 7,`,
      `    dModel: 16,`,
      `  }),`,
      `  clockMHz: 100 // MHz`,
      `  defaults: { weightBits: 8 },`,
      `});`,
    ];
    const { diags, human } = await diagnostics({ 'fpga.config.ts': lines.join('\n') + '\n' });
    expect(diags[0]).toMatchObject({ code: 'KILN_E_CONFIG_LOAD', message: expect.stringMatching(/syntax error: expected ","$/), loc: { line: 11, column: 16 } });
    expect(human).toContain(
      ['  --> fpga.config.ts:11:16', '     |', '   9 |     dModel: 16,', '  10 |   }),', '  11 |   clockMHz: 100 // MHz', '     |                ^'].join('\n'),
    );
  });

  it('code frames keep tabs under tabs and clip long lines', () => {
    expect(codeFrame('a\n\tb = ;\n', 2, 6)).toBe(['  |', '1 | a', '2 | \tb = ;', '  | \t    ^'].join('\n'));
    expect(codeFrame('x'.repeat(300), 1, 2).split('\n')[1]!.length).toBeLessThan(170);
    expect(codeFrame('one line', 5, 1)).toBe('');
  });
});
