/**
 * emitHardware(): the VHDL of a design (arithmetic package, one entity per layer, the top level), its
 * self-checking testbenches and their vectors from the integer reference model, and the compile order.
 * Pure: IR + quantized model in, relative path → file text out.
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

export function emitHardware(design: ResolvedDesign, model: QuantizedModel): { files: Map<string, string>; testbenches: TestbenchEntry[] } {
  const files = new Map<string, string>();
  const testbenches: TestbenchEntry[] = [];
  const arith = `${VHDL_DIR}/${ARITH_PACKAGE_FILE}`;
  files.set(arith, emitArithPackage());
  const order = [arith];
  for (const node of design.layers) {
    const rel = `${VHDL_DIR}/${node.name}.vhd`;
    files.set(rel, emitLayerVhdl(node, model));
    order.push(rel);
  }
  const topRel = `${VHDL_DIR}/${design.name}.vhd`;
  files.set(topRel, emitTop(design));
  order.push(topRel);
  files.set(`${VHDL_DIR}/files.txt`, order.map((f) => f.slice(VHDL_DIR.length + 1)).join('\n') + '\n');

  // Layer testbenches: full-range random inputs, expected outputs from the reference model.
  for (const node of scheduledLayers(design)) {
    const inputs = randomLayerInputs(node, design.weights.seed);
    const expected = runLayer(node, model, inputs);
    const cycles = estimateLayer(node).cycles;
    const tbRel = `${SIM_DIR}/${node.name}_tb.vhd`;
    files.set(tbRel, emitLayerTestbench(node, cycles));
    const vectors: Record<string, string> = {};
    inputs.forEach((values, p) => {
      const rel = `${SIM_DIR}/vectors/${node.name}.x${p}.txt`;
      files.set(rel, vectorFile(`${node.path} input ${p} (from ${node.inputs[p]!.from}), ${node.inputs[p]!.bits}-bit, full-range random`, values));
      vectors[`X${p}_FILE`] = rel;
    });
    const yRel = `${SIM_DIR}/vectors/${node.name}.y.txt`;
    files.set(yRel, vectorFile(`${node.path} expected output from the integer reference model`, expected));
    vectors.Y_FILE = yRel;
    testbenches.push({ unit: node.path, kind: node.kind, top: `${node.name}_tb`, sources: [arith, `${VHDL_DIR}/${node.name}.vhd`, tbRel], vectors, expectedCycles: cycles, outputs: node.output.elements });
  }

  // Whole-model testbench: the sample window through the reference model.
  const values = runReference(design, model, model.sampleInput);
  const scheduled = scheduledLayers(design);
  const modelCycles = scheduled.reduce((n, l) => n + estimateLayer(l).cycles + HANDOFF_CYCLES_PER_LAYER, 0);
  const tbRel = `${SIM_DIR}/${design.name}_tb.vhd`;
  files.set(tbRel, emitTopTestbench(design, modelCycles));
  const xRel = `${SIM_DIR}/vectors/${design.name}.x.txt`;
  const yRel = `${SIM_DIR}/vectors/${design.name}.y.txt`;
  files.set(xRel, vectorFile(`${design.name} input window (synthetic sample, quantized)`, model.sampleInput));
  files.set(yRel, vectorFile(`${design.name} expected output from the integer reference model`, values.get(design.output)!));
  testbenches.push({ unit: design.name, kind: 'model', top: `${design.name}_tb`, sources: [...order, tbRel], vectors: { X_FILE: xRel, Y_FILE: yRel }, expectedCycles: modelCycles, outputs: values.get(design.output)!.length });

  files.set(TESTBENCH_INDEX, JSON.stringify({ testbenches }, null, 2) + '\n');
  return { files, testbenches };
}
