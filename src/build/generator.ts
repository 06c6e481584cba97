/**
 * The generator revision that every unit key includes: kiln's version, a revision constant, and a hash of the
 * code that turns the IR into files (kinds, engines, emitters, reference model, arithmetic, estimator, devices, IR). The code
 * hash means an edited emitter invalidates earlier outputs even when nobody bumps the constant, so a
 * working copy of kiln never serves stale VHDL; the constant remains for changes outside those folders.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { KILN_VERSION } from '../version.js';
import { hashContent } from '../util/hash.js';

/** Bump when generated files change for the same IR and code outside the hashed folders (e.g. build.ts). */
export const GENERATOR_REVISION = 1;

/** Folders (under src/ or dist/) whose code determines the generated files. */
export const GENERATOR_FOLDERS = ['arith', 'devices', 'emitters', 'engines', 'estimator', 'ir', 'kinds', 'reference'] as const;

let memo: string | undefined;

/** `<kiln version>+r<revision>.<code hash>`, computed once per process (a few milliseconds). */
export function generatorRevision(): string {
  memo ??= `${KILN_VERSION}+r${GENERATOR_REVISION}.${codeHash().slice(0, 16)}`;
  return memo;
}

function codeHash(): string {
  const here = fileURLToPath(import.meta.url);
  const root = dirname(dirname(here));
  const fromSource = here.endsWith('.ts');
  const ext = fromSource ? '.ts' : '.js';
  const files: string[] = [join(root, `version${ext}`), join(root, 'build', `units${ext}`), join(root, 'util', `hash${ext}`)];
  for (const folder of GENERATOR_FOLDERS) collect(join(root, folder), fromSource, files);
  const parts = files.sort().map((f) => {
    let text: string;
    try {
      text = readFileSync(f, 'utf8');
    } catch {
      text = '<missing>';
    }
    return `${relative(root, f)}\n${hashContent(text)}`;
  });
  return hashContent(parts.join('\n'));
}

function collect(dir: string, fromSource: boolean, out: string[]): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) collect(p, fromSource, out);
    else if (fromSource ? e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') : e.name.endsWith('.js')) out.push(p);
  }
}
