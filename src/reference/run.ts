/**
 * The integer reference model: runs every layer's integer forward (src/kinds/<kind>/semantics.ts) in schedule
 * order. One implementation, with an optional cache for incremental builds: each layer's output is kept under a
 * key chaining its arithmetic (IR dimensions and widths plus its quantized layer) and its producers' keys, so
 * after a change only the changed layer and the layers downstream of it are recomputed.
 */
import { intRange } from '../arith/index.js';
import type { LayerKind } from '../dsl/index.js';
import type { LayerNodeOf, ResolvedDesign } from '../ir/types.js';
import { KINDS, layerOfKind } from '../kinds/index.js';
import { hashContent, hashValue } from '../util/hash.js';
import { createRng } from '../util/rng.js';
import { arithmeticView } from './quantize.js';
import type { QuantizedModel, QuantLayer } from './types.js';

export type ReferenceCache = Map<string, { key: string; values: Int32Array }>;

export function createReferenceCache(): ReferenceCache {
  return new Map();
}

/** Hash of a quantized layer's parameters, memoised per object (cached quantizations reuse unchanged layers). */
const paramHashes = new WeakMap<QuantLayer, string>();
export function paramsHash(layer: QuantLayer): string {
  let h = paramHashes.get(layer);
  if (h === undefined) paramHashes.set(layer, (h = hashValue(layer.params)));
  return h;
}

/** What a layer's integer output is a function of, besides its inputs: its arithmetic and its quantized layer. */
export function arithmeticKey(node: Parameters<typeof arithmeticView>[0], layer: QuantLayer): string {
  return hashValue({ node: arithmeticView(node), inputs: layer.inputs, output: layer.output, params: paramsHash(layer) });
}

/**
 * Output of every layer (path → integers, row-major) for one input window. With a cache, layers whose
 * arithmetic and inputs are unchanged since the cached run are not recomputed; `computed` lists the others.
 */
export function runReference(design: ResolvedDesign, model: QuantizedModel, input: Int32Array, cache?: ReferenceCache): Map<string, Int32Array> {
  return runReferenceWithStats(design, model, input, cache).values;
}

export function runReferenceWithStats(design: ResolvedDesign, model: QuantizedModel, input: Int32Array, cache?: ReferenceCache): { values: Map<string, Int32Array>; computed: string[] } {
  const values = new Map<string, Int32Array>();
  const keys = new Map<string, string>();
  const computed: string[] = [];
  const inputKey = cache ? hashValue(input) : '';
  for (const node of design.layers) {
    const inputs = node.kind === 'input' ? [input] : node.inputs.map((i) => values.get(i.from)!);
    if (!cache) {
      values.set(node.path, runLayer(node, model, inputs));
      continue;
    }
    const key = hashContent([arithmeticKey(node, model.layers.get(node.path)!), node.kind === 'input' ? inputKey : '', ...node.inputs.map((i) => keys.get(i.from)!)].join('|'));
    keys.set(node.path, key);
    let entry = cache.get(node.path);
    if (entry?.key !== key) {
      cache.set(node.path, (entry = { key, values: runLayer(node, model, inputs) }));
      computed.push(node.path);
    }
    values.set(node.path, entry.values);
  }
  if (cache) for (const path of [...cache.keys()]) if (!values.has(path)) cache.delete(path);
  return { values, computed };
}

/** One layer's integer forward, checked to stay within its output width. */
export function runLayer<K extends LayerKind>(node: LayerNodeOf<K>, model: QuantizedModel, inputs: readonly Int32Array[]): Int32Array {
  const layer = model.layers.get(node.path);
  if (!layer) throw new Error(`no quantized parameters for ${node.path}`);
  const out = KINDS[node.kind].semantics.int(node, layerOfKind(node, layer), inputs);
  const { min, max } = intRange(node.output.bits);
  for (let i = 0; i < out.length; i++) if (out[i]! < min || out[i]! > max) throw new Error(`${node.path}: reference output ${out[i]} outside ${node.output.bits}-bit range`);
  return out;
}

/** Full-range random inputs for a layer's own test (every representable value of each input's width). */
export function randomLayerInputs(node: { readonly path: string; readonly inputs: readonly { readonly bits: number; readonly elements: number }[] }, seed: number): Int32Array[] {
  const rng = createRng(seed, `vectors:${node.path}`);
  return node.inputs.map((i) => {
    const { min, max } = intRange(i.bits);
    return Int32Array.from({ length: i.elements }, () => rng.int(min, max));
  });
}
