import type { RowsCols } from '../_shared/rules.js';
import type { KindDefinition, NoParams } from '../types.js';
import { hardware } from './hardware.js';
import { rules } from './rules.js';
import { semantics, type AddParams } from './semantics.js';

export const add: KindDefinition<'add', RowsCols, NoParams, AddParams> = { kind: 'add', rules, semantics, hardware };
