/**
 * Atomic output: every file is written to a temporary sibling and renamed into place, so an interrupted or
 * failed build never leaves a half-written file, and earlier outputs stay intact until replaced whole. A
 * process killed between the two steps can leave its temporary file behind; its name carries the writer's
 * pid (`<file>.<pid>.<random>.tmp`), so the next build can recognise and remove it (src/build/incremental.ts).
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Name of a temporary file written by writeFileAtomic; group 1 is the writer's pid. */
export const TEMP_FILE_RE = /\.(\d+)\.[a-z0-9]+\.tmp$/;

/** writeFileAtomicSync for async callers. */
export async function writeFileAtomic(path: string, content: string): Promise<void> {
  writeFileAtomicSync(path, content);
}

/**
 * Synchronous on purpose: for the handful of files of a rebuild, and even for the hundreds of a full build,
 * blocking calls beat the thread-pool round trips of the promise API on this kind of machine (bench: 6 files
 * 0.84 vs 1.23 ms, 254 files 44 vs 51 ms).
 */
export function writeFileAtomicSync(path: string, content: string): void {
  const tmp = stageFile(path, content);
  try {
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
}

/** A temporary sibling name for `path`, carrying this process's pid (see TEMP_FILE_RE). */
export function tempName(path: string): string {
  return `${path}.${process.pid}.${Math.random().toString(36).slice(2) || '0'}.tmp`;
}

/**
 * The first half of an atomic write: the content in a temporary sibling of `path` (its folder created as
 * needed), returned for renameSync(tmp, path). A failure leaves no temporary file.
 */
export function stageFile(path: string, content: string): string {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = tempName(path);
  try {
    writeFileSync(tmp, content);
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  return tmp;
}

/** A small file's text, or undefined when it cannot be read (synchronous: a missing file costs microseconds). */
export function readTextIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** Writes a set of artifacts (relative path → content) under `outDir`; returns the absolute paths. */
export async function writeArtifacts(outDir: string, artifacts: ReadonlyMap<string, string>): Promise<string[]> {
  const written: string[] = [];
  for (const [rel, content] of artifacts) {
    const p = join(outDir, rel);
    await writeFileAtomic(p, content);
    written.push(p);
  }
  return written;
}
