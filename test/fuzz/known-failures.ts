/**
 * Known kiln bugs the fuzzer finds, each with a minimal reproduction. A failure that matches an entry is
 * reported (in bench/results/fuzz.md and by the suite test's log) but does not fail the run; any other failure
 * does. Remove an entry when kiln is fixed: the fuzz report lists entries that matched nothing.
 */
import type { FuzzCase } from './generators.js';
import type { Category, Failure } from './runner.js';

export interface KnownFailure {
  readonly id: string;
  readonly title: string;
  /** Config source, command and what kiln does. */
  readonly reproduction: string;
  readonly matches: (c: FuzzCase, f: Pick<Failure, 'category' | 'message' | 'run'>) => boolean;
}

const family = (c: FuzzCase, ...names: string[]) => names.some((n) => c.family === n || c.family.startsWith(`${n}:`) || c.family.startsWith(`${n}-`));
const is = (f: { category: Category }, ...categories: Category[]) => categories.includes(f.category);

export const KNOWN_FAILURES: readonly KnownFailure[] = [];

/** The id of the known bug a failure is, if any. */
export function knownFailure(c: FuzzCase, f: Pick<Failure, 'category' | 'message' | 'run'>): string | undefined {
  void family;
  void is;
  return KNOWN_FAILURES.find((k) => k.matches(c, f))?.id;
}
