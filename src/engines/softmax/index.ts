/** The row-wise softmax engine (max pass, exponential table, restoring divider). */
import { bufferRule, romRules } from '../_shared/memories.js';
import type { Engine } from '../types.js';
import { softmaxParts } from './cost.js';
import { softmaxCycles, type SoftmaxConstants, type SoftmaxPlan } from './plan.js';
import { emitSoftmaxLayer } from './vhdl.js';

export const softmax: Engine<SoftmaxPlan, SoftmaxConstants> = {
  role: 'scheduled',
  vhdl: emitSoftmaxLayer,
  parts: softmaxParts,
  cycles: softmaxCycles,
  memories: (node) => [bufferRule(node), { match: { signal: 'row_mem' }, attribute: 'ram_style', value: 'distributed', role: 'softmax row buffer' }, ...romRules(node)],
};

export * from './plan.js';
