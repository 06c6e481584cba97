/**
 * Closed vocabularies of the DSL. Each is declared once as a runtime tuple; its type is derived from it,
 * so the editor check and the run-time check cannot drift apart.
 */

export const LAYER_KINDS = [
  'input',
  'linear',
  'posenc',
  'matmul',
  'softmax',
  'add',
  'batchnorm',
  'layernorm',
  'relu',
  'avgpool',
] as const;
export type LayerKind = (typeof LAYER_KINDS)[number];

export const BUFFER_STORAGES = ['bram', 'lutram', 'registers', 'auto'] as const;
export type BufferStorage = (typeof BUFFER_STORAGES)[number];

export const WEIGHT_STORAGES = ['bram', 'lutram', 'logic', 'auto'] as const;
export type WeightStorage = (typeof WEIGHT_STORAGES)[number];

export const MULTIPLIER_MAPPINGS = ['dsp', 'lut', 'auto'] as const;
export type MultiplierMapping = (typeof MULTIPLIER_MAPPINGS)[number];

export const RESOURCES = ['lut', 'ff', 'lutram', 'bram18', 'dsp'] as const;
export type ResourceName = (typeof RESOURCES)[number];

export const MIN_BITS = 2;
export const MAX_BITS = 16;
export type BitWidth = 2 | 3 | 4 | 5 | 6 | 7 | 8 | 9 | 10 | 11 | 12 | 13 | 14 | 15 | 16;

export const LAYER_SETTING_KEYS = ['weightBits', 'outputBits', 'buffer', 'weightStorage', 'multiplier'] as const;

export const CONFIG_KEYS = ['device', 'clockMHz', 'budget', 'model', 'defaults', 'kinds', 'layers', 'weights', 'data', 'quantization', 'accuracy'] as const;
