/** The top level: the layer-at-a-time schedule and the read multiplexers, its VHDL and its cost. */
export { topPlan, modelCycles, HANDOFF_CYCLES_PER_LAYER, type TopPlan, type TopRead } from './plan.js';
export { topParts } from './cost.js';
export { emitTop } from './vhdl.js';
