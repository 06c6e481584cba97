/**
 * An engine is one datapath: its plan (pure data from the IR), its VHDL writer and its cost model, both of
 * which read that one plan, so a block cannot be generated without being costed or the other way round. Kinds
 * bind to an engine (src/kinds/<kind>/hardware.ts); several kinds share one (the MAC engine serves linear,
 * matmul, batchnorm, avgpool, add and posenc); a second architecture would be a sibling engine.
 */
import type { AffineParams } from '../arith/index.js';
import type { Sink } from '../devices/primitives.js';
import type { LayerNode } from '../ir/types.js';
import type { ConstantsMap, EngineName, PlanMap } from './registry.js';

export type { EngineName } from './registry.js';

/** The quantization of a layer's inputs and output (zero points go into the VHDL as constants). */
export interface LayerQuantization {
  readonly inputs: readonly AffineParams[];
  readonly output: AffineParams;
}

/** How `kiln synth` finds one memory of an entity in GHDL's netlist, and the storage style to re-apply. */
export interface NetlistMemoryRule {
  /** The memory's signal name in the netlist, or its shape for ROMs (GHDL names ROM constants arbitrarily). */
  readonly match: { readonly signal: string } | { readonly depth: number; readonly width: number };
  readonly attribute: 'ram_style' | 'rom_style';
  /** Yosys/Vivado style: 'block', 'distributed', 'registers' or 'logic'. */
  readonly value: string;
  /** What it is, for reports (e.g. 'buffer bram', 'weights logic'). */
  readonly role: string;
}

export type EngineRole = 'scheduled' | 'host' | 'on-read';

export interface Engine<Plan, Constants> {
  /**
   * How the top level drives the entity: 'scheduled' (clk, enable, done: a stage of the layer-at-a-time
   * schedule, with its own testbench), 'host' (clk and a host write port: the input buffer) or 'on-read' (no
   * clock: applied on its producer's read path, like ReLU).
   */
  readonly role: EngineRole;
  /** The layer's entity (VHDL-2008, numeric_std only). */
  vhdl(node: LayerNode, plan: Plan, constants: Constants, quantization: LayerQuantization): string;
  /** The layer's hardware, block by block, with raw costs (calibration scales them per kind and group). */
  parts(node: LayerNode, plan: Plan, sink: Sink): void;
  /** Cycles from `enable` rising to `done` high (0 for unscheduled engines). */
  cycles(plan: Plan): number;
  /** The memories of the entity as synthesis sees them. */
  memories(node: LayerNode, plan: Plan): readonly NetlistMemoryRule[];
}

/** A kind's use of engine E: the plan it hands the engine (from the IR) and the constants (from its parameters). */
export interface BindingTo<E extends EngineName, N, P> {
  readonly engine: E;
  plan(node: N): PlanMap[E];
  constants(node: N, params: P): ConstantsMap[E];
}

/** A kind's hardware: a binding to one of the engines. */
export type EngineBinding<N, P> = { [E in EngineName]: BindingTo<E, N, P> }[EngineName];
