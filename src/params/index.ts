/** Trained parameters: weights files (safetensors, ONNX) read as hostile input and bound to a design's layers. */
export { loadTensorFile, MAX_WEIGHTS_BYTES } from './load.js';
export { readSafetensors } from './safetensors.js';
export { readOnnx } from './onnx.js';
export { bindWeights, type BoundWeights, type ModuleMap } from './bind.js';
export type { Tensor, TensorFile, Dtype } from './tensors.js';
