/**
 * The top level's own logic (src/emitters/vhdl/top.ts): the stage counter and its decode, the done
 * multiplexer, and one read-address multiplexer per buffer, with an input per reading layer.
 */
import { addressBits } from '../devices/mapping.js';
import type { ResolvedDesign } from '../ir/types.js';
import { cost, counter, mux, sum, type Cost, type Part } from './primitives.js';

export function topParts(design: ResolvedDesign): Part[] {
  const byPath = new Map(design.layers.map((l) => [l.path, l]));
  const scheduled = design.layers.filter((l) => l.kind !== 'input' && l.kind !== 'relu');
  const parts: Part[] = [counter('stage', scheduled.length + 1), mux('stage done', scheduled.length, 1), { name: 'stage decode (enables)', group: 'control', cost: cost({ lut: scheduled.length }) }];
  for (const l of design.layers) {
    const readers = l.consumers.reduce((n, c) => n + byPath.get(c)!.inputs.filter((i) => i.from === l.path).length, 0) + (l.path === design.output ? 1 : 0);
    if (l.kind === 'relu') continue; // its address passes through to its producer's multiplexer
    if (readers > 1) parts.push(mux(`${l.path} read address`, readers + 1, addressBits(l.output.elements)));
  }
  return parts;
}

export function estimateTop(design: ResolvedDesign): Cost {
  return sum(topParts(design).map((p) => p.cost));
}
