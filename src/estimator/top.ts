/**
 * The top level's own logic (src/emitters/vhdl/top.ts): the stage counter and its decode, the done
 * multiplexer, and one read-address multiplexer per buffer, with an input per reading layer.
 */
import { addressBits } from '../devices/mapping.js';
import type { ResolvedDesign } from '../ir/types.js';
import { block, counter, mux, PartList, type Part, type Sink } from './primitives.js';

export function topBlocks(design: ResolvedDesign, s: Sink): void {
  let scheduled = 0;
  for (const l of design.layers) if (l.kind !== 'input' && l.kind !== 'relu') scheduled++;
  counter(s, 'stage', scheduled + 1);
  mux(s, 'stage done', scheduled, 1);
  block(s, 'control', 'stage decode (enables)', scheduled, 0);
  for (const l of design.layers) {
    if (l.kind === 'relu') continue; // its address passes through to its producer's multiplexer
    // one entry in `consumers` per reading port (a layer reading a buffer twice is listed twice)
    const readers = l.consumers.length + (l.path === design.output ? 1 : 0);
    if (readers > 1) mux(s, s.named ? `${l.path} read address` : '', readers + 1, addressBits(l.output.elements));
  }
}

export function topParts(design: ResolvedDesign): Part[] {
  const list = new PartList();
  topBlocks(design, list);
  return list.parts;
}
