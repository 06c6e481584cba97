/** Units: every generated file belongs to exactly one unit, the units add up to emitHardware, and keys are canonical. */
import { describe, expect, it } from 'vitest';
import { emitHardware, emitHardwareUnit, hardwareUnits, testbenchEntries } from '../../src/emitters/vhdl/index.js';
import { graph, transformer } from '../../src/index.js';
import { resolveDesign } from '../../src/ir/index.js';
import { quantizeModel } from '../../src/reference/index.js';
import { hashValue } from '../../src/util/hash.js';
import { generatorRevision } from '../../src/build/generator.js';
import { KILN_VERSION } from '../../src/version.js';

const DESIGNS = {
  transformer: { device: 'xc7s15', model: transformer({ window: 6, inputFeatures: 3, dModel: 8, heads: 2, ffnDim: 16, encoderLayers: 2 }) },
  mlp: { device: 'xc7s15', model: graph({ window: 1, features: 16, name: 'mlp' }, (g, x) => g.linear('fc2', g.relu('act', g.linear('fc1', x, { out: 8 })), { out: 1 })) },
};

describe('build units', () => {
  for (const [name, cfg] of Object.entries(DESIGNS)) {
    it(`${name}: the units' files are disjoint and add up to emitHardware, byte for byte`, () => {
      const design = resolveDesign(cfg);
      const model = quantizeModel(design);
      const all = emitHardware(design, model);
      const tbs = testbenchEntries(design);
      expect(tbs).toEqual(all.testbenches);
      const units = hardwareUnits(design).map((u) => emitHardwareUnit(u, { design, model, testbenches: tbs }));
      const union = new Map<string, string>();
      for (const u of units) {
        for (const [rel, text] of u) {
          expect(union.has(rel), `${rel} in two units`).toBe(false);
          union.set(rel, text);
        }
      }
      expect(new Map([...union].sort())).toEqual(new Map([...all.files].sort()));
    });
  }

  it('keys are canonical: key order does not matter, types do, undefined members are skipped', () => {
    expect(hashValue({ a: 1, b: [2, 3] })).toBe(hashValue({ b: [2, 3], a: 1 }));
    expect(hashValue({ a: 1, c: undefined })).toBe(hashValue({ a: 1 }));
    expect(hashValue(Int32Array.of(1, 2))).not.toBe(hashValue([1, 2]));
    expect(hashValue(Int32Array.of(1, 2))).not.toBe(hashValue(Float64Array.of(1, 2)));
    expect(hashValue('1')).not.toBe(hashValue(1));
    expect(hashValue(['ab', 'c'])).not.toBe(hashValue(['a', 'bc']));
    expect(hashValue(Int32Array.of(1, 2).subarray(1))).toBe(hashValue(Int32Array.of(2)));
    expect(hashValue({ a: { b: 1 } })).not.toBe(hashValue({ a: {}, b: 1 }));
    expect(hashValue({ a: 'x' })).not.toBe(hashValue({ a: 'x', b: null }));
  });

  it('the generator revision names the kiln version, the revision constant and a hash of the generator code', () => {
    expect(generatorRevision()).toMatch(new RegExp(`^${KILN_VERSION.replace(/\./g, '\\.')}\\+r\\d+\\.[0-9a-f]{16}$`));
    expect(generatorRevision()).toBe(generatorRevision());
  });
});
