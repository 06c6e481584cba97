/**
 * One build at a time per output folder: `<out>/.kiln/lock` holds the pid, host and command of its owner. It
 * comes into existence complete: its content is written to a temporary file first, which is then hard-linked
 * to the lock's name (link() fails when the name exists, so creation is exclusive). So a lock that is empty or
 * not kiln's JSON was never a live build's, and, like a lock whose process no longer exists (a killed build),
 * it is stale and taken over. A lock whose process is alive refuses the build (exit 2, KILN_E_IO). `kiln
 * watch` holds the lock for its whole session.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, linkSync, mkdirSync, openSync, readFileSync, rmSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join, relative } from 'node:path';
import { KilnError } from '../dsl/diagnostics.js';
import { ioFailure } from '../util/io-error.js';
import { KILN_DIR } from './manifest.js';
import { tempName } from './write.js';
import { onInterrupt } from '../util/interrupt.js';

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

/**
 * Creates the lock file with its whole content, failing with EEXIST when it exists: a temporary file linked to
 * the lock's name. Where hard links are not supported, an exclusive create-and-write (which a crash between
 * the two steps can leave empty: such a lock counts as stale too).
 */
function createLockFile(path: string, text: string): void {
  const tmp = tempName(path);
  try {
    writeFileSync(tmp, text);
    try {
      linkSync(tmp, path);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'ENOSYS') throw err;
    }
  } finally {
    rmSync(tmp, { force: true });
  }
  const fd = openSync(path, 'wx');
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

export async function acquireLock(outDir: string, command: string, cwd = process.cwd()): Promise<BuildLock> {
  const path = join(outDir, LOCK_FILE);
  const shown = relative(cwd, path) || path;
  try {
    mkdirSync(join(outDir, KILN_DIR), { recursive: true });
  } catch (err) {
    throw ioFailure(err, 'create the folder', join(outDir, KILN_DIR), cwd);
  }
  const mine: LockContent = { pid: process.pid, host: hostname(), command, token: randomBytes(8).toString('hex'), startedAt: new Date().toISOString() };
  const text = JSON.stringify(mine) + '\n';
  // Synchronous file operations: a handful of microseconds each, where the thread pool costs milliseconds.
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      createLockFile(path, text);
      return handle(path, mine.token);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw ioFailure(err, 'create the build lock', path, cwd);
    }
    let existing: string;
    try {
      existing = readFileSync(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // released meanwhile: try again
      throw ioFailure(err, 'read the build lock', path, cwd);
    }
    const owner = parse(existing);
    // A lock that is not kiln's JSON was never complete, so no build holds it: it is stale.
    if (owner !== undefined && (owner.host !== hostname() || isProcessAlive(owner.pid))) {
      const who = owner.pid === process.pid && owner.host === hostname() ? 'another build in this process' : `another kiln process (pid ${owner.pid}${owner.host !== hostname() ? ` on ${owner.host}` : ''}, kiln ${owner.command})`;
      const rel = relative(cwd, outDir) || '.';
      throw new KilnError([
        {
          code: 'KILN_E_IO',
          severity: 'error',
          path: [],
          message: `${who} is building into ${rel}/; two builds into one output folder at once are refused`,
          hint: `wait for it to finish (or stop it); if no kiln is running there, delete ${shown}`,
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
  throw new KilnError([{ code: 'KILN_E_IO', severity: 'error', path: [], message: `could not take the build lock ${shown}: other builds keep taking it`, hint: `build again; if this persists, delete ${shown}` }]);
}

function handle(path: string, token: string): BuildLock {
  let released = false;
  // a command stopped by Ctrl-C or SIGTERM releases it on the way out (src/util/interrupt.ts)
  const forget = onInterrupt(() => releaseSync());
  const releaseSync = () => {
    if (released) return;
    released = true;
    forget();
    try {
      if (parse(readFileSync(path, 'utf8'))?.token === token) unlinkSync(path);
    } catch {
      /* gone already */
    }
  };
  return { path, release: async () => releaseSync(), releaseSync };
}
