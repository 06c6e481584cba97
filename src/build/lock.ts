/**
 * One build at a time per output folder: `<out>/.kiln/lock` is created exclusively (`wx`) and holds the pid,
 * host and command of its owner. A lock whose process is alive refuses the build (exit 2, KILN_E_IO); a lock
 * left by a process that no longer exists (a killed build) is stale and taken over. `kiln watch` holds the
 * lock for its whole session.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, mkdirSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, relative } from 'node:path';
import { KilnError } from '../dsl/diagnostics.js';
import { KILN_DIR } from './manifest.js';

export const LOCK_FILE = `${KILN_DIR}/lock`;

interface LockContent {
  pid: number;
  host: string;
  command: string;
  token: string;
  startedAt: string;
}

export interface BuildLock {
  readonly path: string;
  /** Removes the lock if it is still ours. */
  release(): Promise<void>;
  /** Same, synchronously (for process exit handlers). */
  releaseSync(): void;
}

/** A garbled lock younger than this may be one being written right now. */
const FRESH_MS = 5_000;

export function isProcessAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function parse(text: string): LockContent | undefined {
  try {
    const v = JSON.parse(text) as Partial<LockContent>;
    if (typeof v.pid === 'number' && typeof v.host === 'string' && typeof v.token === 'string') return v as LockContent;
  } catch {
    /* garbled */
  }
  return undefined;
}

export async function acquireLock(outDir: string, command: string, cwd = process.cwd()): Promise<BuildLock> {
  const path = join(outDir, LOCK_FILE);
  mkdirSync(join(outDir, KILN_DIR), { recursive: true });
  const mine: LockContent = { pid: process.pid, host: hostname(), command, token: randomBytes(8).toString('hex'), startedAt: new Date().toISOString() };
  const text = JSON.stringify(mine) + '\n';
  // Synchronous file operations: a handful of microseconds each, where the thread pool costs milliseconds.
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      try {
        writeSync(fd, text);
      } finally {
        closeSync(fd);
      }
      return handle(path, mine.token);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw ioError(`cannot create the build lock ${relative(cwd, path) || path}: ${(err as Error).message}`);
    }
    let existing: string;
    try {
      existing = readFileSync(path, 'utf8');
    } catch {
      continue; // released meanwhile: try again
    }
    const owner = parse(existing);
    if (owner === undefined) {
      let age = Infinity;
      try {
        age = Date.now() - statSync(path).mtimeMs;
      } catch {
        /* gone */
      }
      if (age < FRESH_MS) {
        await new Promise((r) => setTimeout(r, 50));
        continue;
      }
    } else if (owner.host !== hostname() || isProcessAlive(owner.pid)) {
      const who = owner.pid === process.pid && owner.host === hostname() ? 'another build in this process' : `another kiln process (pid ${owner.pid}${owner.host !== hostname() ? ` on ${owner.host}` : ''}, kiln ${owner.command})`;
      const rel = relative(cwd, outDir) || '.';
      throw new KilnError([
        {
          code: 'KILN_E_IO',
          severity: 'error',
          path: [],
          message: `${who} is building into ${rel}/; two builds into one output folder at once are refused`,
          hint: `wait for it to finish (or stop it); if no kiln is running there, delete ${relative(cwd, path) || path}`,
        },
      ]);
    }
    // Stale: its owner is gone. Remove it unless it changed since we read it, then try again.
    try {
      if (readFileSync(path, 'utf8') === existing) unlinkSync(path);
    } catch {
      /* gone already */
    }
  }
  throw ioError(`could not take the build lock ${relative(cwd, path) || path}`);
}

function handle(path: string, token: string): BuildLock {
  let released = false;
  const releaseSync = () => {
    if (released) return;
    released = true;
    try {
      if (parse(readFileSync(path, 'utf8'))?.token === token) unlinkSync(path);
    } catch {
      /* gone already */
    }
  };
  return { path, release: async () => releaseSync(), releaseSync };
}

function ioError(message: string): KilnError {
  return new KilnError([{ code: 'KILN_E_IO', severity: 'error', path: [], message }]);
}
