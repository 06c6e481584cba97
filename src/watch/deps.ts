/**
 * The files a config depends on, for watch mode: the config itself, every local module it imports
 * (transitively: `import … from './x'`, `export … from './x'`, `import('./x')`, `require('./x')`, side-effect
 * imports), and data files it names with a relative path (imported JSON, or a string literal such as
 * `readFileSync(new URL('./calibration.json', import.meta.url))` that names an existing file). Only relative
 * specifiers are followed: packages (and `kiln-fpga`) are not the user's files.
 *
 * Resolution follows what the loader (jiti) accepts: the exact file, then the specifier with .ts, .mts, .cts,
 * .js, .mjs, .cjs, .json appended, then `index.*` inside a folder; a `.js`/`.mjs`/`.cjs` specifier may name
 * a `.ts`/`.mts`/`.cts` file. A specifier that resolves to nothing (a module about to be created) is
 * reported as missing, with the paths that would satisfy it, so the watcher can wait for one to appear.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';

export interface ConfigDependencies {
  /** Local modules imported by the config, transitively (absolute paths, sorted; the config excluded). */
  modules: string[];
  /** Data files named by the config or its modules (absolute paths, sorted). */
  data: string[];
  /** For each unresolved relative import: the candidate paths that would satisfy it. */
  missing: { from: string; specifier: string; candidates: string[] }[];
}

const CODE_EXTENSIONS = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'];
const EXTENSIONS = [...CODE_EXTENSIONS, '.json'];
const JS_TO_TS: Record<string, string> = { '.js': '.ts', '.mjs': '.mts', '.cjs': '.cts', '.jsx': '.tsx' };

/** Module specifiers: static imports/exports (with `from`), side-effect imports, dynamic import(), require(). */
const SPECIFIER_RES = [
  /\b(?:import|export)\s[^'"`;]*?\bfrom\s*(['"])([^'"\n]+)\1/g,
  /\bimport\s*(['"])([^'"\n]+)\1/g,
  /\bimport\s*\(\s*(['"])([^'"\n]+)\1\s*\)/g,
  /\brequire\s*\(\s*(['"])([^'"\n]+)\1\s*\)/g,
];
/** Any relative path in a string literal (data files). */
const RELATIVE_LITERAL = /(['"`])(\.\.?\/[^'"`\n$]+)\1/g;

const isFile = (p: string) => {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
};

/** Strips comments (keeping string literals and line structure), so commented-out imports are not followed. */
export function stripComments(source: string): string {
  let out = '';
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    const next = source[i + 1];
    if (c === '/' && next === '/') {
      while (i < source.length && source[i] !== '\n') i++;
    } else if (c === '/' && next === '*') {
      const end = source.indexOf('*/', i + 2);
      const stop = end < 0 ? source.length : end + 2;
      out += source.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop;
    } else if (c === '"' || c === "'" || c === '`') {
      let j = i + 1;
      while (j < source.length && source[j] !== c) j += source[j] === '\\' ? 2 : 1;
      out += source.slice(i, j + 1);
      i = j + 1;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Module specifiers in a source text (all of them; callers keep the relative ones). */
export function importSpecifiers(source: string): string[] {
  const text = stripComments(source);
  const found = new Set<string>();
  for (const re of SPECIFIER_RES) for (const m of text.matchAll(re)) found.add(m[2]!);
  return [...found];
}

/** Candidate files for a relative specifier, in the order the loader tries them. */
export function candidates(fromFile: string, specifier: string): string[] {
  const base = resolve(dirname(fromFile), specifier);
  const list = [base];
  const ext = extname(base);
  if (JS_TO_TS[ext]) list.push(base.slice(0, -ext.length) + JS_TO_TS[ext]);
  for (const e of EXTENSIONS) list.push(base + e);
  for (const e of EXTENSIONS) list.push(resolve(base, `index${e}`));
  return list;
}

export function resolveSpecifier(fromFile: string, specifier: string): string | undefined {
  return candidates(fromFile, specifier).find(isFile);
}

/** The config's local modules (transitively) and data files. Unreadable files are skipped, never thrown. */
export function scanDependencies(configFile: string): ConfigDependencies {
  const modules = new Set<string>();
  const data = new Set<string>();
  const missing: ConfigDependencies['missing'] = [];
  const queue = [resolve(configFile)];
  const seen = new Set(queue);
  while (queue.length > 0) {
    const file = queue.shift()!;
    let source: string;
    try {
      source = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    if (extname(file) === '.json') continue;
    const specifiers = importSpecifiers(source).filter((s) => s.startsWith('./') || s.startsWith('../'));
    for (const spec of specifiers) {
      const target = resolveSpecifier(file, spec);
      if (target === undefined) {
        missing.push({ from: file, specifier: spec, candidates: candidates(file, spec) });
        continue;
      }
      if (CODE_EXTENSIONS.includes(extname(target)) || extname(target) === '' || extname(target) === '.json') {
        if (extname(target) === '.json') data.add(target);
        else modules.add(target);
        if (!seen.has(target)) {
          seen.add(target);
          queue.push(target);
        }
      } else {
        data.add(target);
      }
    }
    const asModules = new Set(specifiers);
    for (const m of stripComments(source).matchAll(RELATIVE_LITERAL)) {
      if (asModules.has(m[2]!)) continue;
      const p = resolve(dirname(file), m[2]!);
      if (isFile(p)) data.add(p);
    }
  }
  modules.delete(resolve(configFile));
  for (const m of modules) data.delete(m);
  return { modules: [...modules].sort(), data: [...data].sort(), missing };
}
