import type { KindDefinition, NoParams } from '../types.js';
import { hardware } from './hardware.js';
import { rules, type AvgpoolDims } from './rules.js';
import { semantics, type AvgpoolParams } from './semantics.js';

export const avgpool: KindDefinition<'avgpool', AvgpoolDims, NoParams, AvgpoolParams> = { kind: 'avgpool', rules, semantics, hardware };
