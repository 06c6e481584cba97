/**
 * Atomic output: every file is written to a temporary sibling and renamed into place, so an interrupted or
 * failed build never leaves a half-written file, and earlier outputs stay intact until replaced whole.
 */
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export async function writeFileAtomic(path: string, content: string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    await writeFile(tmp, content);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
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
