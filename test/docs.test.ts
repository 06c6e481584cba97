/**
 * Drift the docs cannot hide: every repository path cited in the README, docs/, comments and tests exists, and
 * docs/report-schema.md documents exactly the fields report.json has.
 */
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';

function files(dir: string, ext: RegExp): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (name === 'node_modules' || name === 'dist' || name.startsWith('.')) return [];
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p, ext) : ext.test(name) ? [p] : [];
  });
}

const PATH = /(?<![\w/.-])((?:src|test|bench|docs|examples)\/[\w./<>-]*[\w>])/g;

describe('docs and comments', () => {
  it('cite only files and folders that exist', () => {
    const sources = [join(ROOT, 'README.md'), ...files(join(ROOT, 'docs'), /\.md$/), ...files(join(ROOT, 'src'), /\.ts$/), ...files(join(ROOT, 'test'), /\.ts$/), ...files(join(ROOT, 'bench'), /\.(ts|md)$/)];
    const missing: string[] = [];
    for (const file of sources) {
      const text = readFileSync(file, 'utf8');
      for (const m of text.matchAll(PATH)) {
        const cited = m[1]!.replace(/[.)]+$/, '');
        // a pattern such as src/kinds/<kind>/, bench/results/estimator.* or incremental.{md,json}
        if (cited.includes('<') || /^\.[*{]/.test(text.slice(m.index! + m[1]!.length))) continue;
        if (!existsSync(join(ROOT, cited))) missing.push(`${relative(ROOT, file)}: ${cited}`);
      }
    }
    expect(missing).toEqual([]);
  });
});

/** Keys at every object path of a JSON value (array elements merged), e.g. `layers[].buffer.storage`. */
function keyPaths(value: unknown, prefix = '', out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) for (const v of value) keyPaths(v, `${prefix}[]`, out);
  else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const p = prefix ? `${prefix}.${k}` : k;
      out.add(p);
      keyPaths(v, p, out);
    }
  }
  return out;
}

describe('docs/report-schema.md', () => {
  it('documents exactly the fields report.json has (fields marked "only …" may be absent)', async () => {
    const doc = readFileSync(join(ROOT, 'docs', 'report-schema.md'), 'utf8');
    const block = doc.slice(doc.indexOf('```jsonc\n') + 9, doc.indexOf('```', doc.indexOf('```jsonc\n') + 9));
    const optional = new Set<string>();
    // Parse the jsonc: drop comments (remembering the keys whose comment says "only"), then the "…" placeholders are strings.
    const lines = block.split('\n').map((line) => {
      const at = line.indexOf('//');
      if (at < 0) return line;
      const key = /"(\w+)":/.exec(line.slice(0, at).trim().split(/,\s*(?=")/).at(0) ?? '')?.[1];
      if (key && /^\/\/ only\b/.test(line.slice(at))) optional.add(key);
      return line.slice(0, at);
    });
    const documented = keyPaths(JSON.parse(lines.join('\n')));
    // The default config: a trained model with data, so the weights file, data and accuracy fields are there.
    const { evaluateProject } = await import('../src/build/index.js');
    const report = (await evaluateProject({ configPath: join(ROOT, 'fpga.config.ts'), cwd: ROOT })).report;
    const actual = keyPaths(JSON.parse(JSON.stringify(report)));
    expect([...actual].filter((k) => !documented.has(k)), 'fields report.json has that the doc lacks').toEqual([]);
    const leaf = (k: string) => k.split('.').at(-1)!;
    expect([...documented].filter((k) => !actual.has(k) && !optional.has(leaf(k)) && ![...optional].some((o) => k.includes(`.${o}.`) || k.startsWith(`${o}.`))), 'documented fields report.json lacks').toEqual([]);
  });
});
