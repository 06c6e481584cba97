/**
 * `kiln search --write N`: applies a front point to the config file with ts-morph, editing the `layers:` object
 * of the default export in place (creating it when there is none). Only the entries it sets change: comments,
 * formatting and imports stay. A config whose relevant parts are computed (the export, `layers:` or a layer's
 * entry not written as object literals) is refused, naming what is computed and where.
 */
import { KilnError, type Diagnostic } from '../dsl/diagnostics.js';
import type { GeneSetting, GeneValue } from './space.js';

export interface WriteEdit {
  /** Layer path → the settings to write (a setting already given this value is left as it is). */
  readonly layers: Record<string, Partial<Record<GeneSetting, GeneValue>>>;
}

function refuse(file: string, message: string, line?: number, hint?: string): never {
  const d: Diagnostic = { code: 'KILN_E_SEARCH_WRITE', severity: 'error', path: ['layers'], message, ...(hint ? { hint } : {}), ...(line !== undefined ? { loc: { file, line, column: 1 } } : {}) };
  throw new KilnError([d]);
}

/** The config text with the edit applied. Throws KilnError (KILN_E_SEARCH_WRITE) when it cannot be done in place. */
export async function applyToConfigSource(source: string, file: string, edit: WriteEdit): Promise<string> {
  const { Project, Node, IndentationText, QuoteKind } = await import('ts-morph');
  // the file's own style: its indentation and its quotes
  const indent = /^([ \t]+)\S/m.exec(source)?.[1] ?? '  ';
  const indentationText = indent.startsWith('\t') ? IndentationText.Tab : indent.length >= 8 ? IndentationText.EightSpaces : indent.length >= 4 ? IndentationText.FourSpaces : IndentationText.TwoSpaces;
  const quote = (source.match(/"/g)?.length ?? 0) > (source.match(/'/g)?.length ?? 0) ? '"' : "'";
  const project = new Project({ useInMemoryFileSystem: true, compilerOptions: { allowJs: true }, manipulationSettings: { indentationText, quoteKind: quote === '"' ? QuoteKind.Double : QuoteKind.Single } });
  const sf = project.createSourceFile(file.endsWith('.ts') || file.endsWith('.mts') ? 'config.ts' : 'config.js', source);
  const assignment = sf.getExportAssignment((e) => !e.isExportEquals());
  if (!assignment) refuse(file, 'the config has no `export default` to edit', undefined, 'kiln search --write edits `export default defineConfig({ ... })`');
  // export default {...} | defineConfig({...}) | defineConfig((env) => ({...})) with a literal body
  let expr: import('ts-morph').Node = assignment.getExpression();
  if (Node.isCallExpression(expr) && expr.getArguments().length === 1) expr = expr.getArguments()[0]!;
  if (Node.isArrowFunction(expr)) {
    const body = expr.getBody();
    expr = Node.isParenthesizedExpression(body) ? body.getExpression() : body;
  }
  while (Node.isParenthesizedExpression(expr) || Node.isAsExpression(expr) || Node.isSatisfiesExpression(expr)) expr = expr.getExpression();
  if (!Node.isObjectLiteralExpression(expr)) refuse(file, 'the default export is computed, not an object literal, so kiln cannot edit it in place', expr.getStartLineNumber(), 'write the config as `export default defineConfig({ ... })`, or apply the settings from search.json by hand');
  const config = expr;
  const trailingComma = (o: import('ts-morph').ObjectLiteralExpression) => o.getProperties().length > 0 && sf.getFullText().slice(o.getProperties().at(-1)!.getEnd(), o.getEnd()).includes(',');
  // Objects that had a trailing comma keep one (ts-morph adds the last property without): the positions where
  // one goes are collected and inserted into the final text.
  const commas: (() => number | undefined)[] = [];
  const keepTrailingComma = (o: import('ts-morph').ObjectLiteralExpression, had: boolean) => {
    if (had) commas.push(() => (trailingComma(o) ? undefined : o.getProperties().at(-1)!.getEnd()));
  };
  let layersProp = config.getProperty('layers');
  if (!layersProp) {
    keepTrailingComma(config, trailingComma(config));
    layersProp = config.addPropertyAssignment({ name: 'layers', initializer: '{}' });
  }
  if (!Node.isPropertyAssignment(layersProp)) refuse(file, '`layers:` is not written as `layers: { ... }` (a shorthand, spread or method), so kiln cannot edit it in place', layersProp.getStartLineNumber());
  const layers = layersProp.getInitializer();
  if (!layers || !Node.isObjectLiteralExpression(layers)) refuse(file, '`layers:` is computed, not an object literal, so kiln cannot edit it in place', layersProp.getStartLineNumber(), 'write `layers: { ... }` literally, or apply the settings from search.json by hand');
  const keyOf = (name: string) => name.replace(/^(['"`])(.*)\1$/, '$2');
  const keyText = (path: string) => (/^[A-Za-z_$][\w$]*$/.test(path) ? path : `${quote}${path}${quote}`);
  const literal = (v: GeneValue) => (typeof v === 'number' ? String(v) : `${quote}${v}${quote}`);
  const hadComma = trailingComma(layers);
  for (const [path, settings] of Object.entries(edit.layers)) {
    const entries = Object.entries(settings);
    if (entries.length === 0) continue;
    const existing = layers.getProperties().find((p) => Node.isPropertyAssignment(p) && keyOf(p.getName()) === path);
    if (!existing) {
      layers.addPropertyAssignment({ name: keyText(path), initializer: `{ ${entries.map(([k, v]) => `${k}: ${literal(v)}`).join(', ')} }` });
      continue;
    }
    const value = (existing as import('ts-morph').PropertyAssignment).getInitializer();
    if (!value || !Node.isObjectLiteralExpression(value)) refuse(file, `the entry for '${path}' in \`layers:\` is computed, so kiln cannot edit it in place`, existing.getStartLineNumber());
    for (const [k, v] of entries) {
      const prop = value.getProperty(k);
      if (prop && Node.isPropertyAssignment(prop)) prop.setInitializer(literal(v));
      else if (prop) refuse(file, `'${path}'.${k} is not written as \`${k}: value\``, prop.getStartLineNumber());
      else value.addPropertyAssignment({ name: k, initializer: literal(v) });
    }
  }
  keepTrailingComma(layers, hadComma || trailingComma(config));
  let text = sf.getFullText();
  for (const at of commas.map((f) => f()).filter((x): x is number => x !== undefined).sort((a, b) => b - a)) text = `${text.slice(0, at)},${text.slice(at)}`;
  return text;
}
