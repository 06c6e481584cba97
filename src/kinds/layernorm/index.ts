import type { RowsCols } from '../_shared/rules.js';
import type { KindDefinition, NoParams } from '../types.js';
import { hardware } from './hardware.js';
import { rules } from './rules.js';
import { semantics, type LayernormFloat } from './semantics.js';

export const layernorm: KindDefinition<'layernorm', RowsCols, LayernormFloat, NoParams> = { kind: 'layernorm', rules, semantics, hardware };
