/** kiln's public API: the config DSL, and the stages for programmatic use. */
export * from './dsl/index.js';
export { loadConfig, type LoadedConfig, type LoadOptions } from './dsl/load.js';
export { DEVICES, DEVICE_IDS, findDevice, type Device, type DeviceId } from './devices/index.js';
export { resolveDesign } from './ir/index.js';
export type { LayerNode, ResolvedDesign, MemoryNode, MultiplierNode, TensorInfo } from './ir/index.js';
export { estimateDesign, estimateLayer, type Estimate, type LayerEstimate } from './estimator/index.js';
export { quantizeWindow, dequantizeOutput, type HostInterface, type HostTensor } from './host/index.js';
