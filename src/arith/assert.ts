/** Argument checks shared by the arithmetic helpers. Internal: not re-exported by the barrel. */

/** Throws a RangeError naming the function when `ok` is false. */
export function check(ok: boolean, fn: string, message: string): asserts ok {
  if (!ok) reject(fn, message);
}

/**
 * Throws that RangeError. Per-element paths write `if (!ok) reject(fn, \`…\`)` so that the message is built only
 * on failure.
 */
export function reject(fn: string, message: string): never {
  throw new RangeError(`${fn}: ${message}`);
}

/** Checks that `value` is an integer in [min, max]. */
export function checkInt(value: number, min: number, max: number, fn: string, what: string): void {
  if (!(Number.isInteger(value) && value >= min && value <= max)) reject(fn, `${what} must be an integer in ${min}..${max}, got ${value}`);
}

/** Largest shift accepted anywhere (2^1023 is the largest power of two that is a finite double). */
export const SHIFT_LIMIT = 1023;
