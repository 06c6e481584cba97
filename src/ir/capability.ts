/**
 * "Can kiln build this design?", decided in one place for every command: `kiln build`, `sim` and `synth`
 * refuse a design with problems (exit 2, one diagnostic per problem), and `kiln estimate` prints the same
 * messages as warnings and marks the layers' figures as not buildable.
 *
 * Two sorts of problem: what kiln's hardware cannot express ('unsupported'), and designs too large for kiln to
 * generate and verify here ('size'): the float calibration, the reference model and the VHDL grow with the
 * number of activations, parameters and cycles, so those are checked, cheaply and before any large
 * allocation, against limits that keep a build within a few seconds and a few hundred megabytes.
 */
import { diagnostic, type Diagnostic } from '../dsl/diagnostics.js';
import { formatCount } from '../util/format.js';
import { hardwareOf, KINDS } from '../kinds/index.js';
import { RECORDED_RUNS, SYNTHETIC_CALIBRATION_WINDOWS, TEST_WINDOWS } from './sources.js';
import type { LayerNode, ResolvedDesign } from './types.js';

export interface BuildProblem {
  readonly sort: 'unsupported' | 'size';
  /** The layer the problem is about (for a size, the largest contributor). */
  readonly path: string;
  readonly message: string;
  readonly hint: string;
}

/**
 * What kiln generates and checks on a developer machine: activations (each kept for every calibration window in
 * doubles), parameter entries (each a literal in the VHDL and a float during calibration) and cycles of one
 * inference (the reference model's work, done for every calibration window). The default model has 10,248
 * activations, 8,065 parameters and 131,727 cycles; d_model 256 builds in under 3 s and 320 MB at 124,457,
 * 798,465 and 19,653,567.
 */
export const WORK_LIMITS = { activations: 1_000_000, parameters: 1_000_000, cycles: 30_000_000, calibrationValues: 16_000_000, testbenchValues: 4_000_000 } as const;

/**
 * Values the testbenches' vector files hold (as text): the whole model's inputs and expected outputs for every
 * test window, and each layer testbench's operands and expected outputs for each of its runs.
 */
function testbenchValues(design: ResolvedDesign, n: LayerNode): number {
  const layerRuns = n.role === 'scheduled' ? (RECORDED_RUNS + 1) * (n.output.elements + n.inputs.reduce((k, i) => k + i.elements, 0)) : 0;
  const model = n.path === design.output || n === design.layers[0] ? TEST_WINDOWS * n.output.elements : 0;
  return layerRuns + model;
}

/**
 * Calibration keeps every layer's float outputs for every calibration window (doubles): activations ×
 * windows values, 16,000,000 of them 128 MB. The default model calibrates 10,248 × 256; the data's own count
 * of training windows may be smaller, this is the most it can be.
 */
function calibrationWindows(design: ResolvedDesign): number {
  return design.data ? design.quantization.calibrationWindows : SYNTHETIC_CALIBRATION_WINDOWS;
}

export function buildProblems(design: ResolvedDesign): BuildProblem[] {
  const problems: BuildProblem[] = [];
  for (const node of design.layers) {
    const problem = layerProblem(node);
    if (problem) problems.push(problem);
  }
  return [...problems, ...sizeProblems(design)];
}

function layerProblem(node: LayerNode): BuildProblem | undefined {
  const hw = KINDS[node.kind].hardware;
  if (hw.engine === 'none') {
    return { sort: 'unsupported', path: node.path, message: `'${node.path}' (${node.kind}) cannot be built: ${hw.reason}`, hint: 'estimates of it are structural guesses; choose a kind kiln can build for hardware' };
  }
  const froms = node.inputs.map((i) => i.from);
  const twice = froms.find((f, i) => froms.indexOf(f) !== i);
  if (twice !== undefined) {
    return { sort: 'unsupported', path: node.path, message: `'${node.path}' reads '${twice}' on both operands, but a buffer has one read port`, hint: 'feed one operand through its own layer (e.g. a linear copy) until dual-port buffers are supported' };
  }
  return undefined;
}

function sizeProblems(design: ResolvedDesign): BuildProblem[] {
  const measures = [
    { what: 'activations', limit: WORK_LIMITS.activations, of: (n: LayerNode) => n.output.elements },
    { what: 'parameter entries', limit: WORK_LIMITS.parameters, of: (n: LayerNode) => n.memories.reduce((k, m) => k + m.depth, 0) },
    { what: 'cycles per inference', limit: WORK_LIMITS.cycles, of: (n: LayerNode) => (n.role === 'scheduled' ? hardwareOf(n).cycles() : 0) },
    { what: 'testbench vector values', limit: WORK_LIMITS.testbenchValues, of: (n: LayerNode) => testbenchValues(design, n) },
    { what: `calibration values (activations × ${calibrationWindows(design)} calibration windows)`, limit: WORK_LIMITS.calibrationValues, of: (n: LayerNode) => n.output.elements * calibrationWindows(design) },
  ];
  const problems: BuildProblem[] = [];
  for (const m of measures) {
    let total = 0;
    let largest = design.layers[0]!;
    for (const n of design.layers) {
      const v = m.of(n);
      total += v;
      if (v > m.of(largest)) largest = n;
    }
    if (total <= m.limit) continue;
    problems.push({
      sort: 'size',
      path: largest.path,
      message: `the design is too large for kiln to generate and verify here: ${formatCount(total)} ${m.what} (limit ${formatCount(m.limit)}), the most in '${largest.path}' (${formatCount(m.of(largest))})`,
      hint: `reduce d_model, the window or the number of layers${m.what.startsWith('calibration') && design.data ? ', or quantization.calibrationWindows' : ''}; kiln estimate still gives its figures`,
    });
  }
  return problems;
}

/** The problems as diagnostics: errors for the commands that build, warnings for `kiln estimate`. */
export function buildProblemDiagnostics(problems: readonly BuildProblem[], severity: Diagnostic['severity']): Diagnostic[] {
  return problems.map((p) => {
    // A size is the model's as a whole (the message names the largest layer); a kind's problem is its layer's.
    const field = p.sort === 'size' ? ['model'] : ['model', p.path];
    const d = diagnostic(severity === 'error' ? 'KILN_E_UNSUPPORTED' : 'KILN_W_NOT_BUILDABLE', field, p.message, p.hint);
    return { ...d, severity };
  });
}
