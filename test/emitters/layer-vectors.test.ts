/**
 * Layer testbenches replay real activations: their first runs are what each producer outputs on recorded test
 * windows (through the integer reference model), the last is full-range random, and every expected output is
 * the layer's reference on those inputs.
 */
import { describe, expect, it } from 'vitest';
import { compileProject } from '../../src/build/index.js';
import { recordedWindows } from '../../src/emitters/vhdl/index.js';
import { runLayer, runReference } from '../../src/reference/index.js';
import { ROOT } from '../helpers.js';

const values = (text: string) => text.split('\n').filter((l) => l !== '' && !l.startsWith('#')).map(Number);

describe('layer testbench vectors', () => {
  it('recorded windows are spread over the test windows', () => {
    expect(recordedWindows(16)).toEqual([0, 5, 10]);
    expect(recordedWindows(2)).toEqual([0, 1]);
    expect(recordedWindows(1)).toEqual([0]);
  });

  it('the trained default model: each layer replays its producers’ outputs on real test windows, then random inputs', async () => {
    const r = await compileProject({ cwd: ROOT });
    const model = r.quantized!;
    expect(model.testInputs.length).toBe(16);
    const windows = recordedWindows(model.testInputs.length);
    const reference = windows.map((w) => runReference(r.design, model, model.testInputs[w]!));
    const layers = r.testbenches.filter((t) => t.kind !== 'model');
    expect(layers.length).toBeGreaterThan(10);
    for (const tb of layers) {
      const node = r.design.layers.find((l) => l.path === tb.unit)!;
      expect(tb.windows).toBe(windows.length + 1);
      const inputs = node.inputs.map((inp, p) => {
        const file = r.artifacts.get(tb.vectors[`X${p}_FILE`]!)!;
        expect(file.split('\n')[0]).toMatch(/recorded from test windows 0, 5, 10; last run: full-range random/);
        const x = values(file);
        expect(x.length).toBe((windows.length + 1) * inp.elements);
        windows.forEach((_, k) => expect(x.slice(k * inp.elements, (k + 1) * inp.elements), `${tb.unit} x${p} run ${k}`).toEqual(Array.from(reference[k]!.get(inp.from)!)));
        return x;
      });
      const y = values(r.artifacts.get(tb.vectors.Y_FILE!)!);
      const outs = node.output.elements;
      for (let k = 0; k <= windows.length; k++) {
        const runInputs = node.inputs.map((inp, p) => Int32Array.from(inputs[p]!.slice(k * inp.elements, (k + 1) * inp.elements)));
        expect(y.slice(k * outs, (k + 1) * outs), `${tb.unit} y run ${k}`).toEqual(Array.from(runLayer(node, model, runInputs)));
        if (k < windows.length) expect(y.slice(k * outs, (k + 1) * outs)).toEqual(Array.from(reference[k]!.get(node.path)!));
      }
      // The random run covers the input widths; the recorded runs are what the model really produces.
      const random = inputs[0]!.slice(windows.length * node.inputs[0]!.elements);
      const recorded = inputs[0]!.slice(0, windows.length * node.inputs[0]!.elements);
      expect(random, tb.unit).not.toEqual(recorded.slice(0, random.length));
    }
  });
});
