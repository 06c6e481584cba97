import type { LayerKind } from '../../dsl/index.js';
import type { KindEstimator } from './_shared.js';
import { add, posenc } from './elementwise.js';
import { avgpool } from './avgpool.js';
import { input } from './input.js';
import { linear } from './linear.js';
import { matmul } from './matmul.js';
import { batchnorm, layernorm } from './norm.js';
import { relu } from './relu.js';
import { softmax } from './softmax.js';

export type { KindEstimator } from './_shared.js';

export const KIND_ESTIMATORS = {
  input,
  linear,
  posenc,
  matmul,
  softmax,
  add,
  batchnorm,
  layernorm,
  relu,
  avgpool,
} as const satisfies Record<LayerKind, KindEstimator>;
