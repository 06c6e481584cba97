/**
 * The house rules of src/kinds and src/engines, read off the source: every kind of the vocabulary has one
 * folder with its rules, semantics and hardware binding; semantics never reach hardware code (a plan, an engine,
 * VHDL), so the reference model stays an independent description of what the hardware must compute; and the
 * top-level parts of src/ import each other without cycles.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { LAYER_KINDS } from '../../src/dsl/index.js';
import { KINDS } from '../../src/kinds/index.js';
import { ROOT } from '../helpers.js';

const SRC = join(ROOT, 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') && !p.endsWith('.d.ts') ? [p] : [];
  });
}

/** Relative imports and re-exports that load code at run time (type-only ones are erased by TypeScript). */
function valueImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*(?:import|export)\s+(type\s+)?(?:[^'";]*?from\s+)?['"](\.[^'"]+)['"]/gm)) {
    if (m[1]) continue;
    out.push(resolve(dirname(file), m[2]!.replace(/\.js$/, '.ts')));
  }
  return out;
}

/** Every file a module loads, transitively. */
function closure(file: string, seen = new Set<string>()): Set<string> {
  if (seen.has(file)) return seen;
  seen.add(file);
  for (const f of valueImports(file)) closure(f, seen);
  return seen;
}

describe('kinds registry', () => {
  it('every layer kind has one folder with rules, semantics, hardware and its definition, registered under its name', () => {
    for (const kind of LAYER_KINDS) {
      for (const part of ['rules', 'semantics', 'hardware', 'index']) expect(statSync(join(SRC, 'kinds', kind, `${part}.ts`)).isFile(), `${kind}/${part}.ts`).toBe(true);
      expect(KINDS[kind].kind).toBe(kind);
    }
    const folders = readdirSync(join(SRC, 'kinds')).filter((n) => !n.startsWith('_') && statSync(join(SRC, 'kinds', n)).isDirectory());
    expect(folders.sort()).toEqual([...LAYER_KINDS].sort());
  });

  it('semantics never load a plan, an engine or VHDL code', () => {
    for (const kind of LAYER_KINDS) {
      const loaded = [...closure(join(SRC, 'kinds', kind, 'semantics.ts'))].map((f) => relative(SRC, f));
      const hardware = loaded.filter((f) => /^(engines|emitters|synth|toolchain)\//.test(f) || /(^|\/)(hardware|mac|plan|vhdl)\.ts$/.test(f) || f.startsWith('devices/'));
      expect(hardware, `${kind}/semantics.ts loads ${hardware.join(', ')}`).toEqual([]);
    }
  });

  it('the dispatch has no default branch that could hide a missing case', () => {
    for (const file of sourceFiles(SRC)) {
      const text = readFileSync(file, 'utf8');
      if (/switch \((?:\w+\.)*(?:kind|engine)\)/.test(text)) expect(text, relative(SRC, file)).not.toMatch(/^\s*default:/m);
    }
  });
});

describe('top-level parts of src/', () => {
  it('import each other without cycles', () => {
    const part = (f: string) => relative(SRC, f).split('/')[0]!.replace(/\.ts$/, '');
    const edges = new Map<string, Set<string>>();
    for (const file of sourceFiles(SRC)) {
      for (const target of valueImports(file)) {
        if (!target.startsWith(SRC)) continue;
        const [a, b] = [part(file), part(target)];
        if (a === b) continue;
        if (!edges.has(a)) edges.set(a, new Set());
        edges.get(a)!.add(b);
      }
    }
    // A cycle exists iff some part reaches itself.
    const reaches = (from: string, to: string, seen = new Set<string>()): boolean => {
      for (const next of edges.get(from) ?? []) {
        if (next === to) return true;
        if (!seen.has(next)) {
          seen.add(next);
          if (reaches(next, to, seen)) return true;
        }
      }
      return false;
    };
    const cyclic = [...edges.keys()].filter((p) => reaches(p, p));
    expect(cyclic, `parts in an import cycle: ${cyclic.join(', ')}`).toEqual([]);
  });
});
