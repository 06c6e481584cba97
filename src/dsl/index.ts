export { defineConfig } from './define-config.js';
export { graph, GraphBuilder, vhdlName } from './model.js';
export type { GraphInput, GraphOptions, GraphSpec, LayerPath, LayerSpec, MatmulMode, Model, Shape, Tensor } from './model.js';
export { transformer, ENCODER_SUBLAYERS, TOP_LAYERS } from './transformer.js';
export type { TransformerOptions, TransformerPath } from './transformer.js';
export type { AccuracyBudget, Budget, ConfigEnv, ConfigExport, CsvData, FileWeights, KilnConfig, LayerSettings, NpyData, QuantizationSettings, SyntheticWeights } from './types.js';
export * from './vocabulary.js';
export * from './diagnostics.js';
