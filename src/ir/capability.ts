/**
 * "Can kiln build this design?", decided in one place for every command: `kiln build`, `sim` and `synth`
 * refuse a design with problems (exit 2, one diagnostic per problem), and `kiln estimate` prints the same
 * messages as warnings and marks the layers' figures as not buildable.
 */
import { diagnostic, type Diagnostic } from '../dsl/diagnostics.js';
import { KINDS } from '../kinds/index.js';
import type { LayerNode, ResolvedDesign } from './types.js';

export interface BuildProblem {
  /** The layer the problem is about. */
  readonly path: string;
  readonly message: string;
  readonly hint: string;
}

export function buildProblems(design: ResolvedDesign): BuildProblem[] {
  const problems: BuildProblem[] = [];
  for (const node of design.layers) {
    const problem = layerProblem(node);
    if (problem) problems.push(problem);
  }
  return problems;
}

function layerProblem(node: LayerNode): BuildProblem | undefined {
  const hw = KINDS[node.kind].hardware;
  if (hw.engine === 'none') {
    return { path: node.path, message: `'${node.path}' (${node.kind}) cannot be built: ${hw.reason}`, hint: 'estimates of it are structural guesses; choose a kind kiln can build for hardware' };
  }
  const froms = node.inputs.map((i) => i.from);
  const twice = froms.find((f, i) => froms.indexOf(f) !== i);
  if (twice !== undefined) {
    return { path: node.path, message: `'${node.path}' reads '${twice}' on both operands, but a buffer has one read port`, hint: 'feed one operand through its own layer (e.g. a linear copy) until dual-port buffers are supported' };
  }
  return undefined;
}

/** The problems as diagnostics: errors for the commands that build, warnings for `kiln estimate`. */
export function buildProblemDiagnostics(problems: readonly BuildProblem[], severity: Diagnostic['severity']): Diagnostic[] {
  return problems.map((p) => {
    const d = diagnostic(severity === 'error' ? 'KILN_E_UNSUPPORTED' : 'KILN_W_NOT_BUILDABLE', ['model', p.path], p.message, p.hint);
    return { ...d, severity };
  });
}
