export { resolveDesign, AUTO_BRAM_MIN_BITS, AUTO_REGISTER_MAX_DEPTH } from './resolve.js';
export { buildProblems, buildProblemDiagnostics, type BuildProblem } from './capability.js';
export type { DataSource, QuantizationSource, SplitFractions, WeightsSource } from './sources.js';
export * from './types.js';
