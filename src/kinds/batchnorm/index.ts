import type { RowsCols } from '../_shared/rules.js';
import type { KindDefinition } from '../types.js';
import { hardware } from './hardware.js';
import { rules } from './rules.js';
import { semantics, type BatchnormFloat, type BatchnormParams } from './semantics.js';

export const batchnorm: KindDefinition<'batchnorm', RowsCols, BatchnormFloat, BatchnormParams> = { kind: 'batchnorm', rules, semantics, hardware };
