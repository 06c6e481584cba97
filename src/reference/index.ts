export { quantizeModel, quantizeLayer, syntheticWindows, CALIBRATION_WINDOWS } from './quantize.js';
export { runReference, runLayer, randomLayerInputs } from './run.js';
export { KIND_SEMANTICS } from './kinds/index.js';
export { expTable, softmaxOutputParams } from './kinds/softmax.js';
export type * from './types.js';
