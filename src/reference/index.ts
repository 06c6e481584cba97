/** The integer reference model and the quantization of a design (each one implementation, optionally cached). */
export { quantizeModel, quantizeWithStats, observe, type QuantizeSources, type Observer, quantizeLayer, createQuantizeCache, arithmeticView, syntheticWindows, TEST_WINDOWS, type QuantizeCache, type QuantizeStats, type FloatEntry } from './quantize.js';
export { runReference, runReferenceWithStats, runLayer, randomLayerInputs, createReferenceCache, arithmeticKey, paramsHash, type ReferenceCache } from './run.js';
export type * from './types.js';
export { evaluate, floatForward, createEvaluationCache, type EvaluationCache, type Evaluation, type HeldOut, type Metrics } from './evaluate.js';
