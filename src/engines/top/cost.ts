/**
 * The top level's own logic, read off its plan (plan.ts) like its VHDL (vhdl.ts): the stage counter and its
 * decode, the done multiplexer, and a read-address multiplexer per buffer with several readers.
 */
import { addressBits } from '../../devices/mapping.js';
import { block, counter, mux, type Sink } from '../../devices/primitives.js';
import type { ResolvedDesign } from '../../ir/types.js';
import { topPlan } from './plan.js';

export function topParts(design: ResolvedDesign, s: Sink): void {
  const plan = topPlan(design);
  const stages = plan.scheduled.length;
  counter(s, 'stage', stages + 1);
  mux(s, 'stage done', stages, 1);
  block(s, 'control', 'stage decode (enables)', stages, 0);
  for (const l of design.layers) {
    if (l.role === 'on-read') continue; // its address passes through to its producer's multiplexer
    const readers = plan.reads.get(l.path)!.length;
    if (readers > 1) mux(s, s.named ? `${l.path} read address` : '', readers + 1, addressBits(l.output.elements));
  }
}
