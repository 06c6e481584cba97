import type { RowsCols } from '../_shared/rules.js';
import type { KindDefinition } from '../types.js';
import { hardware } from './hardware.js';
import { rules } from './rules.js';
import { semantics, type LayernormFloat, type LayernormParams } from './semantics.js';

export const layernorm: KindDefinition<'layernorm', RowsCols, LayernormFloat, LayernormParams> = { kind: 'layernorm', rules, semantics, hardware };
