import type { RowsCols } from '../_shared/rules.js';
import type { KindDefinition, NoParams } from '../types.js';
import { hardware } from './hardware.js';
import { rules } from './rules.js';
import { semantics, type SoftmaxParams } from './semantics.js';

export const softmax: KindDefinition<'softmax', RowsCols, NoParams, SoftmaxParams> = { kind: 'softmax', rules, semantics, hardware };
