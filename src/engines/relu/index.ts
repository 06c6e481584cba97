/**
 * ReLU on the read path: no buffer, no clock, no stage in the schedule. Its consumer's read address passes
 * through to the producer, whose clocked data comes back as max(x, z_x): one compare and a select.
 */
import { comparator, mux } from '../../devices/primitives.js';
import type { NoPlan } from '../_shared/plan.js';
import type { Engine } from '../types.js';
import { emitReluLayer } from './vhdl.js';

export const relu: Engine<NoPlan, NoPlan> = {
  role: 'on-read',
  vhdl: (node, _plan, _constants, q) => emitReluLayer(node, q),
  parts: (node, _plan, s) => {
    comparator(s, 'relu', node.output.bits);
    mux(s, 'relu', 2, node.output.bits);
  },
  cycles: () => 0,
  memories: () => [],
};
