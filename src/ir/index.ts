export { resolveDesign, AUTO_BRAM_MIN_BITS, AUTO_REGISTER_MAX_DEPTH } from './resolve.js';
export * from './types.js';
