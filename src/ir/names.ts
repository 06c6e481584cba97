/**
 * Names a design's generated VHDL takes for itself, checked against the layers' entity names (the builder in
 * src/dsl/model.ts already rejects reserved words and two layers with the same entity name). VHDL identifiers
 * are case-insensitive, so everything is compared in lower case.
 */
import { ARITH_PACKAGE_NAME } from '../engines/_shared/arith-package.js';
import { diagnostic, vhdlName, type Diagnostic, type GraphSpec } from '../dsl/index.js';

/**
 * One diagnostic per layer whose entity name is also one of kiln's own design units, naming both: a
 * testbench (`<layer>_tb` of another layer or of the model), the arithmetic package, the top level (the model
 * name), another layer's entity (the input buffer's `input_buffer`, for a model not made with the builder);
 * or whose signals in the top level would collide with the top level's own (`stage_done`).
 */
export function entityNameClashes(spec: GraphSpec): Diagnostic[] {
  // (A model not made with the builder may lack names; the rest of resolveDesign reports what it lacks.)
  if (typeof spec.name !== 'string' || !Array.isArray(spec.layers) || !spec.layers.every((l) => typeof l?.path === 'string')) return [];
  const diags: Diagnostic[] = [];
  const owner = new Map<string, string>();
  owner.set(ARITH_PACKAGE_NAME, `kiln's arithmetic package (vhdl/${ARITH_PACKAGE_NAME}.vhd)`);
  for (const l of spec.layers) {
    const name = vhdlName(l.path);
    if (!owner.has(`${name}_tb`)) owner.set(`${name}_tb`, `the testbench of layer '${l.path}' (sim/${name}_tb.vhd)`);
  }
  // The model's own units (its top level and testbench) may not be any of those either.
  const top = spec.name.toLowerCase();
  for (const unit of [top, `${top}_tb`]) {
    const taken = owner.get(unit);
    if (taken !== undefined) diags.push(diagnostic('KILN_E_GRAPH', ['model', 'name'], `model name '${spec.name}' gives the VHDL name '${unit}', which is already ${taken}`, 'rename the model'));
  }
  owner.set(top, `the top level of model '${spec.name}' (vhdl/${spec.name}.vhd)`);
  owner.set(`${top}_tb`, `the testbench of model '${spec.name}' (sim/${spec.name}_tb.vhd)`);
  const clash = (l: { path: string }, message: string) => diags.push(diagnostic('KILN_E_GRAPH', ['model', l.path], message, 'rename the layer'));
  for (const l of spec.layers) {
    const name = vhdlName(l.path);
    const taken = owner.get(name);
    if (taken !== undefined) clash(l, `layer '${l.path}' gives the VHDL name '${name}', which is already ${taken}`);
    // The top level declares `<layer>_done` for every layer, and `stage_done` for its schedule.
    else if (name === 'stage') clash(l, `layer '${l.path}' gives the VHDL name 'stage', whose signal 'stage_done' in the top level would collide with the schedule's own 'stage_done'`);
    owner.set(name, `the entity of layer '${l.path}' (vhdl/${name}.vhd)`);
  }
  return diags;
}
