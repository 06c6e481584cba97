/**
 * Diagnostics are values: a stable code, the config field they concern, a message and an optional hint.
 * Stages collect them; only the edges (CLI, build) decide to throw or print.
 */

export type DiagnosticCode =
  | 'KILN_E_CONFIG_NOT_FOUND'
  | 'KILN_E_CONFIG_LOAD'
  /** The config did not finish evaluating within --config-timeout. */
  | 'KILN_E_CONFIG_TIMEOUT'
  | 'KILN_E_CONFIG_SHAPE'
  | 'KILN_E_UNKNOWN_KEY'
  | 'KILN_E_MISSING'
  | 'KILN_E_TYPE'
  | 'KILN_E_BITS'
  | 'KILN_E_RANGE'
  | 'KILN_E_UNKNOWN_DEVICE'
  | 'KILN_E_UNKNOWN_KIND'
  | 'KILN_E_UNKNOWN_LAYER'
  | 'KILN_E_STORAGE'
  | 'KILN_E_MULTIPLIER'
  | 'KILN_E_BUDGET'
  | 'KILN_E_SHAPE'
  | 'KILN_E_GRAPH'
  | 'KILN_E_NOT_APPLICABLE'
  | 'KILN_E_UNSUPPORTED'
  | 'KILN_E_TOOL'
  | 'KILN_E_DATA'
  | 'KILN_E_USAGE'
  | 'KILN_E_IO'
  | 'KILN_E_WEIGHTS'
  /** kiln search --write cannot edit the config in place (a computed part), or the edit would not reproduce the point. */
  | 'KILN_E_SEARCH_WRITE'
  | 'KILN_W_NOT_BUILDABLE'
  | 'KILN_W_UNUSED_TENSOR'
  /** A bug in kiln (the one code that asks to be reported). */
  | 'KILN_E_INTERNAL';

export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

export interface Diagnostic {
  code: DiagnosticCode;
  severity: 'error' | 'warning';
  /** The config field, e.g. ['layers', 'encoder.0.ffn.fc1', 'weightBits']. */
  path: readonly (string | number)[];
  message: string;
  hint?: string;
  loc?: SourceLocation;
}

/** Thrown at the edges for user errors; carries every diagnostic so all of them can be reported at once. */
export class KilnError extends Error {
  readonly diagnostics: readonly Diagnostic[];
  constructor(diagnostics: readonly Diagnostic[]) {
    super(diagnostics.map(formatDiagnosticPlain).join('\n'));
    this.name = 'KilnError';
    this.diagnostics = diagnostics;
  }
}

/** Errors thrown across module instances (src vs dist) are recognised by shape, not by class identity. */
export function isKilnError(err: unknown): err is KilnError {
  return (
    err instanceof KilnError ||
    (typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'KilnError' && Array.isArray((err as { diagnostics?: unknown }).diagnostics))
  );
}

export function diagnostic(
  code: DiagnosticCode,
  path: readonly (string | number)[],
  message: string,
  hint?: string,
): Diagnostic {
  // Messages quote what the config wrote, which may be a megabyte-long key; a message stays readable.
  const text = message.length > MAX_MESSAGE_LENGTH ? `${message.slice(0, MAX_MESSAGE_LENGTH - 3)}...` : message;
  return hint === undefined ? { code, severity: 'error', path, message: text } : { code, severity: 'error', path, message: text, hint };
}

const MAX_MESSAGE_LENGTH = 500;

/** Throws a single-diagnostic KilnError. */
export function fail(code: DiagnosticCode, path: readonly (string | number)[], message: string, hint?: string): never {
  throw new KilnError([diagnostic(code, path, message, hint)]);
}

/** A value as a message shows what the config gave: short, and safe for anything a config can hold. */
export function describeValue(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (typeof v === 'function') return 'a function';
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  if (typeof v === 'bigint') return `${v}n (a BigInt)`;
  if (typeof v === 'symbol') return 'a symbol';
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v);
  if (Array.isArray(v)) return 'an array';
  return 'an object';
}

/** `layers['encoder.0.ffn.fc1'].weightBits` style rendering of a field path. */
export function formatFieldPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const whole of path) {
    // (A key can be a megabyte long; the message shows its start and its length.)
    const part = typeof whole === 'string' && whole.length > 80 ? `${whole.slice(0, 40)}…(${whole.length} characters)` : whole;
    if (typeof part === 'number') out += `[${part}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(part)) out += out === '' ? part : `.${part}`;
    else out += `[${JSON.stringify(part).replace(/"/g, "'")}]`;
  }
  return out;
}

export function formatDiagnosticPlain(d: Diagnostic): string {
  const where = d.path.length > 0 ? `${formatFieldPath(d.path)}: ` : '';
  const loc = d.loc ? ` (${d.loc.file}:${d.loc.line}:${d.loc.column})` : '';
  const hint = d.hint ? `\n  hint: ${d.hint}` : '';
  return `${d.severity}[${d.code}] ${where}${d.message}${loc}${hint}`;
}

/** Levenshtein distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}

/** The closest candidate, or undefined when nothing is reasonably close. */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of candidates) {
    const d = editDistance(word, c);
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  if (best === undefined) return undefined;
  return bestDistance <= Math.max(2, Math.ceil(best.length / 3)) ? best : undefined;
}

export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  const n = nearest(word, candidates);
  return n === undefined ? undefined : `did you mean '${n}'?`;
}
