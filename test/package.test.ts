/**
 * What `npm pack` ships: the license, the docs the CLI's help points to, no source maps that point at sources
 * the package does not contain, and only dependencies the code imports.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { COMMANDS } from '../src/cli/commands/index.js';

const ROOT = join(import.meta.dirname, '..');

describe('the npm package', () => {
  // --ignore-scripts: the list only (no `prepare` build while other tests run the compiled CLI)
  const packed = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--ignore-scripts', '--json'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as { files: { path: string }[] }[];
  const files = new Set(packed[0]!.files.map((f) => f.path));

  it('ships the license, the readme, the binary, the compiled code and its types', () => {
    for (const f of ['LICENSE', 'README.md', 'package.json', 'bin/kiln.js', 'dist/index.js', 'dist/index.d.ts', 'dist/cli/main.js']) expect(files, f).toContain(f);
    expect(readFileSync(join(ROOT, 'LICENSE'), 'utf8')).toMatch(/^MIT License/);
    expect(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).license).toBe('MIT');
  });

  it('ships no source map (they would point at src/, which it does not contain)', () => {
    expect([...files].filter((f) => f.endsWith('.map'))).toEqual([]);
  });

  it('ships every document the help texts name', () => {
    const help = Object.values(COMMANDS).map((c) => `${c.usage}\n${c.details}`).join('\n');
    const named = [...new Set(help.match(/docs\/[\w.-]+\.md/g) ?? [])];
    expect(named.length).toBeGreaterThan(2);
    for (const doc of named) expect(files, doc).toContain(doc);
  });

  it('depends only on packages the code imports', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    const sources: string[] = [];
    const walk = (dir: string) => {
      for (const e of readdirSync(dir)) {
        const p = join(dir, e);
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith('.ts')) sources.push(readFileSync(p, 'utf8'));
      }
    };
    walk(join(ROOT, 'src'));
    const code = sources.join('\n');
    for (const dep of Object.keys(pkg.dependencies)) expect(code, `${dep} (${relative(ROOT, 'src')})`).toMatch(new RegExp(`['"]${dep.replace(/[/.]/g, '\\$&')}(/[\\w./-]+)?['"]`));
  });
});
