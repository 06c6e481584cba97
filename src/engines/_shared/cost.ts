/** Cost-model pieces shared by engines. */
import { adder, comparator, saturate, type Sink } from '../../devices/primitives.js';

/**
 * kiln_arith.requantize on a `fromBits` value into `outBits`: + 2^(n-1) (rounding), the arithmetic shift
 * (wiring), + z_y, saturation to the output width.
 */
export function requantizerParts(s: Sink, fromBits: number, outBits: number): void {
  adder(s, 'requant rounding', fromBits);
  adder(s, 'requant zero point', outBits + 2);
  saturate(s, 'requant', outBits + 2, outBits);
  comparator(s, 'requant high', outBits + 2);
}
