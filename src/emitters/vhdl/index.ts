/**
 * The hardware of a design as files: the arithmetic package, one entity per layer (written by its engine), the
 * top level, the self-checking testbenches and their vectors from the integer reference model, the compile
 * order. Pure: IR + quantized model in, relative path → file text out. Every file belongs to one unit
 * (`emitHardwareUnit`), and full and incremental builds emit through that one function.
 */
import { ARITH_PACKAGE_FILE, emitArithPackage } from '../../engines/_shared/arith-package.js';
import { emitTop, modelCycles } from '../../engines/top/index.js';
import type { LayerNode, ResolvedDesign } from '../../ir/types.js';
import { hardwareOf } from '../../kinds/index.js';
import { randomLayerInputs, runLayer, runReference, TEST_WINDOWS } from '../../reference/index.js';
import type { QuantizedModel } from '../../reference/types.js';
import { emitLayerTestbench, emitTopTestbench, vectorFile } from './testbench.js';
import { RECORDED_RUNS } from '../../ir/sources.js';

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
  /** Cycles of one run (every window takes as many). */
  expectedCycles: number;
  /** Outputs of one run. */
  outputs: number;
  /** Runs: input windows for the whole model; for a layer, its recorded runs and one full-range random run. */
  windows: number;
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

const engineCycles = (node: LayerNode) => hardwareOf(node).cycles();

export { RECORDED_RUNS };

/** The test windows a layer testbench replays, spread over the `windows` the model has. */
export function recordedWindows(windows: number): number[] {
  const k = Math.min(RECORDED_RUNS, windows);
  return Array.from({ length: k }, (_, i) => Math.floor((i * windows) / k));
}

/** The testbench of a scheduled layer, as `kiln sim` runs it (no file is generated for this). */
export function layerTestbenchEntry(node: LayerNode, cycles: number, windows: number = TEST_WINDOWS): TestbenchEntry {
  const vectors: Record<string, string> = {};
  node.inputs.forEach((_, p) => (vectors[`X${p}_FILE`] = `${SIM_DIR}/vectors/${node.name}.x${p}.txt`));
  vectors.Y_FILE = `${SIM_DIR}/vectors/${node.name}.y.txt`;
  const runs = recordedWindows(windows).length + 1;
  return { unit: node.path, kind: node.kind, top: `${node.name}_tb`, sources: [ARITH_FILE, layerVhdlFile(node), `${SIM_DIR}/${node.name}_tb.vhd`], vectors, expectedCycles: cycles, outputs: node.output.elements, windows: runs };
}

/** Every testbench: one per scheduled layer, then the whole model's. Metadata only: cheap, emits nothing. */
export function testbenchEntries(design: ResolvedDesign, cyclesOf: (node: LayerNode) => number = engineCycles, windows: number = TEST_WINDOWS): TestbenchEntry[] {
  const entries = design.layers.filter((l) => l.role === 'scheduled').map((node) => layerTestbenchEntry(node, cyclesOf(node), windows));
  const output = design.layers.find((l) => l.path === design.output)!;
  entries.push({
    unit: design.name,
    kind: 'model',
    top: `${design.name}_tb`,
    sources: [...compileOrder(design), `${SIM_DIR}/${design.name}_tb.vhd`],
    vectors: { X_FILE: `${SIM_DIR}/vectors/${design.name}.x.txt`, Y_FILE: `${SIM_DIR}/vectors/${design.name}.y.txt` },
    expectedCycles: modelCycles(design, cyclesOf),
    outputs: output.output.elements,
    windows,
  });
  return entries;
}

/** A unit of the hardware: a layer, the arithmetic package, the top level or the whole-model testbench. */
export type HardwareUnit = { readonly kind: 'layer'; readonly node: LayerNode } | { readonly kind: 'arith' } | { readonly kind: 'top' } | { readonly kind: 'model' };

export interface HardwareContext {
  readonly design: ResolvedDesign;
  readonly model: QuantizedModel;
  readonly testbenches: readonly TestbenchEntry[];
  /** Every layer's output for test window w, when the caller keeps them (incremental builds cache them). */
  readonly activations?: (window: number) => ReadonlyMap<string, Int32Array>;
}

/** The files of one unit. */
export function emitHardwareUnit(unit: HardwareUnit, ctx: HardwareContext): Map<string, string> {
  switch (unit.kind) {
    case 'layer':
      return emitLayerUnit(unit.node, ctx);
    case 'arith':
      return new Map([[ARITH_FILE, emitArithPackage()]]);
    case 'top':
      return new Map([
        [topVhdlFile(ctx.design), emitTop(ctx.design)],
        [FILES_LIST, compileOrder(ctx.design).map((f) => f.slice(VHDL_DIR.length + 1)).join('\n') + '\n'],
      ]);
    case 'model':
      return emitModelUnit(ctx);
  }
}

/**
 * A layer's entity and, for a scheduled layer, its self-checking testbench: runs with the activations its
 * producers give on recorded test windows, then one with full-range random inputs (from the seed and the layer
 * path), each with the reference model's expected outputs.
 */
function emitLayerUnit(node: LayerNode, ctx: HardwareContext): Map<string, string> {
  const { design, model, testbenches } = ctx;
  const hw = hardwareOf(node);
  const q = model.layers.get(node.path)!;
  const files = new Map([[layerVhdlFile(node), hw.vhdl(q)]]);
  if (!hw.scheduled) return files;
  const entry = testbenches.find((t) => t.unit === node.path)!;
  const activations = ctx.activations ?? referenceActivations(design, model);
  const windows = recordedWindows(model.testInputs.length);
  const runs = [
    ...windows.map((w) => {
      const values = activations(w);
      return node.inputs.map((i) => values.get(i.from)!);
    }),
    randomLayerInputs(node, design.weights.seed),
  ];
  if (runs.length !== entry.windows) throw new Error(`${node.path}: ${runs.length} testbench runs, the index says ${entry.windows}`);
  const expected = runs.map((inputs) => runLayer(node, model, inputs));
  files.set(entry.sources[2]!, emitLayerTestbench(node, entry.expectedCycles, { recorded: windows.length, total: runs.length }, q.output.zeroPoint));
  const source = `run r < ${windows.length}: recorded from test window${windows.length === 1 ? '' : 's'} ${windows.join(', ')}; last run: full-range random`;
  node.inputs.forEach((inp, p) => {
    files.set(entry.vectors[`X${p}_FILE`]!, vectorFile(`${node.path} input ${p} (from ${inp.from}), ${inp.bits}-bit, ${runs.length} runs of ${inp.elements} (${source})`, concat(runs.map((r) => r[p]!))));
  });
  files.set(entry.vectors.Y_FILE!, vectorFile(`${node.path} expected output of each run from the integer reference model`, concat(expected)));
  return files;
}

/** Every layer's output for a test window, through the reference model (memoised per window). */
function referenceActivations(design: ResolvedDesign, model: QuantizedModel): (window: number) => ReadonlyMap<string, Int32Array> {
  const memo = new Map<number, Map<string, Int32Array>>();
  return (w) => {
    let values = memo.get(w);
    if (!values) memo.set(w, (values = runReference(design, model, model.testInputs[w]!)));
    return values;
  };
}

/** The whole-model testbench (the test windows through the reference model) and the testbench index. */
function emitModelUnit({ design, model, testbenches, activations = referenceActivations(design, model) }: HardwareContext): Map<string, string> {
  const entry = testbenches.find((t) => t.kind === 'model')!;
  const outputs = model.testInputs.map((_, w) => activations(w).get(design.output)!);
  const windows = model.testInputs.length;
  return new Map([
    [entry.sources[entry.sources.length - 1]!, emitTopTestbench(design, entry.expectedCycles, windows)],
    [entry.vectors.X_FILE!, vectorFile(`${design.name}: ${windows} input windows (${model.source} test windows, quantized), one after the other`, concat(model.testInputs))],
    [entry.vectors.Y_FILE!, vectorFile(`${design.name}: expected outputs of each window from the integer reference model`, concat(outputs))],
    [TESTBENCH_INDEX, JSON.stringify({ testbenches }, null, 2) + '\n'],
  ]);
}

/** The units of a design's hardware in emission order: every layer, the package, the top level, the model. */
export function hardwareUnits(design: ResolvedDesign): HardwareUnit[] {
  return [...design.layers.map((node) => ({ kind: 'layer' as const, node })), { kind: 'arith' }, { kind: 'top' }, { kind: 'model' }];
}

/** Every unit at once (for tools and tests that want the files without a build folder). */
export function emitHardware(design: ResolvedDesign, model: QuantizedModel): { files: Map<string, string>; testbenches: TestbenchEntry[] } {
  const testbenches = testbenchEntries(design, engineCycles, model.testInputs.length);
  const activations = referenceActivations(design, model);
  const files = new Map<string, string>();
  for (const unit of hardwareUnits(design)) for (const [rel, text] of emitHardwareUnit(unit, { design, model, testbenches, activations })) files.set(rel, text);
  return { files, testbenches };
}

/** Windows one after the other. */
function concat(windows: readonly Int32Array[]): Int32Array {
  const out = new Int32Array(windows.reduce((n, w) => n + w.length, 0));
  let at = 0;
  for (const w of windows) {
    out.set(w, at);
    at += w.length;
  }
  return out;
}
