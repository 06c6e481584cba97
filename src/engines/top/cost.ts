/**
 * The top level's own logic, counted from the same schedule and read ports as its VHDL (plan.ts, vhdl.ts): the
 * stage counter and its decode, the done multiplexer, and a read-address multiplexer per buffer with several
 * readers. It reads the IR directly rather than building the plan's lists, since every estimate calls it.
 */
import { addressBits } from '../../devices/mapping.js';
import { block, counter, mux, type Sink } from '../../devices/primitives.js';
import type { ResolvedDesign } from '../../ir/types.js';
import { readerCount } from './plan.js';

export function topParts(design: ResolvedDesign, s: Sink): void {
  let stages = 0;
  for (const l of design.layers) if (l.role === 'scheduled') stages++;
  counter(s, 'stage', stages + 1);
  mux(s, 'stage done', stages, 1);
  block(s, 'control', 'stage decode (enables)', stages, 0);
  for (const l of design.layers) {
    if (l.role === 'on-read') continue; // its address passes through to its producer's multiplexer
    const readers = readerCount(design, l);
    if (readers > 1) mux(s, s.named ? `${l.path} read address` : '', readers + 1, addressBits(l.output.elements));
  }
}
