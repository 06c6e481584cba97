/** The multiply-accumulate engine: linear, matmul, batchnorm, avgpool, add and posenc run on it. */
import { bufferRule, romRules } from '../_shared/memories.js';
import type { Engine } from '../types.js';
import { macParts } from './cost.js';
import { macCycles, type MacConstants, type MacPlan } from './plan.js';
import { emitMacLayer } from './vhdl.js';

export const mac: Engine<MacPlan, MacConstants> = {
  role: 'scheduled',
  vhdl: emitMacLayer,
  parts: macParts,
  cycles: macCycles,
  memories: (node) => [bufferRule(node), ...romRules(node)],
};

export * from './plan.js';
