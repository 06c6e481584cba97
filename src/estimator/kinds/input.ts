/** The model input: a buffer written by the host before `enable`; no datapath, no cycles in the schedule. */
import { addressBits } from '../../devices/mapping.js';
import { mux } from '../primitives.js';
import { type KindEstimator, memories } from './_shared.js';

export const input: KindEstimator = {
  parts: (node, s) => {
    memories(node, s);
    mux(s, 'host/layer address', 2, addressBits(node.output.elements));
  },
  cycles: () => 0,
};
