/** The integer reference model: runs every layer's integer forward in schedule order. */
import type { LayerNode, ResolvedDesign } from '../ir/types.js';
import { intRange } from '../arith/index.js';
import { KIND_SEMANTICS } from './kinds/index.js';
import { createRng } from './rng.js';
import type { QuantizedModel } from './types.js';

/** Output of every layer (path → integers, row-major) for one input window. */
export function runReference(design: ResolvedDesign, model: QuantizedModel, input: Int32Array): Map<string, Int32Array> {
  const values = new Map<string, Int32Array>();
  for (const node of design.layers) {
    const inputs = node.kind === 'input' ? [input] : node.inputs.map((i) => values.get(i.from)!);
    values.set(node.path, runLayer(node, model, inputs));
  }
  return values;
}

export function runLayer(node: LayerNode, model: QuantizedModel, inputs: readonly Int32Array[]): Int32Array {
  const layer = model.layers.get(node.path);
  if (!layer) throw new Error(`no quantized parameters for ${node.path}`);
  const out = KIND_SEMANTICS[node.kind].int(node, layer, inputs);
  const { min, max } = intRange(node.output.bits);
  for (const v of out) if (v < min || v > max) throw new Error(`${node.path}: reference output ${v} outside ${node.output.bits}-bit range`);
  return out;
}

/** Full-range random inputs for a layer's own test (every representable value of each input's width). */
export function randomLayerInputs(node: LayerNode, seed: number): Int32Array[] {
  const rng = createRng(seed, `vectors:${node.path}`);
  return node.inputs.map((i) => {
    const { min, max } = intRange(i.bits);
    return Int32Array.from({ length: i.elements }, () => rng.int(min, max));
  });
}
