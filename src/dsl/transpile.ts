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
import { createRequire } from 'node:module';
import type { TransformOptions, TransformResult } from 'jiti';

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

/** jiti `transform` option: sucrase for plain TypeScript/ESM modules, FullTransformNeeded for the rest. */
export function fastTransform(opts: TransformOptions): TransformResult {
  if (opts.jsx) throw new FullTransformNeeded(opts.filename, 'JSX');
  if (NEEDS_BABEL.test(opts.source)) throw new FullTransformNeeded(opts.filename, 'import.meta or dynamic import()');
  // sucrase is CommonJS; loaded on first use so commands that load no config never pay for it.
  sucrase ??= createRequire(import.meta.url)('sucrase') as Sucrase;
  try {
    const { code } = sucrase.transform(opts.source, {
      transforms: opts.ts ? ['typescript', 'imports'] : ['imports'],
      ...(opts.filename !== undefined ? { filePath: opts.filename } : {}),
      // Node 20 runs modern syntax natively: only types and module syntax are rewritten.
      disableESTransforms: true,
    });
    return { code };
  } catch (err) {
    throw new FullTransformNeeded(opts.filename, `sucrase: ${(err as Error).message}`);
  }
}
