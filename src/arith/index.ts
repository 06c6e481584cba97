/**
 * kiln's one integer arithmetic (exact, BigInt) and the float helpers that choose quantization parameters.
 * The VHDL package `kiln_arith` (src/engines/_shared/arith-package.ts) mirrors roundShift / saturate / requantize.
 * Rules and rationale: docs/arithmetic.md.
 */
export { intRange, isqrt, roundRatioSymmetric, roundShift, saturate, requantize, requantizer, signedBitsFor, unsignedBitsFor } from './integer.js';
export { MAX_SHIFT, REQUANT_MULTIPLIER_BITS, chooseMultiplier, multiplierRelativeError, type Multiplier } from './multiplier.js';
export { affineParams, quantize, quantizeAll, dequantize, type AffineParams } from './affine.js';
