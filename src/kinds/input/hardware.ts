/** The input is the buffer engine: written by the host, read by the first layers. */
import { NO_PLAN, type EngineBinding, type NoPlan } from '../../engines/index.js';
import type { RowsCols } from '../_shared/rules.js';
import type { KindNode, NoParams } from '../types.js';

export const hardware: EngineBinding<KindNode<'input', RowsCols>, NoParams> = {
  engine: 'buffer',
  plan: (): NoPlan => NO_PLAN,
  constants: (): NoPlan => NO_PLAN,
};
