/** The layer-norm engine: row statistics, an integer square root, a divider, and the affine on one multiplier. */
import { bufferRule, romRules } from '../_shared/memories.js';
import type { Engine } from '../types.js';
import { layernormParts } from './cost.js';
import { layernormCycles, type LayernormConstants, type LayernormPlan } from './plan.js';
import { emitLayernormLayer } from './vhdl.js';

export const layernorm: Engine<LayernormPlan, LayernormConstants> = {
  role: 'scheduled',
  vhdl: emitLayernormLayer,
  parts: layernormParts,
  cycles: layernormCycles,
  memories: (node) => [bufferRule(node), ...romRules(node)],
};

export * from './plan.js';
