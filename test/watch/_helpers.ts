/** Shared helpers of the incremental-build and watch tests. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect } from 'vitest';
import { compileProject } from '../../src/build/index.js';
import type { WatchEvent } from '../../src/watch/watcher.js';
import { configSource } from '../helpers.js';

/** A small transformer on a roomy device (auto placement has blocks to spare): builds in tens of milliseconds. */
export const SMALL_MODEL = `transformer({ window: 6, inputFeatures: 3, dModel: 8, ffnDim: 16 })`;

/** Config text for a model and extra top-level keys. */
export function config(extra = '', model = SMALL_MODEL, device = 'xc7s50'): string {
  return configSource(`{ device: '${device}', model: ${model}${extra ? `, ${extra}` : ''} }`);
}

export interface FileState {
  mtimeMs: number;
  ino: number;
  content: string;
}

/** Every file under the output folder (relative path → state), without .kiln/ and GHDL work folders. */
export function snapshot(outDir: string): Map<string, FileState> {
  const files = new Map<string, FileState>();
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      const rel = relative(outDir, p);
      if (rel === '.kiln' || rel === join('sim', 'work')) continue;
      if (e.isDirectory()) walk(p);
      else {
        const s = statSync(p);
        files.set(rel, { mtimeMs: s.mtimeMs, ino: s.ino, content: readFileSync(p, 'utf8') });
      }
    }
  };
  walk(outDir);
  return files;
}

/** Files whose inode or mtime changed (rewritten), that appeared, or that disappeared. */
export function diffSnapshots(before: Map<string, FileState>, after: Map<string, FileState>): { rewritten: string[]; added: string[]; removed: string[] } {
  const rewritten: string[] = [];
  const added: string[] = [];
  for (const [rel, s] of after) {
    const b = before.get(rel);
    if (!b) added.push(rel);
    else if (b.mtimeMs !== s.mtimeMs || b.ino !== s.ino) rewritten.push(rel);
  }
  const removed = [...before.keys()].filter((rel) => !after.has(rel));
  return { rewritten: rewritten.sort(), added: added.sort(), removed: removed.sort() };
}

/** The output folder holds exactly what a from-scratch compile of the same config produces, byte for byte. */
export async function expectSameAsFullBuild(projectDir: string, outDir: string): Promise<void> {
  const full = await compileProject({ cwd: projectDir, outDir });
  const onDisk = snapshot(outDir);
  expect([...onDisk.keys()].sort()).toEqual([...full.artifacts.keys()].sort());
  for (const [rel, text] of full.artifacts) expect(onDisk.get(rel)?.content, rel).toBe(text);
}

/** Unit ids of a build's rebuilt list. */
export const rebuiltIds = (r: { build: { rebuilt: { unit: string }[] } }) => r.build.rebuilt.map((u) => u.unit);

/** Collects a watcher's events; `next` waits (generously) for the first unseen event of the given types. */
export class Events {
  readonly all: WatchEvent[] = [];
  #seen = 0;
  #wake: (() => void) | undefined;
  push = (e: WatchEvent) => {
    this.all.push(e);
    this.#wake?.();
  };
  async next<T extends WatchEvent['type']>(type: T | T[], timeoutMs = 30_000): Promise<Extract<WatchEvent, { type: T }>> {
    const types: string[] = Array.isArray(type) ? type : [type];
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.all.findIndex((e, k) => k >= this.#seen && types.includes(e.type));
      if (i >= 0) {
        this.#seen = i + 1;
        return this.all[i] as Extract<WatchEvent, { type: T }>;
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${types.join('/')} event within ${timeoutMs} ms; got: ${this.all.map((e) => e.type).join(', ')}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.#wake = () => {
          clearTimeout(t);
          r();
        };
      });
    }
  }
  /** Marks every event so far as seen: next() waits for a later one. */
  skipAll(): void {
    this.#seen = this.all.length;
  }
  /** The outcome of the next build: its end or its error. */
  build() {
    return this.next(['build-end', 'build-error']);
  }
}


/** The small transformer's layers with a testbench downstream of encoder.0.ffn.fc1 (they replay its activations). */
export const AFTER_FC1 = ['encoder.0.ffn.fc2', 'encoder.0.ffn_add', 'encoder.0.ffn_norm', 'pool', 'output_linear'];

/**
 * What a change of encoder.0.ffn.fc1's weights rewrites: its entity (ROM) and expected outputs, the model's
 * expected outputs, the reports, and of the testbenches downstream only their vectors (never their entities).
 */
export function expectFc1WeightEditFiles(rewritten: readonly string[]): void {
  const own = ['report.json', 'report.md', 'sim/vectors/encoder_0_ffn_fc1.y.txt', 'sim/vectors/transformer.y.txt', 'vhdl/encoder_0_ffn_fc1.vhd'];
  expect(rewritten).toEqual(expect.arrayContaining([...own, 'sim/vectors/encoder_0_ffn_fc2.x0.txt']));
  const names = AFTER_FC1.map((p) => p.replace(/\./g, '_')).join('|');
  for (const f of rewritten.filter((f) => !own.includes(f))) expect(f).toMatch(new RegExp(`^sim/vectors/(${names})\\.(x\\d|y)\\.txt$`));
}
