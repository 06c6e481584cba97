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
