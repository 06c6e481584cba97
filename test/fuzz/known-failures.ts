/**
 * Known kiln bugs the fuzzer finds, each with a minimal reproduction. A failure that matches an entry is
 * reported (in bench/results/fuzz.md and in the suite test's log) but does not fail the run; any other failure
 * does. Each matcher is narrow: the generator family that provokes the bug and the failure categories it
 * shows up as. Remove an entry when kiln is fixed (the fuzz report says which entries matched nothing).
 *
 * In the reproductions `kiln` is `node bin/kiln.js` of a built checkout, run in a folder holding the file.
 */
import type { FuzzCase } from './generators.js';
import type { Failure } from './runner.js';

export interface KnownFailure {
  readonly id: string;
  readonly title: string;
  /** Config source, command and what kiln does. */
  readonly reproduction: string;
  readonly matches: (c: FuzzCase, f: Pick<Failure, 'category' | 'message' | 'run'>) => boolean;
}

/**
 * None at present: the 17 bugs the fuzzer found while it was written (hand-made model specs, prototype keys as
 * devices, model names that are kiln's own design units, BigInts, ES/CommonJS export forms, import('kiln-fpga'),
 * megabyte keys, over-long layer names, quadratic diagnostics, exported typed arrays, memory outside the heap,
 * V8 aborts on out-of-memory) are fixed, each with a test in test/cli/invalid-configs.test.ts,
 * test/dsl/module-forms.test.ts or test/dsl/sandbox.test.ts. Helpers for a matcher: `c.family.startsWith(…)`
 * for the generator, `f.category` for the check.
 */
export const KNOWN_FAILURES: readonly KnownFailure[] = [];

/** The id of the known bug a failure is, if any. */
export function knownFailure(c: FuzzCase, f: Pick<Failure, 'category' | 'message' | 'run'>): string | undefined {
  return KNOWN_FAILURES.find((k) => k.matches(c, f))?.id;
}
