/** The engines (datapaths), their plans, and the shared VHDL helpers. */
export { ENGINES, type EngineName, type PlanMap, type ConstantsMap } from './registry.js';
export type { Engine, EngineBinding, EngineRole, BindingTo, LayerQuantization, NetlistMemoryRule } from './types.js';
export { NO_PLAN, type NoPlan } from './_shared/plan.js';
