/** Human-readable lines for what an incremental build did (kiln build and kiln watch print them on stderr). */
import { relative } from 'node:path';
import type { BuildSummary } from './pipeline.js';
import { formatDelta } from './delta.js';

export interface SummaryOptions {
  cwd: string;
  outDir: string;
  /** Also list the per-layer estimate delta (watch does; build does when there was a previous build). */
  delta: boolean;
  /** Say how many files were written and removed (watch; build prints its own line). */
  files: boolean;
  /** Duration to show on the headline. */
  ms?: number;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Lines: the warnings, `rebuilt N of M units (...)` with one line per unit and reason, then the delta. */
export function formatBuildSummary(s: BuildSummary, o: SummaryOptions): string[] {
  const lines = s.warnings.map((w) => `kiln: warning: ${w}`);
  const total = s.rebuilt.length + s.unchanged;
  const out = `${relative(o.cwd, o.outDir) || '.'}/`;
  const written = `wrote ${plural(s.written.length, 'file')}`;
  const removed = s.removed.length > 0 ? `removed ${plural(s.removed.length, 'file')}` : '';
  const files = [o.files && (s.written.length > 0 || s.rebuilt.length > 0) ? written : '', removed].filter(Boolean).join(', ');
  const tail = `${o.ms !== undefined ? ` in ${Math.round(o.ms)} ms` : ''}${files ? `; ${files}` : ''}`;
  if (s.rebuilt.length === 0) {
    lines.push(`nothing to rebuild: ${plural(total, 'unit')} up to date in ${out}${tail}`);
    return lines;
  }
  if (s.full) {
    lines.push(`rebuilt all ${plural(total, 'unit')} (${s.fullReason})${tail}`);
  } else {
    lines.push(`rebuilt ${s.rebuilt.length} of ${plural(total, 'unit')} (${s.unchanged} unchanged)${tail}`);
    const width = Math.max(...s.rebuilt.map((r) => r.unit.length));
    for (const r of s.rebuilt) lines.push(`  ${r.unit.padEnd(width)}  ${r.reason}`);
  }
  if (o.delta && s.delta.totalBefore) {
    if (s.delta.layers.length === 0) lines.push('estimate unchanged:');
    else lines.push('estimate:');
    lines.push(...formatDelta(s.delta));
  }
  return lines;
}
