import type { RowsCols } from '../_shared/rules.js';
import type { KindDefinition, NoParams } from '../types.js';
import { hardware } from './hardware.js';
import { rules } from './rules.js';
import { semantics } from './semantics.js';

export const relu: KindDefinition<'relu', RowsCols, NoParams, NoParams> = { kind: 'relu', rules, semantics, hardware };
