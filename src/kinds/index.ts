/** The layer kinds: one folder each (rules, semantics, hardware binding), bound by a typed registry. */
export { KINDS, type DimsMap, type FloatMap, type ParamsMap, type KindDefinitions } from './registry.js';
export { costOf, hardwareOf, isScheduled, layerOfKind, type BoundHardware } from './hardware.js';
export type { FloatBatch, KindDefinition, KindNode, KindQuantLayer, KindRules, KindSemantics, MemoryShape, NoHardware, NoParams, Setting, SpecOf } from './types.js';
export { softmaxExpFractionBits, softmaxSumBits } from './softmax/rules.js';
export { expTable, softmaxOutputParams } from './softmax/semantics.js';
