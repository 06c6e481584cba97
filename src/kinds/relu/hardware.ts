/** ReLU is its own engine: a compare and a select on the producer's read path. */
import { NO_PLAN, type EngineBinding, type NoPlan } from '../../engines/index.js';
import type { RowsCols } from '../_shared/rules.js';
import type { KindNode, NoParams } from '../types.js';

export const hardware: EngineBinding<KindNode<'relu', RowsCols>, NoParams> = {
  engine: 'relu',
  plan: (): NoPlan => NO_PLAN,
  constants: (): NoPlan => NO_PLAN,
};
