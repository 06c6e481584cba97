/**
 * A layer bound to its engine: the one place where a kind's binding meets the engine registry. Everything
 * downstream (estimator, VHDL emitters, synthesis) asks `hardwareOf(node)` and never names a kind.
 */
import type { Sink } from '../devices/primitives.js';
import type { LayerKind } from '../dsl/index.js';
import { ENGINES, type BindingTo, type EngineName, type EngineRole, type NetlistMemoryRule } from '../engines/index.js';
import type { LayerNode, LayerNodeOf } from '../ir/types.js';
import type { QuantLayer, QuantLayers } from '../reference/types.js';
import { KINDS, type ParamsMap } from './registry.js';

export interface BoundHardware {
  readonly engine: EngineName | 'none';
  /** How the top level drives it (see Engine.role). */
  readonly role: EngineRole;
  /** Occupies a stage of the schedule and has its own testbench. */
  readonly scheduled: boolean;
  /** Why the layer cannot be built, for kinds without hardware. */
  readonly unbuildable?: string;
  /** The layer's blocks with raw costs. */
  parts(sink: Sink): void;
  /** Cycles from enable to done. */
  cycles(): number;
  /** The layer's entity, with the constants of its quantized parameters. */
  vhdl(layer: QuantLayer): string;
  /** Its memories as synthesis sees them. */
  memories(): readonly NetlistMemoryRule[];
}

const bound = new WeakMap<LayerNode, BoundHardware>();

/** The node's engine with its plan (made once per node: estimates ask for it on every layer). */
export function hardwareOf(node: LayerNode): BoundHardware {
  let b = bound.get(node);
  if (!b) bound.set(node, (b = bind(node)));
  return b;
}

/**
 * A layer's blocks into `sink`, and its cycles: the estimator's hot path, which makes the plan once and keeps
 * nothing (estimates of many distinct designs would only fill a cache).
 */
export function costOf<K extends LayerKind>(node: LayerNodeOf<K>, sink: Sink): number {
  const hw = KINDS[node.kind].hardware;
  return hw.engine === 'none' ? 0 : costWith(node, node, hw, sink);
}

function costWith<E extends EngineName, N, P>(kindNode: N, node: LayerNode, hw: BindingTo<E, N, P>, sink: Sink): number {
  const engine = ENGINES[hw.engine];
  const plan = hw.plan(kindNode);
  engine.parts(node, plan, sink);
  return engine.cycles(plan);
}

/** Whether the layer occupies a stage of the layer-at-a-time schedule. */
export const isScheduled = (node: LayerNode): boolean => hardwareOf(node).scheduled;

function bind<K extends LayerKind>(node: LayerNodeOf<K>): BoundHardware {
  const hw = KINDS[node.kind].hardware;
  if (hw.engine === 'none') {
    const refuse = (): never => {
      throw new Error(`${node.path}: ${hw.reason}`);
    };
    return { engine: 'none', role: 'scheduled', scheduled: true, unbuildable: hw.reason, parts: () => undefined, cycles: () => 0, vhdl: refuse, memories: () => [] };
  }
  return bindTo(node, node, hw, (layer) => paramsOf(node, layer));
}

/** `kindNode` and `node` are the same node, seen as its kind's (by the binding) and as any node (by the engine). */
function bindTo<E extends EngineName, N, P>(kindNode: N, node: LayerNode, hw: BindingTo<E, N, P>, params: (layer: QuantLayer) => P): BoundHardware {
  const engine = ENGINES[hw.engine];
  const plan = hw.plan(kindNode);
  return {
    engine: hw.engine,
    role: engine.role,
    scheduled: engine.role === 'scheduled',
    parts: (sink) => engine.parts(node, plan, sink),
    cycles: () => engine.cycles(plan),
    vhdl: (layer) => engine.vhdl(node, plan, hw.constants(kindNode, params(layer)), layer),
    memories: () => engine.memories(node, plan),
  };
}

/** A node's quantized layer, checked to be the node's (so of its kind). */
export function layerOfKind<K extends LayerKind>(node: LayerNodeOf<K> & { readonly kind: K }, layer: QuantLayer): QuantLayers[K] {
  if (layer.kind !== node.kind || layer.path !== node.path) throw new Error(`quantized layer ${layer.path} (${layer.kind}) does not belong to ${node.path} (${node.kind})`);
  // The check above is what TypeScript cannot follow across the two unions.
  return layer as QuantLayers[K];
}

const paramsOf = <K extends LayerKind>(node: LayerNodeOf<K>, layer: QuantLayer): ParamsMap[K] => layerOfKind(node, layer).params;
