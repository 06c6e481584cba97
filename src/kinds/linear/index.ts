import type { KindDefinition } from '../types.js';
import { hardware } from './hardware.js';
import { rules, type LinearDims } from './rules.js';
import { semantics, type LinearFloat, type LinearParams } from './semantics.js';

export const linear: KindDefinition<'linear', LinearDims, LinearFloat, LinearParams> = { kind: 'linear', rules, semantics, hardware };
