/**
 * Maps a diagnostic's field path (['layers', 'encoder.0.ffn.fc1', 'weightBits']) to a line and column in the
 * config's source text by finding each key in turn after the previous one. Best effort: a path built by code
 * rather than written literally is located at its deepest key that does appear.
 */
import type { Diagnostic, SourceLocation } from './diagnostics.js';

/**
 * Every `key:` written in a source text (bare, or quoted with ', " or `), with the offsets where it appears, so
 * locating thousands of diagnostics costs one scan of the source rather than one per diagnostic.
 */
export class SourceIndex {
  readonly #keys = new Map<string, number[]>();
  readonly #lineStarts: number[] = [0];

  constructor(readonly source: string) {
    const key = /(?:^|[\s{,(])([A-Za-z_$][\w$]*|\d+|'[^'\\\n]*'|"[^"\\\n]*"|`[^`\\$]*`)\s*:/gm;
    for (let m = key.exec(source); m; m = key.exec(source)) {
      const text = m[1]!;
      const name = /^['"`]/.test(text) ? text.slice(1, -1) : text;
      const at = m.index + m[0].indexOf(text);
      const list = this.#keys.get(name);
      if (list) list.push(at);
      else this.#keys.set(name, [at]);
      key.lastIndex = at + text.length; // the next key may start right after this one's colon
    }
    for (let i = source.indexOf('\n'); i >= 0; i = source.indexOf('\n', i + 1)) this.#lineStarts.push(i + 1);
  }

  /** The first offset at or after `from` where `name` is written as a key. */
  keyAfter(name: string, from: number): number | undefined {
    const list = this.#keys.get(name);
    if (!list) return undefined;
    const i = firstAtLeast(list, from);
    return i < list.length ? list[i] : undefined;
  }

  location(file: string, offset: number): SourceLocation {
    const line = firstAtLeast(this.#lineStarts, offset + 1) - 1;
    return { file, line: line + 1, column: offset - this.#lineStarts[line]! + 1 };
  }
}

/** Index of the first element of an ascending list that is ≥ value (the list's length if none is). */
function firstAtLeast(list: readonly number[], value: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]! < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function locateField(source: string | SourceIndex, file: string, path: readonly (string | number)[]): SourceLocation | undefined {
  const index = typeof source === 'string' ? new SourceIndex(source) : source;
  let from = 0;
  let found: number | undefined;
  for (const part of path) {
    if (typeof part === 'number') continue;
    const at = index.keyAfter(part, from);
    if (at === undefined) break;
    found = at;
    from = at + 1;
  }
  return found === undefined ? undefined : index.location(file, found);
}

export function withLocations(diags: readonly Diagnostic[], source: string, file: string): Diagnostic[] {
  let index: SourceIndex | undefined;
  return diags.map((d) => {
    if (d.loc || d.path.length === 0) return d;
    const loc = locateField((index ??= new SourceIndex(source)), file, d.path);
    return loc ? { ...d, loc } : d;
  });
}

/**
 * A few lines of source around a position, with a caret under its column (for the human-readable output):
 *
 * ```
 *    |
 * 10 |   device: 'xc7s15',
 * 11 |   clockMHz: 100
 *    |                ^
 * ```
 */
export function codeFrame(source: string | readonly string[], line: number, column: number, before = 2): string {
  const lines = typeof source === 'string' ? source.split('\n') : source;
  const at = lines[line - 1];
  if (at === undefined) return '';
  const first = Math.max(1, line - before);
  const width = String(line).length;
  const clip = (text: string) => (text.length > 160 ? `${text.slice(0, 157)}...` : text).replace(/\r$/, '');
  const out = [`${' '.repeat(width)} |`];
  for (let n = first; n <= line; n++) out.push(`${String(n).padStart(width)} | ${clip(lines[n - 1]!)}`.trimEnd());
  // Keep tabs under tabs, so the caret lines up whatever the tab width.
  const lead = [...at.slice(0, Math.max(0, Math.min(column - 1, 160)))].map((c) => (c === '\t' ? '\t' : ' ')).join('');
  out.push(`${' '.repeat(width)} | ${lead}^`);
  return out.join('\n');
}
