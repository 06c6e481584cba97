/**
 * Which folders kiln builds into: a path where the output folder (or a folder on the way to it) must be that is
 * a file is an error (KILN_E_IO), before anything is written.
 */
import { statSync } from 'node:fs';
import { dirname, relative } from 'node:path';
import { KilnError } from '../dsl/diagnostics.js';

const kind = (p: string): 'file' | 'folder' | 'other' | undefined => {
  try {
    const s = statSync(p);
    return s.isDirectory() ? 'folder' : s.isFile() ? 'file' : 'other';
  } catch {
    return undefined;
  }
};

/** Throws KilnError when `outDir` cannot be a folder kiln builds into. */
export function checkOutputFolder(outDir: string, o: { cwd: string }): void {
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
}
