export { resolveDesign, AUTO_BRAM_MIN_BITS, AUTO_REGISTER_MAX_DEPTH } from './resolve.js';
export { KIND_RULES, REQUANT_MULTIPLIER_BITS, softmaxExpFractionBits } from './kinds.js';
export * from './types.js';
