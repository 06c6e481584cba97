import type { RowsCols } from '../_shared/rules.js';
import type { KindDefinition } from '../types.js';
import { hardware } from './hardware.js';
import { rules } from './rules.js';
import { semantics, type PosencFloat, type PosencParams } from './semantics.js';

export const posenc: KindDefinition<'posenc', RowsCols, PosencFloat, PosencParams> = { kind: 'posenc', rules, semantics, hardware };
