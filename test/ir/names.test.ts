/**
 * Layer names whose VHDL entity names would collide with kiln's own design units (issue 9, item 8) are
 * rejected, naming both; VHDL identifiers are compared regardless of case.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { graph, type GraphSpec, type Tensor } from '../../src/dsl/index.js';
import { entityNameClashes } from '../../src/ir/names.js';
import { resolveDesign } from '../../src/ir/index.js';
import { configSource, kiln, project } from '../helpers.js';

/** A chain of linear layers with these names. */
const chain = (names: string[], name = 'm') =>
  graph({ window: 2, features: 3, name }, (g, x) => names.reduce<Tensor>((t, n) => g.linear(n, t, { out: 2 }), x));

const messages = (names: string[], name?: string) => entityNameClashes(chain(names, name).describe()).map((d) => d.message);

describe('entity names', () => {
  it("a layer named like another layer's testbench (fc1_tb next to fc1), in any case", () => {
    expect(messages(['fc1', 'fc1_tb'])).toEqual(["layer 'fc1_tb' gives the VHDL name 'fc1_tb', which is already the testbench of layer 'fc1' (sim/fc1_tb.vhd)"]);
    expect(messages(['FC1_TB', 'fc1'])).toEqual(["layer 'FC1_TB' gives the VHDL name 'fc1_tb', which is already the testbench of layer 'fc1' (sim/fc1_tb.vhd)"]);
  });

  it("kiln's arithmetic package, the model's testbench and the top level's schedule", () => {
    expect(messages(['kiln_arith'])).toEqual(["layer 'kiln_arith' gives the VHDL name 'kiln_arith', which is already kiln's arithmetic package (vhdl/kiln_arith.vhd)"]);
    expect(messages(['Kiln_Arith'])[0]).toMatch(/which is already kiln's arithmetic package/);
    expect(messages(['net_tb'], 'net')).toEqual(["layer 'net_tb' gives the VHDL name 'net_tb', which is already the testbench of model 'net' (sim/net_tb.vhd)"]);
    expect(messages(['stage'])[0]).toMatch(/signal 'stage_done' in the top level would collide/);
  });

  it('a hand-made model: the input buffer and layers with the same entity name', () => {
    const spec: GraphSpec = {
      name: 'm',
      output: 'input_buffer',
      layers: [
        { kind: 'input', path: 'input', inputs: [], shape: [2, 3] },
        { kind: 'linear', path: 'input_buffer', inputs: ['input'], shape: [2, 1], bias: true },
      ],
    };
    expect(entityNameClashes(spec).map((d) => d.message)).toEqual(["layer 'input_buffer' gives the VHDL name 'input_buffer', which is already the entity of layer 'input' (vhdl/input_buffer.vhd)"]);
  });

  it('names that only look alike are fine', () => {
    expect(messages(['fc1', 'fc1_tb2', 'tb', 'stages', 'kiln'])).toEqual([]);
  });

  it('resolveDesign reports it with the other problems; kiln build exits 2 and writes nothing', async () => {
    expect(() => resolveDesign({ device: 'xc7s15', model: chain(['fc1', 'fc1_tb']) })).toThrow(/fc1_tb/);
    const dir = project({
      'fpga.config.ts': configSource(`{ device: 'xc7s15', model: graph({ window: 4, features: 2 }, (g, x) => g.linear('fc1_tb', g.linear('fc1', x, { out: 4 }), { out: 1 })) }`),
    });
    const r = await kiln(['build'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error\[KILN_E_GRAPH\]: model\.fc1_tb: layer 'fc1_tb' gives the VHDL name 'fc1_tb', which is already the testbench of layer 'fc1' \(sim\/fc1_tb\.vhd\)/);
    expect(existsSync(join(dir, 'build'))).toBe(false);
  });
});
