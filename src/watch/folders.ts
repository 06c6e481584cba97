/**
 * Watches files through the folders that hold them. Editors save by writing a temporary file and renaming it
 * over the original, or by deleting and recreating it: a watch on the file itself follows the old inode and goes
 * deaf, while a watch on its folder sees every entry that is created, renamed in, changed or removed. So each
 * folder gets one `fs.watch` (not recursive), and its events are filtered down to the paths of interest.
 *
 * A folder that is deleted, or replaced by another folder of the same name, is noticed by `check()` (its inode
 * changed or it is gone) and watched again once it exists; a folder that cannot be watched at all (no inotify
 * watches left) is reported once, and the caller's poll of file fingerprints covers it.
 */
import { watch, statSync, type FSWatcher } from 'node:fs';
import { dirname, join, resolve, sep } from 'node:path';

interface Watched {
  watcher: FSWatcher | undefined;
  /** The folder's inode when its watch was set up (a replaced folder needs a new watch). */
  ino: number | undefined;
  /** Its watch broke (an error event): set it up again at the next check. */
  broken: boolean;
}

export interface FolderWatchOptions {
  /** A watched path changed (was written, renamed over, created or removed). */
  onChange: (path: string) => void;
  /** A folder could not be watched; changes there are only seen by polling. */
  onProblem: (message: string) => void;
}

const inode = (p: string): number | undefined => {
  try {
    const s = statSync(p);
    return s.isDirectory() ? s.ino : undefined;
  } catch {
    return undefined;
  }
};

/** Nearest existing folder at or above `dir`. */
export function existingFolder(dir: string): string {
  let d = dir;
  while (inode(d) === undefined && dirname(d) !== d) d = dirname(d);
  return d;
}

export class FolderWatch {
  readonly #folders = new Map<string, Watched>();
  #files = new Set<string>();
  #awaited = new Set<string>();
  readonly #reported = new Set<string>();
  readonly #o: FolderWatchOptions;

  constructor(options: FolderWatchOptions) {
    this.#o = options;
  }

  /**
   * Watches `files` (existing files: their folders) and `awaited` paths (files that do not exist yet: the nearest
   * existing folder on the way to them, where they, or a folder leading to them, will appear).
   */
  set(files: Iterable<string>, awaited: Iterable<string>): void {
    this.#files = new Set([...files].map((f) => resolve(f)));
    this.#awaited = new Set([...awaited].map((f) => resolve(f)));
    const wanted = new Set([...[...this.#files].map((f) => dirname(f)), ...[...this.#awaited].map((a) => existingFolder(dirname(a)))]);
    for (const [dir, w] of this.#folders) {
      if (!wanted.has(dir)) {
        w.watcher?.close();
        this.#folders.delete(dir);
      }
    }
    for (const dir of wanted) if (!this.#folders.has(dir)) this.#open(dir);
    this.check();
  }

  /**
   * Watches again each folder that was deleted, replaced or created since its watch was set up, or whose watch
   * broke. (A folder that could not be watched at all is not retried: the caller's poll covers it.)
   */
  check(): void {
    for (const [dir, w] of this.#folders) {
      const now = inode(dir);
      if (now === w.ino && !w.broken) continue;
      w.watcher?.close();
      this.#folders.delete(dir);
      this.#open(dir);
      // Whatever happened in the folder meanwhile is news.
      if (now !== undefined) for (const f of this.#files) if (dirname(f) === dir) this.#o.onChange(f);
    }
  }

  close(): void {
    for (const w of this.#folders.values()) w.watcher?.close();
    this.#folders.clear();
  }

  #open(dir: string): void {
    const ino = inode(dir);
    let watcher: FSWatcher | undefined;
    if (ino !== undefined) {
      try {
        watcher = watch(dir, { persistent: true }, (_event, name) => this.#event(dir, name));
        watcher.on('error', () => {
          // The folder went away (or its watch broke): check() sets it up again once it is back.
          watcher?.close();
          const w = this.#folders.get(dir);
          if (w && w.watcher === watcher) {
            w.watcher = undefined;
            w.broken = true;
          }
        });
        this.#reported.delete(dir);
      } catch (err) {
        if (!this.#reported.has(dir)) this.#o.onProblem(`cannot watch ${dir} (${(err as Error).message}); changes there are noticed by polling, within a second`);
        this.#reported.add(dir);
      }
    }
    this.#folders.set(dir, { watcher, ino, broken: false });
  }

  #event(dir: string, name: string | Buffer | null): void {
    if (name === null || name === undefined) {
      // Some platforms do not say which entry changed: anything watched in this folder may have.
      for (const f of this.#files) if (dirname(f) === dir) this.#o.onChange(f);
      for (const a of this.#awaited) if (a.startsWith(dir + sep)) this.#o.onChange(a);
      return;
    }
    const p = join(dir, name.toString());
    if (this.#files.has(p)) this.#o.onChange(p);
    for (const a of this.#awaited) if (a === p || a.startsWith(p + sep)) this.#o.onChange(p);
  }
}
