/**
 * Maps a diagnostic's field path (['layers', 'encoder.0.ffn.fc1', 'weightBits']) to a line and column in the
 * config's source text by finding each key in turn after the previous one. Best effort: a path built by code
 * rather than written literally is located at its deepest key that does appear.
 */
import type { Diagnostic, SourceLocation } from './diagnostics.js';

export function locateField(source: string, file: string, path: readonly (string | number)[]): SourceLocation | undefined {
  let from = 0;
  let found: number | undefined;
  for (const part of path) {
    if (typeof part === 'number') continue;
    const escaped = part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const re = new RegExp(`(?:^|[\\s{,(])(?:${escaped}|'${escaped}'|"${escaped}"|\`${escaped}\`)\\s*:`, 'g');
    re.lastIndex = from;
    const m = re.exec(source);
    if (!m) break;
    const at = m.index + m[0].search(/[^\s{,(]/);
    found = at;
    from = at + 1;
  }
  if (found === undefined) return undefined;
  const before = source.slice(0, found);
  const line = before.split('\n').length;
  const column = found - before.lastIndexOf('\n');
  return { file, line, column };
}

export function withLocations(diags: readonly Diagnostic[], source: string, file: string): Diagnostic[] {
  return diags.map((d) => {
    if (d.loc || d.path.length === 0) return d;
    const loc = locateField(source, file, d.path);
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
export function codeFrame(source: string, line: number, column: number, before = 2): string {
  const lines = source.split('\n');
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
