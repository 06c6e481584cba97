/**
 * resolveDesign(): user config → frozen IR. Validates everything a plain-JavaScript config could get wrong
 * (reporting all problems at once, each naming its field), replays the model recipe, applies settings at
 * their three levels, derives widths, and places every 'auto' memory and multiplier within the budget.
 */
import { DEVICE_IDS, findDevice, type Device } from '../devices/index.js';
import { dspCount, DSP_MIN_PRODUCT_BITS, memoryBram18Count } from '../devices/mapping.js';
import {
  BUFFER_STORAGES,
  CONFIG_KEYS,
  KilnError,
  LAYER_KINDS,
  LAYER_SETTING_KEYS,
  MAX_BITS,
  MIN_BITS,
  MULTIPLIER_MAPPINGS,
  RESOURCES,
  WEIGHT_STORAGES,
  describeValue,
  diagnostic,
  didYouMean,
  isKilnError,
  transformer,
  vhdlName,
  type Diagnostic,
  type GraphSpec,
  type KilnConfig,
  type LayerKind,
  type LayerSettings,
  type ResourceName,
} from '../dsl/index.js';
import { rebuildSpec } from '../dsl/model.js';
import { ENGINES } from '../engines/index.js';
import { KINDS, type DimsMap, type KindNode, type Setting, type SpecOf } from '../kinds/index.js';
import { entityNameClashes } from './names.js';
import { checkSources } from './sources.js';
import {
  IR_VERSION,
  type LayerInput,
  type LayerNode,
  type LayerNodeOf,
  type MemoryNode,
  type MultiplierNode,
  type ResolvedDesign,
  type SettingOrigin,
} from './types.js';

const BUILTIN: Required<LayerSettings> = { weightBits: 8, outputBits: 8, buffer: 'auto', weightStorage: 'auto', multiplier: 'auto' };
const MAX_CLOCK_MHZ = 1000;

type Field = readonly (string | number)[];
type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Resolves a loaded config into the IR. Throws KilnError listing every problem found. */
export function resolveDesign(config: unknown): ResolvedDesign {
  const diags: Diagnostic[] = [];
  const c = checkTopLevel(config, diags);
  if (!c) throw new KilnError(diags);

  let spec: GraphSpec | undefined;
  if (c.model !== undefined) {
    try {
      // Rebuilt with the builder: a model object kiln did not make must meet the same rules.
      spec = rebuildSpec(c.model.describe());
    } catch (err) {
      if (isKilnError(err)) diags.push(...err.diagnostics);
      else diags.push(diagnostic('KILN_E_CONFIG_LOAD', ['model'], `the model recipe threw: ${(err as Error)?.message ?? String(err)}`));
    }
  }
  if (spec) diags.push(...entityNameClashes(spec));
  const device = checkDevice(c.device, diags);
  const clockMHz = checkClock(c.clockMHz, diags);
  const budget = checkBudget(c.budget, diags);
  const sources = checkSources(c as Record<string, unknown>, spec, diags);
  const defaults = checkSettings(c.defaults, ['defaults'], diags);
  const kinds = checkKinds(c.kinds, diags);
  const layers = spec ? checkLayerKeys(c.layers, spec, diags) : {};
  if (!spec || !device || diags.length > 0) throw new KilnError(diags);

  const nodes = buildNodes(spec, defaults, kinds, layers);

  const limits = Object.fromEntries(RESOURCES.map((r) => [r, Math.floor(device[r] * budget[r])])) as Record<ResourceName, number>;
  placeAuto(nodes, limits);
  return deepFreeze({
    irVersion: IR_VERSION,
    name: spec.name,
    device,
    clockMHz: clockMHz ?? device.defaultClockMHz,
    budget,
    limits,
    ...sources,
    layers: nodes,
    output: spec.output,
  });
}

/** Settings with every choice made: what a search candidate gives each layer. */
export type ExplicitSettings = {
  readonly weightBits: number;
  readonly outputBits: number;
  readonly buffer: Exclude<LayerSettings['buffer'], 'auto' | undefined>;
  readonly weightStorage: Exclude<LayerSettings['weightStorage'], 'auto' | undefined>;
  readonly multiplier: Exclude<LayerSettings['multiplier'], 'auto' | undefined>;
};

export interface LayerVariants {
  /** The config as resolveDesign resolves it. */
  readonly design: ResolvedDesign;
  /**
   * Layer `index` as resolveDesign would build it under explicit settings (settings its kind does not take are
   * ignored), its producers' outputs `inputBits` wide: one layer, not the design (kiln search rebuilds only
   * what a candidate changes). With no 'auto' there is nothing to place, so the node is final.
   */
  layer(index: number, settings: ExplicitSettings, inputBits: readonly number[]): LayerNode;
}

/** resolveDesign, keeping what rebuilding a single layer needs. Throws KilnError like resolveDesign. */
export function layerVariants(config: unknown): LayerVariants {
  const design = resolveDesign(config);
  const spec = rebuildSpec((config as KilnConfig).model.describe());
  return {
    design,
    layer(index, settings, inputBits) {
      const s = spec.layers[index]!;
      const base = design.layers[index]!;
      const byPath = new Map<string, LayerNode>();
      s.inputs.forEach((from, k) => {
        const p = design.layers.find((l) => l.path === from)!;
        byPath.set(from, { ...p, output: { ...p.output, bits: inputBits[k]! } });
      });
      const own = Object.fromEntries(Object.entries(settings).filter(([k]) => (KINDS[s.kind].rules.settings as readonly string[]).includes(k)));
      const node = buildNode(s, index, { defaults: {}, kinds: {}, layers: { [s.path]: own } }, byPath);
      node.consumers = base.consumers;
      singleEntryAsRegister(node);
      return deepFreeze(node);
    },
  };
}

// ───────────────────────────── top-level checks ─────────────────────────────

function checkTopLevel(config: unknown, diags: Diagnostic[]): (Partial<KilnConfig> & Record<string, unknown>) | undefined {
  if (config === null || typeof config !== 'object' || Array.isArray(config)) {
    diags.push(diagnostic('KILN_E_CONFIG_SHAPE', [], `the config must export an object (or a function returning one), got ${describeValue(config)}`, 'export default defineConfig({ device: ..., model: ... })'));
    return undefined;
  }
  const c = { ...(config as Record<string, unknown>) };
  for (const key of Object.keys(c)) {
    if (!(CONFIG_KEYS as readonly string[]).includes(key)) {
      diags.push(diagnostic('KILN_E_UNKNOWN_KEY', [key], `unknown config key '${key}'`, didYouMean(key, CONFIG_KEYS) ?? `valid keys: ${CONFIG_KEYS.join(', ')}`));
    }
  }
  if (isPlainObject(c.model) && Object.keys(c.model).length === 1 && 'transformer' in c.model) {
    // Data-only form for JSON configs (package.json "fpga" key): { "transformer": { ...options } }.
    try {
      c.model = transformer((c.model as { transformer: Parameters<typeof transformer>[0] }).transformer);
    } catch (err) {
      if (!isKilnError(err)) throw err;
      diags.push(...err.diagnostics);
      return undefined;
    }
  }
  if (c.model === undefined) {
    diags.push(diagnostic('KILN_E_MISSING', ['model'], 'the config has no model', "add model: transformer({ ... }) or model: graph(...)"));
  } else if (!isModel(c.model)) {
    diags.push(diagnostic('KILN_E_TYPE', ['model'], `must be a model built with transformer() or graph(), got ${describeValue(c.model)}`));
    return { ...c, model: undefined } as Partial<KilnConfig> & Record<string, unknown>;
  }
  return c as Partial<KilnConfig> & Record<string, unknown>;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype;
}

function isModel(v: unknown): v is KilnConfig['model'] {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'kiln-model' && typeof (v as { describe?: unknown }).describe === 'function';
}

function checkDevice(id: unknown, diags: Diagnostic[]): Device | undefined {
  if (id === undefined) {
    diags.push(diagnostic('KILN_E_MISSING', ['device'], 'the config names no device', `use one of ${DEVICE_IDS.join(', ')}`));
    return undefined;
  }
  const device = typeof id === 'string' ? findDevice(id) : undefined;
  if (!device) {
    diags.push(diagnostic('KILN_E_UNKNOWN_DEVICE', ['device'], `unknown device ${describeValue(id)}`, (typeof id === 'string' ? didYouMean(id.toLowerCase(), DEVICE_IDS) : undefined) ?? `known devices: ${DEVICE_IDS.join(', ')}`));
  }
  return device;
}

function checkClock(v: unknown, diags: Diagnostic[]): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0 || v > MAX_CLOCK_MHZ) {
    diags.push(diagnostic('KILN_E_RANGE', ['clockMHz'], `must be a number of MHz in (0, ${MAX_CLOCK_MHZ}], got ${describeValue(v)}`));
    return undefined;
  }
  return v;
}

function checkBudget(v: unknown, diags: Diagnostic[]): Record<ResourceName, number> {
  const out = Object.fromEntries(RESOURCES.map((r) => [r, 1])) as Record<ResourceName, number>;
  const fraction = (x: unknown, field: Field): number | undefined => {
    if (typeof x !== 'number' || !Number.isFinite(x) || x <= 0 || x > 1) {
      diags.push(diagnostic('KILN_E_BUDGET', field, `a budget is a fraction of the device in (0, 1], got ${describeValue(x)}`, typeof x === 'number' && x > 1 && x <= 100 ? `for ${x}% write ${x / 100}` : undefined));
      return undefined;
    }
    return x;
  };
  if (v === undefined) return out;
  if (typeof v === 'number') {
    const f = fraction(v, ['budget']);
    if (f !== undefined) for (const r of RESOURCES) out[r] = f;
    return out;
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    diags.push(diagnostic('KILN_E_TYPE', ['budget'], `must be a number or an object of fractions per resource, got ${describeValue(v)}`));
    return out;
  }
  for (const [key, x] of Object.entries(v)) {
    if (!(RESOURCES as readonly string[]).includes(key)) {
      diags.push(diagnostic('KILN_E_UNKNOWN_KEY', ['budget', key], `unknown resource '${key}'`, didYouMean(key, RESOURCES) ?? `resources: ${RESOURCES.join(', ')}`));
      continue;
    }
    const f = fraction(x, ['budget', key]);
    if (f !== undefined) out[key as ResourceName] = f;
  }
  return out;
}

function checkSettings(v: unknown, field: Field, diags: Diagnostic[]): LayerSettings {
  if (v === undefined) return {};
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    diags.push(diagnostic('KILN_E_TYPE', field, `must be an object of layer settings, got ${describeValue(v)}`));
    return {};
  }
  const out: Mutable<LayerSettings> = {};
  for (const [key, x] of Object.entries(v)) {
    const f = [...field, key];
    switch (key) {
      case 'weightBits':
      case 'outputBits':
        if (typeof x !== 'number' || !Number.isInteger(x) || x < MIN_BITS || x > MAX_BITS) {
          diags.push(diagnostic('KILN_E_BITS', f, `bit width must be an integer from ${MIN_BITS} to ${MAX_BITS}, got ${describeValue(x)}`));
        } else out[key] = x as LayerSettings['weightBits'];
        break;
      case 'buffer':
        if (!(BUFFER_STORAGES as readonly unknown[]).includes(x)) {
          diags.push(diagnostic('KILN_E_STORAGE', f, `unknown buffer storage ${describeValue(x)}`, suggestion(x, BUFFER_STORAGES)));
        } else out.buffer = x as LayerSettings['buffer'];
        break;
      case 'weightStorage':
        if (!(WEIGHT_STORAGES as readonly unknown[]).includes(x)) {
          diags.push(diagnostic('KILN_E_STORAGE', f, `unknown weight storage ${describeValue(x)}`, suggestion(x, WEIGHT_STORAGES)));
        } else out.weightStorage = x as LayerSettings['weightStorage'];
        break;
      case 'multiplier':
        if (!(MULTIPLIER_MAPPINGS as readonly unknown[]).includes(x)) {
          diags.push(diagnostic('KILN_E_MULTIPLIER', f, `unknown multiplier mapping ${describeValue(x)}`, suggestion(x, MULTIPLIER_MAPPINGS)));
        } else out.multiplier = x as LayerSettings['multiplier'];
        break;
      default:
        diags.push(diagnostic('KILN_E_UNKNOWN_KEY', f, `unknown layer setting '${key}'`, didYouMean(key, LAYER_SETTING_KEYS) ?? `settings: ${LAYER_SETTING_KEYS.join(', ')}`));
    }
  }
  return out;
}

function suggestion(x: unknown, valid: readonly string[]): string {
  const list = `use one of ${valid.map((s) => `'${s}'`).join(', ')}`;
  const near = typeof x === 'string' ? didYouMean(x, valid) : undefined;
  return near ? `${near} (${list})` : list;
}

function checkKinds(v: unknown, diags: Diagnostic[]): Partial<Record<LayerKind, LayerSettings>> {
  if (v === undefined) return {};
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    diags.push(diagnostic('KILN_E_TYPE', ['kinds'], `must be an object keyed by layer kind, got ${describeValue(v)}`));
    return {};
  }
  const out: Partial<Record<LayerKind, LayerSettings>> = {};
  for (const [kind, settings] of Object.entries(v)) {
    if (!(LAYER_KINDS as readonly string[]).includes(kind)) {
      diags.push(diagnostic('KILN_E_UNKNOWN_KIND', ['kinds', kind], `unknown layer kind '${kind}'`, didYouMean(kind, LAYER_KINDS) ?? `kinds: ${LAYER_KINDS.join(', ')}`));
      continue;
    }
    const s = checkSettings(settings, ['kinds', kind], diags);
    checkApplicable(s, kind as LayerKind, ['kinds', kind], `layers of kind '${kind}'`, diags);
    out[kind as LayerKind] = s;
  }
  return out;
}

function checkLayerKeys(v: unknown, spec: GraphSpec, diags: Diagnostic[]): Record<string, LayerSettings> {
  if (v === undefined) return {};
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    diags.push(diagnostic('KILN_E_TYPE', ['layers'], `must be an object keyed by layer path, got ${describeValue(v)}`));
    return {};
  }
  const paths = spec.layers.map((l) => l.path);
  const kindOf = new Map(spec.layers.map((l) => [l.path, l.kind]));
  const out: Record<string, LayerSettings> = {};
  for (const [path, settings] of Object.entries(v)) {
    const kind = kindOf.get(path);
    if (kind === undefined) {
      const near = didYouMean(path, paths);
      diags.push(diagnostic('KILN_E_UNKNOWN_LAYER', ['layers', path], `no layer '${path}' in model '${spec.name}'`, near ?? `layer paths: ${paths.join(', ')}`));
      continue;
    }
    const s = checkSettings(settings, ['layers', path], diags);
    checkApplicable(s, kind, ['layers', path], `'${path}'`, diags);
    out[path] = s;
  }
  return out;
}

function checkApplicable(s: LayerSettings, kind: LayerKind, field: Field, subject: string, diags: Diagnostic[]): void {
  const rules = KINDS[kind].rules;
  for (const key of Object.keys(s) as Setting[]) {
    if (!(rules.settings as readonly Setting[]).includes(key)) {
      diags.push(diagnostic('KILN_E_NOT_APPLICABLE', [...field, key], `'${key}' does not apply: ${subject} ${rules.describe}`, rules.settings.length > 0 ? `settings for ${kind}: ${rules.settings.join(', ')}` : `${kind} layers take no settings`));
    }
  }
}

// ───────────────────────────── nodes ─────────────────────────────

interface Levels {
  defaults: LayerSettings;
  kinds: Partial<Record<LayerKind, LayerSettings>>;
  layers: Record<string, LayerSettings>;
}

function pick<K extends keyof LayerSettings>(lv: Levels, kind: LayerKind, path: string, key: K): { value: Required<LayerSettings>[K]; origin: SettingOrigin } {
  const fromLayer = lv.layers[path]?.[key];
  if (fromLayer !== undefined) return { value: fromLayer as Required<LayerSettings>[K], origin: 'layers' };
  const fromKind = lv.kinds[kind]?.[key];
  if (fromKind !== undefined) return { value: fromKind as Required<LayerSettings>[K], origin: 'kinds' };
  const fromDefault = lv.defaults[key];
  if (fromDefault !== undefined) return { value: fromDefault as Required<LayerSettings>[K], origin: 'defaults' };
  return { value: BUILTIN[key], origin: 'builtin' };
}

function buildNodes(spec: GraphSpec, defaults: LayerSettings, kinds: Levels['kinds'], layers: Levels['layers']): Mutable<LayerNode>[] {
  const lv: Levels = { defaults, kinds, layers };
  const byPath = new Map<string, Mutable<LayerNode>>();
  const nodes: Mutable<LayerNode>[] = [];
  for (const [index, s] of spec.layers.entries()) {
    const node = buildNode(s, index, lv, byPath);
    for (const from of s.inputs) (byPath.get(from)!.consumers as string[]).push(s.path);
    byPath.set(s.path, node);
    nodes.push(node);
  }
  return nodes;
}

/** One node: the kind's rules give its dimensions, widths, memories and multiplier; the levels its settings. */
function buildNode<K extends LayerKind>(s: SpecOf<K>, index: number, lv: Levels, byPath: ReadonlyMap<string, LayerNode>): Mutable<LayerNode> {
  const { rules, hardware } = KINDS[s.kind];
  const inputs: LayerInput[] = s.inputs.map((from) => {
    const p = byPath.get(from)!;
    return { from, shape: p.output.shape, elements: p.output.elements, bits: p.output.bits };
  });
  const has = (k: Setting) => rules.settings.includes(k);
  const out = has('outputBits') ? pick(lv, s.kind, s.path, 'outputBits') : { value: inputs[0]!.bits, origin: 'inherited' as const };
  const wb = has('weightBits') ? pick(lv, s.kind, s.path, 'weightBits') : undefined;
  const dims = rules.dims(s, inputs);
  const widths = rules.widths(dims, inputs, wb?.value, out.value);
  const elements = s.shape.reduce((a, b) => a * b, 1);

  let buffer: MemoryNode | undefined;
  if (has('buffer')) {
    const b = pick(lv, s.kind, s.path, 'buffer');
    buffer = { role: 'buffer', depth: elements, width: out.value, storage: b.value === 'auto' ? 'lutram' : b.value, requested: b.value, origin: b.origin };
  }
  const ws = has('weightStorage') ? pick(lv, s.kind, s.path, 'weightStorage') : undefined;
  const memories: MemoryNode[] = rules.memories(dims, widths, inputs, out.value).map((m) => ({
    ...m,
    storage: ws!.value === 'auto' ? 'logic' : ws!.value,
    requested: ws!.value,
    origin: ws!.origin,
  }));
  const mult = rules.multiplier(dims, widths, inputs, out.value);
  let multiplier: MultiplierNode | undefined;
  if (mult) {
    const m = pick(lv, s.kind, s.path, 'multiplier');
    multiplier = { ...mult, mapping: m.value === 'auto' ? 'lut' : m.value, requested: m.value, origin: m.origin };
  }
  const node: KindNode<K, DimsMap[K]> = {
    path: s.path,
    name: vhdlName(s.path),
    kind: s.kind,
    engine: hardware.engine,
    role: hardware.engine === 'none' ? 'scheduled' : ENGINES[hardware.engine].role,
    index,
    inputs,
    output: { shape: s.shape, elements, bits: out.value },
    dims,
    widths,
    origins: wb ? { weightBits: wb.origin, outputBits: out.origin } : { outputBits: out.origin },
    ...(buffer ? { buffer } : {}),
    memories,
    ...(multiplier ? { multiplier } : {}),
    consumers: [],
  };
  // A node built by its own kind's rules is that kind's node; TypeScript cannot follow K into the union.
  return node as LayerNodeOf<K>;
}

// ───────────────────────────── auto placement ─────────────────────────────

/** Memories smaller than this stay out of BRAM even when blocks are free: a RAMB18 holds 18 Kb. */
export const AUTO_BRAM_MIN_BITS = 2048;
/** Why 'auto' left a memory out of BRAM, or a multiplier off the DSPs, because the budget had none left. */
export const NO_BRAM_LEFT = 'no BRAM18 left in the budget';
export const NO_DSP_LEFT = 'no DSP48E1 left in the budget';

/** Buffers this shallow go to registers under 'auto' (a LUTRAM bank would be mostly empty). */
export const AUTO_REGISTER_MAX_DEPTH = 2;

/**
 * 'auto' memories: largest first into BRAM while blocks remain within the budget (and the memory is large
 * enough to be worth a block); the rest to LUTRAM (buffers; registers when tiny) or LUT logic (ROMs).
 * 'auto' multipliers: widest first onto DSP48E1 slices while slices remain; the rest in LUTs.
 * Explicit choices are honoured first and count against the budget.
 */
function placeAuto(nodes: Mutable<LayerNode>[], limits: Record<ResourceName, number>): void {
  type Slot = { node: Mutable<LayerNode>; mem: MemoryNode; set: (m: MemoryNode) => void };
  const slots: Slot[] = [];
  for (const node of nodes) {
    if (node.buffer) {
      const slot: Slot = { node, mem: node.buffer, set: (m) => ((node.buffer = m), (slot.mem = m)) };
      slots.push(slot);
    }
    node.memories.forEach((mem, i) => {
      const slot: Slot = { node, mem, set: (m) => (((node.memories as MemoryNode[])[i] = m), (slot.mem = m)) };
      slots.push(slot);
    });
  }
  let bramLeft = limits.bram18 - slots.filter((s) => s.mem.requested === 'bram').reduce((n, s) => n + memoryBram18Count(s.mem.role, s.mem.depth, s.mem.width), 0);
  const autos = slots.filter((s) => s.mem.requested === 'auto').sort((a, b) => b.mem.depth * b.mem.width - a.mem.depth * a.mem.width || a.node.index - b.node.index);
  for (const s of autos) {
    const bits = s.mem.depth * s.mem.width;
    const blocks = memoryBram18Count(s.mem.role, s.mem.depth, s.mem.width);
    const isBuffer = s.mem.role === 'buffer';
    if (bits >= AUTO_BRAM_MIN_BITS && blocks <= bramLeft) {
      bramLeft -= blocks;
      s.set({ ...s.mem, storage: 'bram', reason: `auto: ${bits} bits, largest first into BRAM (${blocks} BRAM18)` });
    } else {
      const why = bits < AUTO_BRAM_MIN_BITS ? `${bits} bits is below the ${AUTO_BRAM_MIN_BITS}-bit BRAM threshold` : NO_BRAM_LEFT;
      const storage = isBuffer ? (s.mem.depth <= AUTO_REGISTER_MAX_DEPTH ? 'registers' : 'lutram') : 'logic';
      s.set({ ...s.mem, storage, reason: `auto: ${why}` });
    }
  }

  for (const node of nodes) singleEntryAsRegister(node);

  const withMult = nodes.filter((n) => n.multiplier);
  let dspLeft = limits.dsp - withMult.filter((n) => n.multiplier!.requested === 'dsp').reduce((k, n) => k + dspCount(n.multiplier!.aBits, n.multiplier!.bBits), 0);
  const autoMults = withMult
    .filter((n) => n.multiplier!.requested === 'auto')
    .sort((a, b) => b.multiplier!.aBits * b.multiplier!.bBits - a.multiplier!.aBits * a.multiplier!.bBits || a.index - b.index);
  for (const n of autoMults) {
    const m = n.multiplier!;
    const slices = dspCount(m.aBits, m.bBits);
    if (m.aBits + m.bBits < DSP_MIN_PRODUCT_BITS) {
      n.multiplier = { ...m, mapping: 'lut', reason: 'auto: product narrower than 9 bits' };
    } else if (slices <= dspLeft) {
      dspLeft -= slices;
      n.multiplier = { ...m, mapping: 'dsp', reason: `auto: widest first onto DSP48E1 (${slices})` };
    } else {
      n.multiplier = { ...m, mapping: 'lut', reason: `auto: ${NO_DSP_LEFT}` };
    }
  }
}

/**
 * A single entry is a register whatever was asked: synthesis turns a 1-deep memory into flip-flops, so a 'bram'
 * or 'lutram' request cannot be honoured (and would otherwise be counted as a block).
 */
function singleEntryAsRegister(node: Mutable<LayerNode>): void {
  const fix = (m: MemoryNode): MemoryNode => {
    const storage = m.role === 'buffer' ? 'registers' : 'logic';
    return m.depth === 1 && m.storage !== storage ? { ...m, storage, reason: 'one entry: synthesized as a register' } : m;
  };
  if (node.buffer) node.buffer = fix(node.buffer);
  if (node.memories.some((m) => m.depth === 1)) node.memories = node.memories.map(fix);
}

// ───────────────────────────── utilities ─────────────────────────────

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
