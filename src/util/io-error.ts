/**
 * A failed file-system operation as a diagnostic (KILN_E_IO): what kiln was doing, on which path, why, and
 * what to do about it. Such a failure is the machine's state, not a bug in kiln, so it never surfaces as an
 * internal error.
 */
import { relative } from 'node:path';
import { KilnError } from '../dsl/diagnostics.js';

/** An error from a Node system call (it has an errno code such as EACCES, and the call's name). */
export function isSystemError(err: unknown): err is NodeJS.ErrnoException & { code: string } {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string' && /^E[A-Z]+$/.test((err as NodeJS.ErrnoException).code!) && typeof (err as NodeJS.ErrnoException).syscall === 'string';
}

const HINTS: Record<string, string> = {
  EACCES: 'kiln may not write there: check the permissions of the folder, or choose another output folder with --out DIR',
  EPERM: 'kiln may not do that there: check the permissions of the folder, or choose another output folder with --out DIR',
  EROFS: 'the file system is read-only: choose another output folder with --out DIR',
  ENOSPC: 'the disk is full: free some space and build again',
  EDQUOT: 'the disk quota is used up: free some space and build again',
  ENOTDIR: 'a file stands where kiln needs a folder: move it away, or choose another output folder with --out DIR',
  EEXIST: 'a file stands where kiln needs a folder: move it away, or choose another output folder with --out DIR',
  EISDIR: 'a folder stands where kiln writes a file: move it away, or choose another output folder with --out DIR',
  ENOTEMPTY: 'a folder stands where kiln writes a file: move it away, or choose another output folder with --out DIR',
  EMFILE: 'too many open files: close other programs (or raise ulimit -n) and build again',
  ENFILE: 'too many open files on the system: build again later',
  ENAMETOOLONG: 'the path is too long: choose a shorter output folder with --out DIR',
  EIO: 'the disk reported an error: check the disk and build again',
};

/**
 * `operation` says what kiln was doing, in words ("write", "remove", "create the folder"); `path` is where.
 * Paths are shown relative to `cwd` when given.
 */
export function ioFailure(err: unknown, operation: string, path: string, cwd?: string): KilnError {
  const e = err as NodeJS.ErrnoException;
  const shown = cwd !== undefined ? relative(cwd, path) || path : path;
  const why = isSystemError(err) ? `${e.code}${e.message.includes(':') ? `: ${e.message.slice(e.message.indexOf(':') + 1).split(',')[0]!.trim()}` : ''}` : (e?.message ?? String(err));
  return new KilnError([
    {
      code: 'KILN_E_IO',
      severity: 'error',
      path: [],
      message: `cannot ${operation} ${shown}: ${why}`,
      hint: (isSystemError(err) && HINTS[e.code!]) || 'check the path and its permissions, then build again',
    },
  ]);
}

/** Any system error as KILN_E_IO, with the path and call it names (the last resort, at the edges). */
export function systemErrorDiagnostic(err: NodeJS.ErrnoException, cwd?: string): KilnError {
  const path = err.path ?? (err as { dest?: string }).dest ?? '(unknown path)';
  return ioFailure(err, `${err.syscall ?? 'access'}`, path, cwd);
}
