/** `kiln search --write N`: the point lands in the config's `layers:`, formatting and comments kept, and a rebuild gives its estimate. */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kiln, project } from '../helpers.js';

const MODEL = `transformer({ window: 8, inputFeatures: 3, dModel: 8, heads: 2, ffnDim: 16 })`;

/** A config written the way people do: comments everywhere, tabs, double quotes, a pinned layer. */
const UNUSUAL = `// my forecaster
import { defineConfig, transformer } from "kiln-fpga";

const model = ${MODEL.replace(/'/g, '"')};

export default defineConfig({
\tdevice: "xc7s15", // the board we have
\tmodel,
\t/* pinned: the output layer stays 8-bit */
\tlayers: {
\t\t"output_linear": { weightBits: 8, outputBits: 8 }, // keep
\t},
\tweights: { seed: 5 }
});
`;

async function searchAndWrite(dir: string, point: number) {
  const s = await kiln(['search', '--evaluations', '30', '--json'], dir);
  expect(s.code, s.stderr).toBe(0);
  const doc = JSON.parse(s.stdout) as { front: { index: number; lut: number; ff: number; lutram: number; bram18: number; dsp: number; cycles: number; settings: Record<string, object> }[] };
  const p = doc.front[Math.min(point, doc.front.length - 1)]!;
  const w = await kiln(['search', '--write', String(p.index)], dir);
  return { p, w };
}

describe('kiln search --write', () => {
  it('round-trips on a config with comments, tabs and double quotes: the rebuild gives the point exactly', async () => {
    const dir = project({ 'fpga.config.ts': UNUSUAL });
    const { p, w } = await searchAndWrite(dir, 1);
    expect(w.code, w.stderr).toBe(0);
    const text = readFileSync(join(dir, 'fpga.config.ts'), 'utf8');
    for (const kept of ['// my forecaster', '// the board we have', '/* pinned: the output layer stays 8-bit */', '"output_linear": { weightBits: 8, outputBits: 8 }, // keep', 'import { defineConfig, transformer } from "kiln-fpga";']) expect(text).toContain(kept);
    expect(text).not.toMatch(/'/); // the file's double quotes
    expect(text).toMatch(/\n\t\t(?!"output_linear")["\w.]+: \{/); // its tabs
    expect(text).not.toMatch(/\n {2}\S/);
    const e = await kiln(['estimate', '--json'], dir);
    const report = JSON.parse(e.stdout) as { total: Record<string, number> };
    expect({ lut: report.total.lut, ff: report.total.ff, lutram: report.total.lutram, bram18: report.total.bram18, dsp: report.total.dsp, cycles: report.total.cycles }).toEqual({ lut: p.lut, ff: p.ff, lutram: p.lutram, bram18: p.bram18, dsp: p.dsp, cycles: p.cycles });
    expect(p.settings['output_linear']).toBeUndefined();
  });

  it('creates layers: when the config has none, keeping its trailing commas', async () => {
    const dir = project({ 'fpga.config.ts': `import { defineConfig, transformer } from 'kiln-fpga';\n\nexport default defineConfig({\n  device: 'xc7s15',\n  model: ${MODEL},\n  weights: { seed: 5 },\n});\n` });
    const { w } = await searchAndWrite(dir, 2);
    expect(w.code, w.stderr).toBe(0);
    const text = readFileSync(join(dir, 'fpga.config.ts'), 'utf8');
    expect(text).toMatch(/\n {2}weights: \{ seed: 5 \},\n {2}layers: \{\n {4}/);
    expect(text).toMatch(/\n {2}\},\n\}\);\n$/);
  });

  it('refuses a computed config or layers: object, and a config edited since the search, leaving the file as it was', async () => {
    const computed = `import { defineConfig, transformer } from 'kiln-fpga';\nconst settings = () => ({});\nexport default defineConfig({ device: 'xc7s15', model: ${MODEL}, layers: settings(), weights: { seed: 5 } });\n`;
    const dir = project({ 'fpga.config.ts': computed });
    const { w } = await searchAndWrite(dir, 0);
    expect(w.code).toBe(2);
    expect(w.stderr).toMatch(/error\[KILN_E_SEARCH_WRITE\]: layers: `layers:` is computed, not an object literal/);
    expect(w.stderr).toMatch(/fpga\.config\.ts:3:1/);
    expect(readFileSync(join(dir, 'fpga.config.ts'), 'utf8')).toBe(computed);

    const dir2 = project({ 'fpga.config.ts': `import { defineConfig, transformer } from 'kiln-fpga';\nexport default defineConfig({ device: 'xc7s15', model: ${MODEL}, weights: { seed: 5 } });\n` });
    expect((await kiln(['search', '--evaluations', '20'], dir2)).code).toBe(0);
    writeFileSync(join(dir2, 'fpga.config.ts'), readFileSync(join(dir2, 'fpga.config.ts'), 'utf8') + '// edited\n');
    const stale = await kiln(['search', '--write', '0', '--json'], dir2);
    expect(stale.code).toBe(2);
    expect(JSON.parse(stale.stdout).diagnostics[0].message).toMatch(/changed since the search/);
    const missing = await kiln(['search', '--write', '99'], project({ 'fpga.config.ts': computed }));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/no search to apply/);
  });
});
