/**
 * The pipeline behind `kiln build` and `kiln estimate`: load → resolve → estimate → reports.
 * Everything is computed before anything is written, so an invalid config leaves earlier outputs untouched.
 */
import { dirname, relative, resolve } from 'node:path';
import { isKilnError, KilnError } from './dsl/diagnostics.js';
import { loadConfig, type LoadedConfig } from './dsl/load.js';
import { withLocations } from './dsl/locate.js';
import type { ConfigEnv } from './dsl/types.js';
import { createReport, renderReportJson, renderReportMarkdown, writeArtifacts, type Report } from './emitters/index.js';
import { emitHardware, type TestbenchEntry } from './emitters/vhdl/index.js';
import { estimateDesign, type Estimate } from './estimator/index.js';
import { resolveDesign, type ResolvedDesign } from './ir/index.js';
import { quantizeModel } from './reference/index.js';
import type { QuantizedModel } from './reference/types.js';
import { KILN_VERSION } from './version.js';

export interface ProjectOptions {
  configPath?: string;
  cwd?: string;
  /** Output directory; default `build/` next to the config file. */
  outDir?: string;
  command?: ConfigEnv['command'];
  /** Generate VHDL, testbenches and vectors too (default true). */
  hardware?: boolean;
}

export interface ProjectResult {
  loaded: LoadedConfig;
  design: ResolvedDesign;
  estimate: Estimate;
  report: Report;
  outDir: string;
  /** Relative path → content of every artifact the build writes. */
  artifacts: Map<string, string>;
  /** Present when hardware was generated. */
  quantized?: QuantizedModel;
  testbenches: TestbenchEntry[];
}

/** Loads, validates, estimates and renders; writes nothing. Throws KilnError (with source locations) on bad input. */
export async function compileProject(options: ProjectOptions = {}): Promise<ProjectResult> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const loaded = await loadConfig({
    ...(options.configPath !== undefined ? { configPath: options.configPath } : {}),
    cwd,
    env: { command: options.command ?? 'build', mode: process.env.NODE_ENV ?? 'production' },
  });
  let design: ResolvedDesign;
  try {
    design = resolveDesign(loaded.config);
  } catch (err) {
    if (isKilnError(err)) throw new KilnError(withLocations(err.diagnostics, loaded.source, loaded.filepath));
    throw err;
  }
  const outDir = options.outDir !== undefined ? resolve(cwd, options.outDir) : resolve(dirname(loaded.filepath), 'build');
  const estimate = estimateDesign(design);
  const report = createReport(design, estimate, { kilnVersion: KILN_VERSION, config: relative(dirname(outDir), loaded.filepath) || loaded.filepath });
  const artifacts = new Map([
    ['report.json', renderReportJson(report)],
    ['report.md', renderReportMarkdown(report)],
  ]);
  if (options.hardware === false) return { loaded, design, estimate, report, outDir, artifacts, testbenches: [] };
  let quantized: QuantizedModel;
  let hw: ReturnType<typeof emitHardware>;
  try {
    quantized = quantizeModel(design);
    hw = emitHardware(design, quantized);
  } catch (err) {
    if (isKilnError(err)) throw new KilnError(withLocations(err.diagnostics, loaded.source, loaded.filepath));
    throw err;
  }
  for (const [rel, text] of hw.files) artifacts.set(rel, text);
  return { loaded, design, estimate, report, outDir, artifacts, quantized, testbenches: hw.testbenches };
}

/** compileProject, then writes the artifacts atomically. */
export async function buildProject(options: ProjectOptions = {}): Promise<ProjectResult & { written: string[] }> {
  const result = await compileProject(options);
  const written = await writeArtifacts(result.outDir, result.artifacts);
  return { ...result, written };
}
