/** Every generated entity, and the top level, is accepted by GHDL synthesis (the first step of the synthesis flow). */
import { describe, expect } from 'vitest';
import { join } from 'node:path';
import { writeArtifacts } from '../../src/build/write.js';
import { emitHardware } from '../../src/emitters/vhdl/index.js';
import { resolveDesign } from '../../src/ir/index.js';
import { transformer } from '../../src/index.js';
import { quantizeModel } from '../../src/reference/index.js';
import { synthGhdl } from '../../src/toolchain/ghdl.js';
import { tempDir } from '../helpers.js';
import { itGhdl } from './_harness.js';

describe('generated VHDL is synthesizable', () => {
  itGhdl('ghdl --synth accepts every layer entity and the top level, with DSP and LUT multipliers', async () => {
    const design = resolveDesign({
      device: 'xc7s15',
      model: transformer({ window: 4, inputFeatures: 3, dModel: 4, heads: 2, ffnDim: 8 }),
      kinds: { linear: { multiplier: 'lut' }, matmul: { multiplier: 'dsp' } },
      layers: { 'encoder.0.attn.q': { buffer: 'registers' }, 'encoder.0.ffn.fc1': { weightStorage: 'bram', buffer: 'bram' } },
    });
    const { files } = emitHardware(design, quantizeModel(design));
    const out = tempDir('kiln-synth-');
    await writeArtifacts(out, files);
    const sources = files.get('vhdl/files.txt')!.trim().split('\n').map((f) => join(out, 'vhdl', f));
    const entities = [...design.layers.map((l) => l.name), design.name];
    for (const top of entities) {
      const r = await synthGhdl({ workDir: join(out, 'synth', top), files: sources, top, out: 'verilog' });
      expect(r.ok, `${top}: ${r.stderr}`).toBe(true);
      expect(r.netlist).toContain(`module ${top}`);
      expect(r.stderr).not.toMatch(/error/i);
    }
  });
});
