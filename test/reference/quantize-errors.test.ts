/** A factor a kind cannot represent becomes a diagnostic naming the layer, not an internal error. */
import { describe, expect, it } from 'vitest';
import { isKilnError } from '../../src/dsl/diagnostics.js';
import { resolveDesign } from '../../src/ir/index.js';
import { transformer } from '../../src/index.js';
import { chooseMultiplier } from '../../src/arith/index.js';
import { quantizeLayer } from '../../src/reference/index.js';

describe('quantizeLayer', () => {
  const node = resolveDesign({ device: 'xc7s15', model: transformer({ window: 4, inputFeatures: 2, dModel: 4 }) }).layers[1]!;

  it('turns an unrepresentable multiplier into KILN_E_UNSUPPORTED on the layer', () => {
    let caught: unknown;
    try {
      quantizeLayer(node, () => chooseMultiplier(1e9));
    } catch (err) {
      caught = err;
    }
    expect(isKilnError(caught)).toBe(true);
    const d = (caught as { diagnostics: { code: string; path: string[]; message: string }[] }).diagnostics[0]!;
    expect(d.code).toBe('KILN_E_UNSUPPORTED');
    expect(d.path).toEqual(['model', 'input_linear']);
    expect(d.message).toMatch(/cannot quantize 'input_linear'/);
  });

  it('passes results and kiln diagnostics through unchanged', () => {
    expect(quantizeLayer(node, () => 42)).toBe(42);
  });
});
