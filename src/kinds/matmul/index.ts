import type { KindDefinition, NoParams } from '../types.js';
import { hardware } from './hardware.js';
import { rules, type MatmulDims } from './rules.js';
import { semantics, type MatmulParams } from './semantics.js';

export const matmul: KindDefinition<'matmul', MatmulDims, NoParams, MatmulParams> = { kind: 'matmul', rules, semantics, hardware };
