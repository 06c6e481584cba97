/**
 * The model input buffer: written by the host through a write port before `enable`, read by the first layers;
 * no datapath and no stage in the schedule.
 */
import { addressBits } from '../../devices/mapping.js';
import { memory, mux } from '../../devices/primitives.js';
import { bufferRule } from '../_shared/memories.js';
import type { NoPlan } from '../_shared/plan.js';
import type { Engine } from '../types.js';
import { emitInputBuffer } from './vhdl.js';

export const buffer: Engine<NoPlan, NoPlan> = {
  role: 'host',
  vhdl: (node) => emitInputBuffer(node),
  parts: (node, _plan, s) => {
    memory(s, 'output buffer', node.buffer!);
    mux(s, 'host/layer address', 2, addressBits(node.output.elements));
  },
  cycles: () => 0,
  memories: (node) => [bufferRule(node, 'mem')],
};
