/** The top level's cost counts the read ports its VHDL multiplexes: the plan's reads and readerCount agree. */
import { describe, expect, it } from 'vitest';
import { readerCount, topPlan } from '../../src/engines/top/plan.js';
import { graph, transformer } from '../../src/index.js';
import { resolveDesign } from '../../src/ir/index.js';

describe('top level plan', () => {
  it('has, for every layer, as many reads as the cost model counts read ports', () => {
    for (const model of [
      transformer({ window: 5, inputFeatures: 2, dModel: 8, heads: 2, encoderLayers: 2 }),
      graph({ window: 4, features: 3 }, (g, x) => {
        const h = g.relu('act', g.linear('h', x, { out: 4 }));
        return g.add('sum', g.linear('a', h, { out: 4 }), g.linear('b', h, { out: 4 }));
      }),
    ]) {
      const design = resolveDesign({ device: 'xc7s50', model });
      const plan = topPlan(design);
      for (const node of design.layers) expect(plan.reads.get(node.path)!.length, node.path).toBe(readerCount(design, node));
      expect(plan.scheduled.map((l) => l.path)).toEqual(design.layers.filter((l) => l.role === 'scheduled').map((l) => l.path));
    }
  });
});
