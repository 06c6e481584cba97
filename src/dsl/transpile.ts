/**
 * The transform jiti applies to a config and the local modules it imports. Sucrase strips the types and turns
 * `import`/`export` into CommonJS in well under a millisecond per file and loads in ~30 ms; jiti's default,
 * Babel, takes ~2 ms per file (most of a watch-mode reload) and ~100 ms to load in a new process.
 *
 * Sucrase leaves `import.meta` as it is and does not route dynamic `import()` through jiti, and its syntax
 * errors carry less context than Babel's. A module with either construct, or that sucrase cannot parse, is
 * therefore refused with FullTransformNeeded, and the loader loads the config again with jiti's own Babel
 * transform (src/dsl/load.ts), so every config that loaded before still loads, with the same errors.
 */
import { createRequire, type SourceMapPayload } from 'node:module';
import type { TransformOptions, TransformResult } from 'jiti';
import { inlineSourceMap, recordSourceMap } from './source-positions.js';

type Sucrase = typeof import('sucrase');
let sucrase: Sucrase | undefined;

/** Thrown from inside jiti's transform hook: this module needs jiti's default (Babel) transform. */
export class FullTransformNeeded extends Error {
  constructor(readonly filename: string | undefined, reason: string) {
    super(`${filename ?? 'module'}: ${reason}; loading with the full transform`);
    this.name = 'FullTransformNeeded';
  }
}

export function isFullTransformNeeded(err: unknown): err is FullTransformNeeded {
  for (let e = err, depth = 0; e && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof FullTransformNeeded) return true;
  }
  return false;
}

// Written as a token check, not a parse: a false positive (the words in a comment or a string) only costs
// the slower transform.
const NEEDS_BABEL = /\bimport\s*(?:\.\s*meta\b|\()/;
/**
 * `import('kiln-fpga')`: both transforms leave a dynamic import to Node, which resolves it from the config's
 * folder, where kiln is usually not installed. It becomes a deferred require, which jiti points at kiln's
 * own copy like a static import.
 */
const KILN_DYNAMIC_IMPORT = /\bimport\s*\(\s*(['"`])kiln-fpga\1\s*\)/g;

/** The source with `import('kiln-fpga')` rewritten (see KILN_DYNAMIC_IMPORT); lines are kept. */
function withKilnRequire(source: string): string {
  return source.replace(KILN_DYNAMIC_IMPORT, "Promise.resolve().then(() => require('kiln-fpga'))");
}
/** Text that may be an `export default` (a comment or a string may hold it too: tokens decide). */
const EXPORT_DEFAULT = /(?:^|[;{}\s])export\s+default\b/g;

/**
 * A module with two `export default` is a syntax error in JavaScript and in TypeScript, but sucrase lets the
 * second overwrite the first and Babel's TypeScript parser accepts it. Thrown as Babel reports syntax errors
 * (`SyntaxError: message (line:col)` and the place, 0-based column), so it is located like them.
 */
function rejectSecondDefaultExport(opts: TransformOptions): void {
  if ((opts.source.match(EXPORT_DEFAULT)?.length ?? 0) < 2) return;
  // sucrase's own tokenizer (its CommonJS internals, typed here by what is used)
  const require = createRequire(import.meta.url);
  const { parse } = require('sucrase/dist/parser') as { parse(code: string, jsx: boolean, ts: boolean, flow: boolean): { tokens: { type: number; start: number }[] } };
  const { TokenType } = require('sucrase/dist/parser/tokenizer/types') as { TokenType: { _export: number; _default: number } };
  let tokens: { type: number; start: number }[];
  try {
    tokens = parse(opts.source, opts.jsx === true, opts.ts === true, false).tokens;
  } catch {
    return; // a syntax error of another kind: the transform reports it
  }
  const defaults = tokens.filter((t, i) => t.type === TokenType._export && tokens[i + 1]?.type === TokenType._default);
  if (defaults.length < 2) return;
  const at = defaults[1]!.start;
  const before = opts.source.slice(0, at);
  const line = before.split('\n').length;
  const column = at - (before.lastIndexOf('\n') + 1);
  throw new SyntaxError(`SyntaxError: Only one default export allowed per module. (${line}:${column}) \n ${opts.filename ?? 'module'}:${line}:${column}`);
}

/** sucrase is CommonJS, loaded on first use (or ahead of it, by the config worker while it starts). */
export function loadSucrase(): Sucrase {
  return (sucrase ??= createRequire(import.meta.url)('sucrase') as Sucrase);
}

/** jiti `transform` option: sucrase for plain TypeScript/ESM modules, FullTransformNeeded for the rest. */
export function fastTransform(original: TransformOptions): TransformResult {
  const opts = { ...original, source: withKilnRequire(original.source) };
  if (opts.jsx) throw new FullTransformNeeded(opts.filename, 'JSX');
  if (NEEDS_BABEL.test(opts.source)) throw new FullTransformNeeded(opts.filename, 'import.meta or dynamic import()');
  rejectSecondDefaultExport(opts);
  loadSucrase();
  try {
    const options: import('sucrase').Options = {
      transforms: opts.ts ? ['typescript', 'imports'] : ['imports'],
      ...(opts.filename !== undefined ? { filePath: opts.filename } : {}),
      // Node 20 runs modern syntax natively: only types and module syntax are rewritten.
      disableESTransforms: true,
    };
    const { code } = loadSucrase().transform(opts.source, options);
    // Lines are kept; columns move (a prologue on line 1, rewritten imported names), so errors are mapped back,
    // with a map computed only when an error needs it (the same transform again, with a map: ~1 ms a module).
    const { filename, source } = opts;
    if (filename !== undefined) {
      recordSourceMap(filename, () => loadSucrase().transform(source, { ...options, sourceMapOptions: { compiledFilename: filename } }).sourceMap as SourceMapPayload | undefined, opts.async === true);
    }
    return { code };
  } catch (err) {
    throw new FullTransformNeeded(opts.filename, `sucrase: ${(err as Error).message}`);
  }
}

/**
 * jiti's own (Babel) transform, wrapped to record each module's source map. `babel` is jiti's default
 * transform (`createJiti(…).options.transform`); jiti asks it for inline maps when created with
 * `sourceMaps: true`.
 */
export function recordingTransform(babel: (opts: TransformOptions) => TransformResult): (opts: TransformOptions) => TransformResult {
  return (original) => {
    const opts = { ...original, source: withKilnRequire(original.source) };
    rejectSecondDefaultExport(opts);
    const result = babel(opts);
    const map = opts.filename !== undefined && !result.error ? inlineSourceMap(result.code) : undefined;
    if (map) recordSourceMap(opts.filename!, map, opts.async === true);
    return result;
  };
}
