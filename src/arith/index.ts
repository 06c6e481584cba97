/**
 * kiln's one integer arithmetic (exact, BigInt) and the float helpers that choose quantization parameters.
 * The VHDL package `kiln_arith` (src/emitters/vhdl/arith-package.ts) mirrors roundShift / saturate / requantize.
 * Rules and rationale: docs/arithmetic.md.
 */
export { REQUANT_MULTIPLIER_BITS } from '../ir/kinds.js';
/** Bits of a signed number able to hold every integer in [−maxAbs, maxAbs]. */
export { signedBitsFor as bitsForSigned } from '../devices/mapping.js';
export { intRange, roundShift, saturate, requantize, requantizer } from './integer.js';
export { MAX_SHIFT, chooseMultiplier, multiplierRelativeError, type Multiplier } from './multiplier.js';
export { affineParams, quantize, quantizeAll, dequantize, type AffineParams } from './affine.js';
