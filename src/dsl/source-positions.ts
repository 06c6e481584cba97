/**
 * Maps positions in the code that runs (a config module after its TypeScript and module syntax were rewritten,
 * inside jiti's function wrapper) back to the file the user wrote. Every transform records its source map
 * here; stack frames and error positions are translated through it, so a location names the user's line and
 * column, also on line 1 (where jiti's wrapper and the transform's prologue shift every column) and after an
 * imported name was rewritten (`defineConfig(` → `_kilnfpga.defineConfig(`).
 */
import { SourceMap, type SourceMapPayload } from 'node:module';

interface Recorded {
  /** Built on first use: mapping is only needed when something failed. */
  map: SourceMap | (() => SourceMapPayload | undefined);
  /** Length of jiti's wrapper before the module's first line (it evaluates `(function (…) { <code>`). */
  prefix: number;
}

const recorded = new Map<string, Recorded>();

/** The text jiti puts in front of a module's code on line 1 (jiti 2: `(async function (exports, …) { `). */
export function jitiWrapperPrefix(async: boolean): string {
  return `(${async ? 'async ' : ''}function (exports, require, module, __filename, __dirname, jitiImport, jitiESMResolve) { `;
}

/** Records the map of a transformed module: the map, or a function computing it when first needed. */
export function recordSourceMap(filename: string, map: SourceMapPayload | (() => SourceMapPayload | undefined), async: boolean): void {
  recorded.set(filename, { map: typeof map === 'function' ? map : new SourceMap(map), prefix: jitiWrapperPrefix(async).length });
}

/** Source map of inline `//# sourceMappingURL=data:…;base64,…` (what Babel emits), if any. */
export function inlineSourceMap(code: string): SourceMapPayload | undefined {
  const m = /\/\/# sourceMappingURL=data:application\/json[^,]*;base64,([A-Za-z0-9+/=]+)\s*$/.exec(code);
  if (!m) return undefined;
  try {
    return JSON.parse(Buffer.from(m[1]!, 'base64').toString('utf8')) as SourceMapPayload;
  } catch {
    return undefined;
  }
}

/** Forgets the maps of earlier loads (each load transforms its modules again). */
export function clearSourceMaps(): void {
  recorded.clear();
}

/**
 * The user's position (1-based line and column) for a 1-based position in the running code of `file`, as a
 * stack frame gives it. Positions of files without a recorded map are returned unchanged.
 */
export function originalPosition(file: string, line: number, column: number): { line: number; column: number } {
  const r = recorded.get(file);
  if (!r) return { line, column };
  if (typeof r.map === 'function') {
    const payload = r.map();
    if (!payload) return { line, column };
    r.map = new SourceMap(payload);
  }
  const generatedColumn = Math.max(0, column - 1 - (line === 1 ? r.prefix : 0));
  const entry = r.map.findEntry(line - 1, generatedColumn) as Partial<{ generatedLine: number; generatedColumn: number; originalLine: number; originalColumn: number }>;
  if (entry.originalLine === undefined || entry.generatedLine !== line - 1) return { line, column: generatedColumn + 1 };
  return { line: entry.originalLine + 1, column: entry.originalColumn! + (generatedColumn - entry.generatedColumn!) + 1 };
}
