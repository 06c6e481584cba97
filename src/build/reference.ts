/**
 * The integer reference model on the sample window, with memory: each layer's output is kept between builds
 * under a key chaining its arithmetic (the `ref:` facet of @model: IR dimensions and widths plus its quantized
 * layer) and its producers' keys, so after a change only the changed layer and the layers downstream of it
 * are recomputed. Equal to runReference(); test/watch/reference.test.ts checks it.
 */
import type { ResolvedDesign } from '../ir/types.js';
import { runLayer } from '../reference/index.js';
import type { QuantizedModel } from '../reference/types.js';
import { hashContent } from '../util/hash.js';

export type ReferenceCache = Map<string, { key: string; values: Int32Array }>;

export function createReferenceCache(): ReferenceCache {
  return new Map();
}

/**
 * Output of every layer for the model's sample input. `arithmetic` gives each layer's arithmetic hash (the
 * @model unit's `ref:<path>` facet) and `sample` the sample input's hash.
 */
export function referenceOutputs(design: ResolvedDesign, model: QuantizedModel, arithmetic: (path: string) => string, sample: string, cache: ReferenceCache = createReferenceCache()): { values: Map<string, Int32Array>; computed: string[] } {
  const values = new Map<string, Int32Array>();
  const keys = new Map<string, string>();
  const computed: string[] = [];
  for (const node of design.layers) {
    const key = hashContent([arithmetic(node.path), node.kind === 'input' ? sample : '', ...node.inputs.map((i) => keys.get(i.from)!)].join('|'));
    keys.set(node.path, key);
    let entry = cache.get(node.path);
    if (entry?.key !== key) {
      const inputs = node.kind === 'input' ? [model.sampleInput] : node.inputs.map((i) => values.get(i.from)!);
      entry = { key, values: runLayer(node, model, inputs) };
      cache.set(node.path, entry);
      computed.push(node.path);
    }
    values.set(node.path, entry.values);
  }
  for (const path of [...cache.keys()]) if (!values.has(path)) cache.delete(path);
  return { values, computed };
}
