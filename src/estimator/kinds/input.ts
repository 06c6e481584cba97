/** The model input: a buffer written by the host before `enable`; no datapath, no cycles in the schedule. */
import { type KindEstimator, memories } from './_shared.js';
import { mux } from '../primitives.js';

export const input: KindEstimator = {
  parts: (node) => [...memories(node), mux('host/layer address', 2, Math.ceil(Math.log2(Math.max(2, node.output.elements))))],
  cycles: () => 0,
};
