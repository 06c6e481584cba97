/**
 * Which folders kiln builds into. It writes report.json, report.md, vhdl/ and sim/ there and removes files it
 * generated earlier, so a wrong `--out` must not reach a folder that is not kiln's: the filesystem root, the
 * home folder, or a non-empty folder that holds no earlier kiln build are refused (`--force` builds there
 * anyway). A path where a folder must be that is a file is always an error.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, parse, relative, resolve } from 'node:path';
import { KilnError } from '../dsl/diagnostics.js';
import { KILN_DIR, MANIFEST_FILE } from './manifest.js';

/** Entries that do not make a folder "not empty" (version control and desktop leftovers). */
const IGNORABLE = new Set([KILN_DIR, '.gitkeep', '.gitignore', '.DS_Store']);

const kind = (p: string): 'file' | 'folder' | 'other' | undefined => {
  try {
    const s = statSync(p);
    return s.isDirectory() ? 'folder' : s.isFile() ? 'file' : 'other';
  } catch {
    return undefined;
  }
};

/** The folder holds an earlier kiln build: a manifest, or kiln's reports (even when the manifest is gone). */
function holdsKilnBuild(outDir: string): boolean {
  if (kind(resolve(outDir, MANIFEST_FILE)) !== undefined) return true;
  for (const [rel, schema] of [
    ['report.json', 'kiln-report'],
    ['synth/report.json', 'kiln-synth'],
  ] as const) {
    try {
      if ((JSON.parse(readFileSync(resolve(outDir, rel), 'utf8')) as { schema?: unknown }).schema === schema) return true;
    } catch {
      /* not kiln's */
    }
  }
  return false;
}

/** Throws KilnError when `outDir` is not a folder kiln may build into (see the file comment). */
export function checkOutputFolder(outDir: string, o: { force: boolean; cwd: string }): void {
  const shown = relative(o.cwd, outDir) || '.';
  const ioError = (message: string, hint: string) => new KilnError([{ code: 'KILN_E_IO', severity: 'error', path: [], message, hint }]);
  // The folder, or the first part of its path that exists, must be a folder.
  for (let p = outDir; ; p = dirname(p)) {
    const k = kind(p);
    if (k === 'folder') break;
    if (k !== undefined) {
      throw ioError(
        p === outDir ? `the output folder ${shown} is a ${k === 'file' ? 'file' : 'special file'}, not a folder` : `cannot create the output folder ${shown}: ${relative(o.cwd, p) || p} is a ${k === 'file' ? 'file' : 'special file'}`,
        'choose a folder with --out DIR (kiln creates it if it does not exist)',
      );
    }
    if (dirname(p) === p) break;
  }
  if (o.force || kind(outDir) !== 'folder') return;
  const refuse = (why: string) =>
    new KilnError([
      {
        code: 'KILN_E_USAGE',
        severity: 'error',
        path: [],
        message: `refusing to build into ${outDir}: ${why}`,
        hint: 'kiln writes report.json, report.md, vhdl/ and sim/ into the output folder and removes files it generated there earlier; choose a folder of its own with --out DIR; to build there anyway, pass --force to kiln build or kiln watch',
      },
    ]);
  if (outDir === parse(outDir).root) throw refuse('it is the filesystem root');
  if (outDir === resolve(homedir())) throw refuse('it is your home folder');
  let entries: string[];
  try {
    entries = readdirSync(outDir).filter((e) => !IGNORABLE.has(e));
  } catch (err) {
    throw ioError(`cannot list the output folder ${shown}: ${(err as Error).message}`, 'check its permissions, or choose another folder with --out DIR');
  }
  if (entries.length === 0 || holdsKilnBuild(outDir)) return;
  const sample = entries.slice(0, 3).map((e) => `'${e}'`).join(', ');
  throw refuse(`it is not empty (${sample}${entries.length > 3 ? `, … ${entries.length} entries` : ''}) and holds no earlier kiln build`);
}
