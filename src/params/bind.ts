/**
 * Binds the tensors of a weights file to the layers of a design: each kind with trainable parameters names the
 * tensors it needs (src/kinds/<kind>/semantics.ts, PyTorch names under the layer's module path), and every one
 * is checked against the IR: present, the right shape, a float (or, where the kind allows it, integers with a
 * per-tensor `<name>_scale` and `<name>_zero_point`), finite. All problems are reported at once; tensors no layer
 * uses are a warning.
 */
import { diagnostic, KilnError, type Diagnostic } from '../dsl/diagnostics.js';
import type { LayerKind } from '../dsl/index.js';
import type { LayerNodeOf, ResolvedDesign } from '../ir/types.js';
import { KINDS, type FloatMap } from '../kinds/index.js';
import type { ImportedTensor } from '../kinds/types.js';
import { DTYPES, type Tensor, type TensorFile } from './tensors.js';

export interface BoundWeights {
  /** Float parameters of every layer with trainable parameters, from the file. */
  readonly params: ReadonlyMap<string, unknown>;
  /** Per layer, a hash-stable description of its tensors (for cache keys). */
  readonly tensorsOf: ReadonlyMap<string, readonly string[]>;
  readonly warnings: readonly Diagnostic[];
}

/** The module path of a kiln layer in the file: the layer path itself, or what `map` says. */
export type ModuleMap = Readonly<Record<string, string>>;

export function bindWeights(design: ResolvedDesign, file: TensorFile, map: ModuleMap = {}): BoundWeights {
  const errors: Diagnostic[] = [];
  const used = new Set<string>();
  const params = new Map<string, unknown>();
  const tensorsOf = new Map<string, string[]>();
  const err = (message: string, hint?: string) => errors.push(diagnostic('KILN_E_WEIGHTS', ['weights', 'file'], message, hint));

  const bindLayer = <K extends LayerKind>(node: LayerNodeOf<K>): FloatMap[K] | undefined => {
    const tensors = KINDS[node.kind].semantics.tensors;
    if (!tensors) return undefined;
    const module = map[node.path] ?? node.path;
    const found: Record<string, ImportedTensor> = {};
    let complete = true;
    const names: string[] = [];
    for (const spec of tensors.specs(node)) {
      const name = `${module}.${spec.name}`;
      names.push(name);
      const t = file.tensors.get(name);
      if (!t) {
        complete = false;
        err(`tensor '${name}' for layer '${node.path}' (${node.kind}, ${spec.name} of shape [${spec.shape.join(', ')}]) is not in ${file.path}`, nearbyNames(file, module));
        continue;
      }
      used.add(name);
      if (t.shape.length !== spec.shape.length || t.shape.some((d, i) => d !== spec.shape[i])) {
        complete = false;
        err(`tensor '${name}' for layer '${node.path}' has shape [${t.shape.join(', ')}] in ${file.path}; the layer needs [${spec.shape.join(', ')}]`, 'check the model options (window, inputFeatures, dModel, ffnDim, outputs) against the trained model');
        continue;
      }
      const imported = importTensor(t, spec.quantizable === true, file, used, err, node.path);
      if (imported) found[spec.name] = imported;
      else complete = false;
    }
    tensorsOf.set(node.path, names);
    return complete ? tensors.params(node, found) : undefined;
  };
  for (const node of design.layers) {
    const p = bindLayer(node);
    if (p !== undefined) params.set(node.path, p);
  }
  if (errors.length > 0) throw new KilnError(errors);
  const unused = [...file.tensors.keys()].filter((n) => !used.has(n));
  const warnings = unused.length > 0 ? [{ ...diagnostic('KILN_W_UNUSED_TENSOR', ['weights', 'file'], `${unused.length} tensor${unused.length > 1 ? 's' : ''} of ${file.path} belong${unused.length > 1 ? '' : 's'} to no layer: ${unused.slice(0, 8).join(', ')}${unused.length > 8 ? ', …' : ''}`, 'a misspelled module path? weights.map renames modules'), severity: 'warning' as const }] : [];
  return { params, tensorsOf, warnings };
}

/** A tensor as a layer's float parameter: finite reals, or integers with their scale and zero point. */
function importTensor(t: Tensor, quantizable: boolean, file: TensorFile, used: Set<string>, err: (m: string, h?: string) => void, layer: string): ImportedTensor | undefined {
  if (DTYPES[t.dtype].float) {
    const bad = t.data.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) {
      err(`tensor '${t.name}' for layer '${layer}' holds ${t.data[bad]} at index ${bad}${t.shape.length > 1 ? ` (${unravel(bad, t.shape)})` : ''}`, 'the trained model diverged or the file is damaged');
      return undefined;
    }
    return { values: t.data };
  }
  const scale = file.tensors.get(`${t.name}_scale`);
  const zero = file.tensors.get(`${t.name}_zero_point`);
  if (!quantizable || !scale || !zero) {
    err(`tensor '${t.name}' for layer '${layer}' holds ${t.dtype} integers${quantizable ? ` without '${t.name}_scale' and '${t.name}_zero_point'` : '; this parameter must be a float (F16, BF16, F32 or F64)'}`, `store floats, or quantized integers with a per-tensor '${t.name}_scale' and '${t.name}_zero_point'`);
    return undefined;
  }
  used.add(scale.name);
  used.add(zero.name);
  const s = scale.data[0];
  const z = zero.data[0];
  if (scale.data.length !== 1 || zero.data.length !== 1 || !(s! > 0) || !Number.isFinite(s) || !Number.isInteger(z)) {
    err(`tensor '${t.name}' for layer '${layer}': '${scale.name}' must be one positive float and '${zero.name}' one integer (per-tensor quantization)`);
    return undefined;
  }
  const values = Int32Array.from(t.data);
  return { values: Float64Array.from(values, (q) => s! * (q - z!)), quantized: { values, scale: s!, zeroPoint: z! } };
}

/** [i, j, …] of a flat index. */
function unravel(index: number, shape: readonly number[]): string {
  const out: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    out.unshift(index % shape[d]!);
    index = Math.floor(index / shape[d]!);
  }
  return `[${out.join(', ')}]`;
}

/** The file's tensors under a module path, or a hint to use weights.map. */
function nearbyNames(file: TensorFile, module: string): string {
  const under = [...file.tensors.keys()].filter((n) => n.startsWith(`${module}.`));
  return under.length > 0 ? `the file has ${under.slice(0, 4).join(', ')} under '${module}'` : `no tensor starts with '${module}.'; weights.map can point the layer at another module path`;
}

