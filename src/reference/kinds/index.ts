import type { LayerKind } from '../../dsl/index.js';
import type { KindSemantics } from '../types.js';
import { add } from './add.js';
import { avgpool } from './avgpool.js';
import { batchnorm } from './batchnorm.js';
import { input } from './input.js';
import { layernorm } from './layernorm.js';
import { linear } from './linear.js';
import { matmul } from './matmul.js';
import { posenc } from './posenc.js';
import { relu } from './relu.js';
import { softmax } from './softmax.js';

export const KIND_SEMANTICS = {
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
} as const satisfies Record<LayerKind, KindSemantics>;
