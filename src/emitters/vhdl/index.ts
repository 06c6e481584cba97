/**
 * emitHardware(): the VHDL of a design (arithmetic package, one entity per layer, the top level), its
 * self-checking testbenches and their vectors from the integer reference model, and the compile order.
 * Pure: IR + quantized model in, relative path → file text out. It is the union of the per-unit emitters
 * (emitArithUnit, emitLayerUnit, emitTopUnit, emitModelUnit; units in src/watch/units.ts), which incremental
 * builds call for the units that changed only.
 */
import { estimateLayer } from '../../estimator/index.js';
import type { LayerNode, ResolvedDesign } from '../../ir/types.js';
import { randomLayerInputs, runLayer, runReference } from '../../reference/index.js';
import type { QuantizedModel } from '../../reference/types.js';
import { ARITH_PACKAGE_FILE, emitArithPackage } from './arith-package.js';
import { emitInputBuffer } from './input.js';
import { emitMacLayer } from './mac.js';
import { macPlan } from './plan.js';
import { emitReluLayer } from './relu.js';
import { emitSoftmaxLayer } from './softmax.js';
import { emitLayerTestbench, emitTopTestbench, vectorFile } from './testbench.js';
import { emitTop, scheduledLayers } from './top.js';
import { HANDOFF_CYCLES_PER_LAYER } from '../../estimator/index.js';

export { macPlan, macCycles, softmaxCycles } from './plan.js';
export { scheduledLayers } from './top.js';

export const VHDL_DIR = 'vhdl';
export const SIM_DIR = 'sim';
export const TESTBENCH_INDEX = `${SIM_DIR}/testbenches.json`;

/** What `kiln sim` needs to run one testbench. */
export interface TestbenchEntry {
  /** Layer path, or the model name for the whole-model testbench. */
  unit: string;
  kind: LayerNode['kind'] | 'model';
  top: string;
  /** Sources in compile order, relative to the output directory. */
  sources: string[];
  /** Generic name → vector file, relative to the output directory. */
  vectors: Record<string, string>;
  expectedCycles: number;
  outputs: number;
}

export function emitLayerVhdl(node: LayerNode, model: QuantizedModel): string {
  const layer = model.layers.get(node.path)!;
  switch (node.kind) {
    case 'input':
      return emitInputBuffer(node);
    case 'relu':
      return emitReluLayer(node, layer);
    case 'softmax':
      return emitSoftmaxLayer(node, layer);
    default: {
      const plan = macPlan(node);
      if (!plan) throw new Error(`no hardware plan for ${node.kind} '${node.path}'`);
      return emitMacLayer(node, layer, plan);
    }
  }
}

/** The arithmetic package, shared by every layer (unit `@arith`). */
export const ARITH_FILE = `${VHDL_DIR}/${ARITH_PACKAGE_FILE}`;
/** The compile order of vhdl/ (unit `@top`). */
export const FILES_LIST = `${VHDL_DIR}/files.txt`;

export const layerVhdlFile = (node: LayerNode): string => `${VHDL_DIR}/${node.name}.vhd`;
export const topVhdlFile = (design: ResolvedDesign): string => `${VHDL_DIR}/${design.name}.vhd`;

/** Sources in compile order: the arithmetic package, every layer, the top level. */
export function compileOrder(design: ResolvedDesign): string[] {
  return [ARITH_FILE, ...design.layers.map(layerVhdlFile), topVhdlFile(design)];
}

/** Cycles the whole model takes: every scheduled layer plus the hand-off between layers. */
export function modelCycles(design: ResolvedDesign, cyclesOf: (node: LayerNode) => number = (n) => estimateLayer(n).cycles): number {
  return scheduledLayers(design).reduce((n, l) => n + cyclesOf(l) + HANDOFF_CYCLES_PER_LAYER, 0);
}

/** The testbench of a scheduled layer, as `kiln sim` runs it (no file is generated for this). */
export function layerTestbenchEntry(node: LayerNode, cycles: number): TestbenchEntry {
  const vectors: Record<string, string> = {};
  node.inputs.forEach((_, p) => (vectors[`X${p}_FILE`] = `${SIM_DIR}/vectors/${node.name}.x${p}.txt`));
  vectors.Y_FILE = `${SIM_DIR}/vectors/${node.name}.y.txt`;
  return { unit: node.path, kind: node.kind, top: `${node.name}_tb`, sources: [ARITH_FILE, layerVhdlFile(node), `${SIM_DIR}/${node.name}_tb.vhd`], vectors, expectedCycles: cycles, outputs: node.output.elements };
}

/** Every testbench: one per scheduled layer, then the whole model's. Metadata only: cheap, emits nothing. */
export function testbenchEntries(design: ResolvedDesign, cyclesOf: (node: LayerNode) => number = (n) => estimateLayer(n).cycles): TestbenchEntry[] {
  const entries = scheduledLayers(design).map((node) => layerTestbenchEntry(node, cyclesOf(node)));
  const output = design.layers.find((l) => l.path === design.output)!;
  entries.push({
    unit: design.name,
    kind: 'model',
    top: `${design.name}_tb`,
    sources: [...compileOrder(design), `${SIM_DIR}/${design.name}_tb.vhd`],
    vectors: { X_FILE: `${SIM_DIR}/vectors/${design.name}.x.txt`, Y_FILE: `${SIM_DIR}/vectors/${design.name}.y.txt` },
    expectedCycles: modelCycles(design, cyclesOf),
    outputs: output.output.elements,
  });
  return entries;
}

/** Unit `@arith`: the arithmetic package. */
export function emitArithUnit(): Map<string, string> {
  return new Map([[ARITH_FILE, emitArithPackage()]]);
}

/**
 * Unit `<layer path>`: the layer's entity and, for a scheduled layer, its self-checking testbench with
 * full-range random inputs (from the seed and the layer path) and the reference model's expected outputs.
 */
export function emitLayerUnit(node: LayerNode, model: QuantizedModel, seed: number, cycles: number = estimateLayer(node).cycles): Map<string, string> {
  const files = new Map([[layerVhdlFile(node), emitLayerVhdl(node, model)]]);
  if (node.kind === 'input' || node.kind === 'relu') return files;
  const entry = layerTestbenchEntry(node, cycles);
  const inputs = randomLayerInputs(node, seed);
  const expected = runLayer(node, model, inputs);
  files.set(entry.sources[2]!, emitLayerTestbench(node, cycles));
  inputs.forEach((values, p) => {
    files.set(entry.vectors[`X${p}_FILE`]!, vectorFile(`${node.path} input ${p} (from ${node.inputs[p]!.from}), ${node.inputs[p]!.bits}-bit, full-range random`, values));
  });
  files.set(entry.vectors.Y_FILE!, vectorFile(`${node.path} expected output from the integer reference model`, expected));
  return files;
}

/** Unit `@top`: the top level and the compile order. */
export function emitTopUnit(design: ResolvedDesign): Map<string, string> {
  const top = topVhdlFile(design);
  return new Map([
    [top, emitTop(design)],
    [FILES_LIST, compileOrder(design).map((f) => f.slice(VHDL_DIR.length + 1)).join('\n') + '\n'],
  ]);
}

/**
 * Unit `@model`: the whole-model testbench (the sample window through the reference model) and the testbench
 * index. `expected` is the reference model's output for the sample, when the caller has it already.
 */
export function emitModelUnit(design: ResolvedDesign, model: QuantizedModel, testbenches: readonly TestbenchEntry[], expected?: Int32Array): Map<string, string> {
  const entry = testbenches.find((t) => t.kind === 'model')!;
  const output = expected ?? runReference(design, model, model.sampleInput).get(design.output)!;
  return new Map([
    [entry.sources[entry.sources.length - 1]!, emitTopTestbench(design, entry.expectedCycles)],
    [entry.vectors.X_FILE!, vectorFile(`${design.name} input window (synthetic sample, quantized)`, model.sampleInput)],
    [entry.vectors.Y_FILE!, vectorFile(`${design.name} expected output from the integer reference model`, output)],
    [TESTBENCH_INDEX, JSON.stringify({ testbenches }, null, 2) + '\n'],
  ]);
}

/** Every unit at once: the whole hardware of a design (what a full build writes besides the reports). */
export function emitHardware(design: ResolvedDesign, model: QuantizedModel): { files: Map<string, string>; testbenches: TestbenchEntry[] } {
  const testbenches = testbenchEntries(design);
  const cycles = new Map(testbenches.map((t) => [t.unit, t.expectedCycles]));
  const layers = design.layers.map((node) => emitLayerUnit(node, model, design.weights.seed, cycles.get(node.path)));
  const files = new Map(emitArithUnit());
  // Same order as before the split into units: all VHDL first, then the simulation files.
  for (const unit of layers) for (const [rel, text] of unit) if (rel.startsWith(`${VHDL_DIR}/`)) files.set(rel, text);
  for (const [rel, text] of emitTopUnit(design)) files.set(rel, text);
  for (const unit of layers) for (const [rel, text] of unit) if (!rel.startsWith(`${VHDL_DIR}/`)) files.set(rel, text);
  for (const [rel, text] of emitModelUnit(design, model, testbenches)) files.set(rel, text);
  return { files, testbenches };
}
