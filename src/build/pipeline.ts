/**
 * The pipeline behind `kiln build`, `kiln estimate`, `kiln sim` and `kiln watch`:
 * load → resolve → estimate → reports → quantize → units → (only the dirty ones) emit → write.
 *
 * compileProject() computes everything in memory and writes nothing (estimate uses it). buildProject() is
 * incremental: it plans the build's units (src/build/units.ts), compares their keys with the previous build's
 * manifest (or, in watch mode, the previous build of the session passed as `cache`), emits only the units
 * that changed, writes only files whose content changed, removes files that are no longer produced and
 * writes the manifest last. Everything is computed before anything is written, so an invalid config leaves
 * earlier outputs untouched.
 */
import { existsSync } from 'node:fs';
import { rmdir } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { isKilnError, KilnError } from '../dsl/diagnostics.js';
import { loadConfig, type LoadedConfig } from '../dsl/load.js';
import type { ConfigSandbox } from '../dsl/sandbox.js';
import { withLocations } from '../dsl/locate.js';
import type { ConfigEnv } from '../dsl/types.js';
import { createReport, renderReportJson, renderReportMarkdown, type Report, type ReportInputs } from '../emitters/index.js';
import { emitHardwareUnit, testbenchEntries, type HardwareContext, type TestbenchEntry } from '../emitters/vhdl/index.js';
import { estimateDesign, type Estimate } from '../estimator/index.js';
import { buildProblemDiagnostics, buildProblems, resolveDesign, type LayerNode, type ResolvedDesign } from '../ir/index.js';
import { createEvaluationCache, createQuantizeCache, createReferenceCache, evaluate, quantizeWithStats, runReference, type EvaluationCache, type QuantizeCache, type ReferenceCache } from '../reference/index.js';
import type { QuantizedModel } from '../reference/types.js';
import { readTextIfExists } from './write.js';
import { KILN_VERSION } from '../version.js';
import { currentSynthesis, readSynthReport, SYNTH_REPORT } from '../synth/report.js';
import { estimateDelta, estimateRecord, recordFromManifest, type EstimateDelta } from './delta.js';
import { generatorRevision } from './generator.js';
import { decideUnits, findGeneratedFiles, sweepTempFiles, syncUnits, verifyCleanUnits } from './incremental.js';
import { acquireLock, type BuildLock } from './lock.js';
import { checkOutputFolder } from './out-dir.js';
import { ioFailure } from '../util/io-error.js';
import { KILN_DIR, MANIFEST_FILE, readManifest, removeManifest, writeManifest, type FileRecord, type Manifest, type ManifestUnit } from './manifest.js';
import { readQuantizeCache, writeQuantizeCache } from './calibration-store.js';
import { planReports, planUnits, type UnitKind, type UnitPlan } from './units.js';
import { loadInputs, type ModelInputs } from './inputs.js';
import { overBudgetAdvice, type OverBudgetAdvice } from '../search/advice.js';
import type { KilnConfig } from '../dsl/index.js';

export interface ProjectOptions {
  configPath?: string;
  cwd?: string;
  /** Output directory; default `build/` next to the config file. */
  outDir?: string;
  command?: ConfigEnv['command'];
  /** compileProject only: generate VHDL, testbenches and vectors too (default true). */
  hardware?: boolean;
  /** buildProject: rebuild and rewrite every unit (`kiln build --force`). */
  force?: boolean;
  /** buildProject: the previous build of this session (watch mode); its manifest and derived state are reused. */
  cache?: BuildCache;
  /** buildProject: take the output folder's lock for the build (default true; `kiln watch` holds it itself). */
  lock?: boolean;
  /** buildProject: keep holding the lock after a successful build and return it (`kiln sim` and `kiln synth`
   * read the written files afterwards, and must not have them rewritten under them). */
  keepLock?: boolean;
  /** Limit for evaluating the config (`--config-timeout`); default 10 s. */
  configTimeoutMs?: number;
  /** The config worker to evaluate the config in (watch mode keeps one per session); default: the shared one. */
  sandbox?: ConfigSandbox;
}

export interface ProjectResult {
  loaded: LoadedConfig;
  design: ResolvedDesign;
  estimate: Estimate;
  report: Report;
  outDir: string;
  /**
   * Relative path → content of the artifacts generated: every artifact for compileProject; for buildProject
   * those of the units it rebuilt (the others are on disk, unchanged).
   */
  artifacts: Map<string, string>;
  /** Present when hardware was generated. */
  quantized?: QuantizedModel;
  /** Every testbench of the design (whether or not its unit was rebuilt). */
  testbenches: TestbenchEntry[];
}

/** What one incremental build did. */
export interface BuildSummary {
  /** Every unit was rebuilt (`fullReason` says why: first build, --force, manifest missing or unreadable). */
  full: boolean;
  fullReason?: string;
  /** Problems with the previous build's manifest (each led to a full rebuild). */
  warnings: string[];
  /** Units rebuilt, in build order, with the reason. */
  rebuilt: { unit: string; kind: UnitKind; reason: string }[];
  /** Number of units left untouched. */
  unchanged: number;
  /** Absolute paths of the files written (files whose content did not change are not rewritten). */
  written: string[];
  /** Absolute paths of the files removed (units that no longer exist). */
  removed: string[];
  /** Estimate change against the previous build (no layers listed on a first build). */
  delta: EstimateDelta;
  /**
   * Layers whose float calibration (the float forward over the calibration windows) was computed by this build;
   * the others reused the previous build's, from memory in watch mode or from `.kiln/calibration.json`.
   */
  calibrated: string[];
  /** Milliseconds per stage (resolve includes the estimate and the report) and in total. */
  timings: Record<'load' | 'resolve' | 'quantize' | 'plan' | 'emit' | 'write' | 'total', number>;
  /**
   * Why no VHDL, testbenches or vectors were generated: the design is over budget and too large for kiln to
   * generate here, so the build wrote its reports (and the verdict) only.
   */
  noHardware?: string;
}

/** What a build hands to the next one in the same process (watch mode). */
export interface BuildCache {
  readonly outDir: string;
  readonly configPath: string;
  readonly manifest: Manifest;
  readonly quantize: QuantizeCache;
  readonly reference: ReferenceCache[];
  /** Float and integer outputs over the test split, for the accuracy figures. */
  readonly evaluation: EvaluationCache;
}

export interface BuildResult extends ProjectResult {
  /** Absolute paths written (same as build.written). */
  written: string[];
  build: BuildSummary;
  cache: BuildCache;
  /** The output folder's lock, still held, when `keepLock` was asked: release it when done with the files. */
  lock?: BuildLock;
}

interface Prepared {
  loaded: LoadedConfig;
  design: ResolvedDesign;
  estimate: Estimate;
  report: Report;
  outDir: string;
  loadMs: number;
  resolveMs: number;
}

/** What an over-budget design is told (why, what would fit); never a reason for the build itself to fail. */
function adviceFor(loaded: LoadedConfig, design: ResolvedDesign, estimate: Estimate): OverBudgetAdvice | undefined {
  try {
    return overBudgetAdvice(loaded.config as KilnConfig, design, estimate);
  } catch {
    return undefined;
  }
}

/** The advice a report carries, for the reports created again from it. */
const advised = (r: Report): { advice?: OverBudgetAdvice } => (r.overBudget ? { advice: r.overBudget } : {});

/** Re-throws a stage's KilnError with source locations in the config. */
function located<T>(loaded: LoadedConfig, fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    if (isKilnError(err)) throw new KilnError(withLocations(err.diagnostics, loaded.source, loaded.filepath));
    throw err;
  }
}

async function prepare(options: ProjectOptions): Promise<Prepared> {
  const cwd = resolve(options.cwd ?? process.cwd());
  const t0 = performance.now();
  const loaded = await loadConfig({
    ...(options.configPath !== undefined ? { configPath: options.configPath } : {}),
    cwd,
    env: { command: options.command ?? 'build', mode: process.env.NODE_ENV ?? 'production' },
    ...(options.configTimeoutMs !== undefined ? { timeoutMs: options.configTimeoutMs } : {}),
    ...(options.sandbox ? { sandbox: options.sandbox } : {}),
  });
  const t1 = performance.now();
  const design = located(loaded, () => resolveDesign(loaded.config));
  const outDir = options.outDir !== undefined ? resolve(cwd, options.outDir) : resolve(dirname(loaded.filepath), 'build');
  const estimate = estimateDesign(design);
  const advice = estimate.fits ? undefined : adviceFor(loaded, design, estimate);
  const report = createReport(design, estimate, { kilnVersion: KILN_VERSION, config: relative(dirname(outDir), loaded.filepath) || loaded.filepath, ...(advice ? { advice } : {}) });
  return { loaded, design, estimate, report, outDir, loadMs: t1 - t0, resolveMs: performance.now() - t1 };
}

/**
 * Whether the build generates hardware (src/ir/capability.ts decides what kiln can build). A design kiln cannot
 * express is refused (exit 2); one too large to generate here is refused when it fits its budget (exit 2, naming
 * the size), and when it does not fit, the build writes its reports only (the verdict is "over budget", exit 1,
 * given in seconds whatever the size): the reason is returned.
 */
function hardwareDecision(loaded: LoadedConfig, design: ResolvedDesign, estimate: Estimate): { hardware: true } | { hardware: false; reason: string } {
  const problems = buildProblems(design);
  if (problems.length === 0) return { hardware: true };
  if (!estimate.fits && problems.every((p) => p.sort === 'size')) return { hardware: false, reason: problems.map((p) => p.message).join('; ') };
  return located(loaded, () => {
    throw new KilnError(buildProblemDiagnostics(problems, 'error'));
  });
}

export interface EvaluationResult extends ProjectResult {
  /** The inputs the design was quantized with (weights, data). */
  inputs: ModelInputs;
}

/**
 * Loads, validates, reads the weights and the data, quantizes and scores the integer model on the test split
 * (`kiln eval`); writes nothing and generates no hardware. The report carries the figures.
 */
export async function evaluateProject(options: ProjectOptions = {}): Promise<EvaluationResult> {
  const prepared = await prepare(options);
  const { loaded, design, estimate, outDir } = prepared;
  const cwd = resolve(options.cwd ?? process.cwd());
  return located(loaded, () => {
    const inputs = loadInputs(design, dirname(loaded.filepath), cwd);
    const quantized = quantizeWithStats(design, createQuantizeCache(), inputs.sources);
    const report = createReport(design, estimate, { kilnVersion: KILN_VERSION, config: prepared.report.config, inputs: reportInputs(design, inputs, quantized), ...advised(prepared.report) });
    return { loaded, design, estimate, report, outDir, artifacts: new Map(), quantized: quantized.model, testbenches: [], inputs };
  });
}

export interface InputsResult extends Omit<ProjectResult, 'artifacts' | 'testbenches' | 'report'> {
  inputs: ModelInputs;
}

/** Loads and validates the config and reads its weights and data (`kiln search`); quantizes nothing, writes nothing. */
export async function loadProjectInputs(options: ProjectOptions = {}): Promise<InputsResult> {
  const { loaded, design, estimate, outDir } = await prepare(options);
  const cwd = resolve(options.cwd ?? process.cwd());
  return located(loaded, () => ({ loaded, design, estimate, outDir, inputs: loadInputs(design, dirname(loaded.filepath), cwd) }));
}

/** Loads, validates, estimates and renders everything; writes nothing. Throws KilnError (with source locations) on bad input. */
export async function compileProject(options: ProjectOptions = {}): Promise<ProjectResult> {
  const prepared = await prepare(options);
  const { loaded, design, estimate, outDir } = prepared;
  let report = prepared.report;
  if (options.hardware === false) {
    return { loaded, design, estimate, report, outDir, artifacts: reportFiles(report), testbenches: [] };
  }
  if (!hardwareDecision(loaded, design, estimate).hardware) return { loaded, design, estimate, report, outDir, artifacts: reportFiles(report), testbenches: [] };
  const cwd = resolve(options.cwd ?? process.cwd());
  return located(loaded, () => {
    const inputs = loadInputs(design, dirname(loaded.filepath), cwd);
    const quantized = quantizeWithStats(design, createQuantizeCache(), inputs.sources);
    const model = quantized.model;
    report = createReport(design, estimate, { kilnVersion: KILN_VERSION, config: report.config, inputs: reportInputs(design, inputs, quantized), ...advised(report) });
    const testbenches = testbenchEntries(design, cyclesFrom(estimate), model.testInputs.length);
    const plans = planUnits({ design, estimate, model, report, generator: generatorRevision(), testbenches });
    const artifacts = new Map<string, string>();
    const ctx = emitContext(design, model, report, testbenches);
    for (const p of plans) for (const [rel, text] of emitUnit(p, ctx)) artifacts.set(rel, text);
    return { loaded, design, estimate, report, outDir, artifacts, quantized: model, testbenches };
  });
}

/** What the reports say about the weights, the data and the accuracy of the quantized model. */
function reportInputs(design: ResolvedDesign, inputs: ModelInputs, quantized: ReturnType<typeof quantizeWithStats>, cache?: EvaluationCache): ReportInputs {
  const w = inputs.weights?.file;
  const d = inputs.data;
  return {
    ...(w ? { weights: { file: w.path, format: w.format, sha256: w.sha256 } } : {}),
    ...(d
      ? {
          data: {
            file: d.file,
            sha256: d.sha256,
            features: d.dataset.features,
            targets: d.dataset.targets,
            windows: { train: d.dataset.splits.train.windows.samples, validation: d.dataset.splits.validation.windows.samples, test: d.dataset.splits.test.windows.samples },
            rows: { train: d.dataset.splits.train.rows, validation: d.dataset.splits.validation.rows, test: d.dataset.splits.test.rows },
            normalization: d.dataset.normalization,
            calibrationWindows: inputs.sources.calibration!.batch.samples,
            observer: design.quantization.observer === 'minmax' ? 'minmax' : `percentile ${design.quantization.observer.percentile}`,
          },
        }
      : {}),
    ...(inputs.test ? { accuracy: evaluate(design, quantized.model, quantized.floatParams, inputs.test, { floatKeys: quantized.floatKeys, ...(cache ? { cache } : {}) }) } : {}),
    quantization: { input: quantized.model.layers.get(design.layers[0]!.path)!.output, output: quantized.model.layers.get(design.output)!.output },
  };
}

const reportFiles = (report: Report) =>
  new Map([
    ['report.json', renderReportJson(report)],
    ['report.md', renderReportMarkdown(report)],
  ]);

/** Each layer's cycles as estimated (the estimate already asked every engine). */
const cyclesFrom = (estimate: Estimate) => (node: LayerNode) => estimate.layers[node.index]!.cycles;

interface EmitContext extends HardwareContext {
  readonly report: Report;
  readonly nodes: ReadonlyMap<string, LayerNode>;
}

function emitContext(design: ResolvedDesign, model: QuantizedModel, report: Report, testbenches: readonly TestbenchEntry[], referenceCache?: ReferenceCache[]): EmitContext {
  // Layer testbenches replay recorded activations and the model's testbench checks the outputs: one reference
  // run per test window serves both (through the watch session's cache when there is one).
  const activations = (w: number) => runReference(design, model, model.testInputs[w]!, referenceCache?.[w]);
  const memo = new Map<number, ReadonlyMap<string, Int32Array>>();
  const memoised = (w: number) => memo.get(w) ?? memo.set(w, activations(w)).get(w)!;
  return { design, model, report, testbenches, activations: memoised, nodes: new Map(design.layers.map((l) => [l.path, l])) };
}

/** Files of a unit, generated from the design: every unit in compileProject, the dirty ones in buildProject. */
function emitUnit(p: UnitPlan, ctx: EmitContext): Map<string, string> {
  switch (p.kind) {
    case 'layer':
      return emitHardwareUnit({ kind: 'layer', node: ctx.nodes.get(p.id)! }, ctx);
    case 'arith':
    case 'top':
      return emitHardwareUnit({ kind: p.kind }, ctx);
    case 'model':
      return emitHardwareUnit({ kind: 'model' }, ctx);
    case 'reports':
      return reportFiles(ctx.report);
  }
}

/** Why the previous build cannot be used (full rebuild), with a warning when that is a surprise. */
async function previousBuild(outDir: string, configPath: string, options: ProjectOptions, cwd: string): Promise<{ previous?: Manifest; fullReason?: string; warning?: string }> {
  const shown = relative(cwd, join(outDir, MANIFEST_FILE)) || MANIFEST_FILE;
  let previous: Manifest | undefined;
  if (options.cache && options.cache.outDir === outDir && options.cache.configPath === configPath) {
    previous = options.cache.manifest;
  } else {
    const read = await readManifest(outDir);
    if (read.status === 'missing') {
      const hadOutput = existsSync(join(outDir, 'report.json')) || existsSync(join(outDir, 'vhdl'));
      if (!hadOutput) return { fullReason: 'first build' };
      return { fullReason: 'manifest missing', warning: `no build manifest (${shown}) next to earlier outputs; rebuilding everything` };
    }
    if (read.status === 'invalid') return { fullReason: 'manifest unreadable', warning: `build manifest ${shown} ${read.problem}; rebuilding everything` };
    previous = read.manifest;
    if (previous.config !== configPath) {
      return { previous, fullReason: 'manifest of another config', warning: `build manifest ${shown} was written for ${previous.config}; rebuilding everything for ${configPath}` };
    }
  }
  if (options.force) return { previous, fullReason: '--force' };
  return { previous };
}

/**
 * Builds incrementally into the output folder: only the units whose key changed are emitted, only files whose
 * content changed are written, files of units that no longer exist are removed, the manifest is written last.
 */
export async function buildProject(options: ProjectOptions = {}): Promise<BuildResult> {
  const start = performance.now();
  const cwd = resolve(options.cwd ?? process.cwd());
  const { loaded, design, estimate, report: estimatedReport, outDir, loadMs, resolveMs } = await prepare(options);
  const decision = hardwareDecision(loaded, design, estimate);
  let report = estimatedReport;

  let t = performance.now();
  // Watch mode keeps the float calibration in memory; a new process starts from what the last build stored
  // (never with --force, which recomputes everything).
  const qcache = options.cache?.quantize ?? (options.force ? createQuantizeCache() : readQuantizeCache(outDir, generatorRevision()));
  const inputs = decision.hardware ? located(loaded, () => loadInputs(design, dirname(loaded.filepath), cwd)) : undefined;
  const quantized = inputs ? located(loaded, () => quantizeWithStats(design, qcache, inputs.sources)) : undefined;
  const model = quantized?.model;
  // Scored once per build (the reports are created again below when synthesis figures are added).
  const evalCache = options.cache?.evaluation ?? createEvaluationCache();
  const measured = inputs && quantized ? reportInputs(design, inputs, quantized, evalCache) : undefined;
  if (measured) report = createReport(design, estimate, { kilnVersion: KILN_VERSION, config: report.config, inputs: measured, ...advised(report) });
  const refCache = options.cache?.reference ?? (model?.testInputs ?? []).map(() => createReferenceCache());
  const quantizeMs = performance.now() - t;

  t = performance.now();
  const testbenches = model ? testbenchEntries(design, cyclesFrom(estimate), model.testInputs.length) : [];
  const plansOf = (r: Report) => (model ? planUnits({ design, estimate, model, report: r, generator: generatorRevision(), testbenches }) : [planReports(r)]);
  let plans = plansOf(report);
  // Where `kiln synth` measured a unit whose key is still the same, the reports show both figures.
  const synthesized = currentSynthesis(readSynthReport(readTextIfExists(join(outDir, SYNTH_REPORT))), plans, design.name);
  if (synthesized.size > 0) {
    report = createReport(design, estimate, { kilnVersion: KILN_VERSION, config: report.config, synthesized, ...(measured ? { inputs: measured } : {}), ...advised(report) });
    plans = plansOf(report);
  }
  const planMs = performance.now() - t;

  // (kiln watch checks the folder and takes the lock once, when it starts.)
  if (options.lock !== false) checkOutputFolder(outDir, { force: options.force === true, cwd });
  const outExisted = existsSync(outDir);
  const kilnExisted = existsSync(join(outDir, KILN_DIR));
  let lock: BuildLock | undefined;
  let changed = false;
  let handOver = false;
  try {
    if (options.lock !== false) lock = await acquireLock(outDir, options.command ?? 'build', cwd);
    // Temporary files of a build that was killed between writing and renaming (a watch session, which holds
    // the lock throughout, needs to look only once).
    if (outExisted && !options.cache) await sweepTempFiles(outDir);
    const { previous, fullReason, warning } = await previousBuild(outDir, loaded.filepath, options, cwd);
    const decisions = decideUnits(plans, fullReason === undefined ? previous : undefined, fullReason);
    const clean = fullReason === undefined ? verifyCleanUnits(outDir, decisions) : new Map<string, Record<string, FileRecord>>();

    t = performance.now();
    const emitted = new Map<string, Map<string, string>>();
    located(loaded, () => {
      // (A build without hardware plans the reports alone.)
      const ctx = model ? emitContext(design, model, report, testbenches, refCache) : undefined;
      for (const d of decisions) if (d.dirty) emitted.set(d.plan.id, ctx ? emitUnit(d.plan, ctx) : reportFiles(report));
    });
    const emitMs = performance.now() - t;

    t = performance.now();
    const orphans = previous === undefined || fullReason === 'manifest unreadable' ? await findGeneratedFiles(outDir) : [];
    let manifestRemoved = false;
    const sync = await syncUnits(outDir, decisions, emitted, {
      rewriteAll: fullReason !== undefined,
      clean,
      ...(previous ? { previous } : {}),
      orphans,
      cwd,
      beforeFirstChange: async () => {
        changed = true;
        manifestRemoved = true;
        try {
          removeManifest(outDir);
        } catch (err) {
          throw ioFailure(err, 'remove the build manifest', join(outDir, MANIFEST_FILE), cwd);
        }
      },
    });
    const rebuilt = decisions.filter((d) => d.dirty).map((d) => ({ unit: d.plan.id, kind: d.plan.kind, reason: d.reason! }));
    const units: Record<string, ManifestUnit> = {};
    for (const d of decisions) {
      const p = d.plan;
      units[p.id] = {
        kind: p.kind,
        key: p.key,
        facets: { ...p.facets },
        summary: { ...p.summary },
        files: sync.files.get(p.id) ?? {},
        reason: d.dirty ? d.reason! : d.prev!.reason,
        ...(p.estimate ? { estimate: p.estimate } : {}),
        ...(p.from ? { from: [...p.from] } : {}),
      };
    }
    const manifest: Manifest = {
      schema: 'kiln-build-manifest',
      schemaVersion: 1,
      kiln: KILN_VERSION,
      generator: generatorRevision(),
      config: loaded.filepath,
      model: design.name,
      estimate: {
        device: design.device.id,
        total: estimateRecord(estimate).total,
        limits: { lut: estimate.limits.lut, ff: estimate.limits.ff, lutram: estimate.limits.lutram, bram18: estimate.limits.bram18, dsp: estimate.limits.dsp },
        fits: estimate.fits,
        over: [...estimate.over],
      },
      units,
      lastBuild: { at: new Date().toISOString(), full: fullReason !== undefined, rebuilt: rebuilt.map(({ unit, reason }) => ({ unit, reason })), unchanged: decisions.length - rebuilt.length, written: sync.written.length, removed: sync.removed.length },
    };
    // The manifest is written whenever anything changed, and only then: a build that changes nothing writes nothing.
    if (previous && rebuilt.length === 0 && sync.written.length === 0 && sync.removed.length === 0) manifest.lastBuild = previous.lastBuild;
    // (The on-disk check matters in watch mode, where `previous` comes from memory and a failed build may have dropped the file.)
    if (!previous || manifestRemoved || !sameState(previous, manifest) || !existsSync(join(outDir, MANIFEST_FILE))) {
      changed = true;
      try {
        writeQuantizeCache(outDir, qcache, generatorRevision());
      } catch (err) {
        throw ioFailure(err, 'write the stored calibration', join(outDir, KILN_DIR, 'calibration.json'), cwd);
      }
      try {
        writeManifest(outDir, manifest);
      } catch (err) {
        throw ioFailure(err, 'write the build manifest', join(outDir, MANIFEST_FILE), cwd);
      }
    }
    const writeMs = performance.now() - t;

    const before = previous && previous.config === loaded.filepath ? recordFromManifest(previous) : undefined;
    const summary: BuildSummary = {
      full: fullReason !== undefined,
      ...(fullReason !== undefined ? { fullReason } : {}),
      warnings: [
        ...(warning ? [warning] : []),
        ...(inputs?.warnings ?? []).map((d) => `${d.message}${d.hint ? ` (${d.hint})` : ''}`),
        ...sync.kept.map((rel) => `left ${relative(cwd, join(outDir, rel)) || rel} in place: an earlier build generated it and this one no longer does, but it was changed since, so it is not kiln's to remove`),
      ],
      rebuilt,
      unchanged: decisions.length - rebuilt.length,
      written: sync.written.map((rel) => join(outDir, rel)),
      removed: sync.removed.map((rel) => join(outDir, rel)),
      delta: estimateDelta(before, design, estimate),
      calibrated: quantized?.stats.floatComputed ?? [],
      ...(decision.hardware ? {} : { noHardware: decision.reason }),
      timings: { load: loadMs, resolve: resolveMs, quantize: quantizeMs, plan: planMs, emit: emitMs, write: writeMs, total: performance.now() - start },
    };
    const artifacts = new Map<string, string>();
    for (const files of emitted.values()) for (const [rel, text] of files) artifacts.set(rel, text);
    return {
      loaded,
      design,
      estimate,
      report,
      outDir,
      artifacts,
      quantized: model,
      testbenches,
      written: summary.written,
      build: summary,
      cache: { outDir, configPath: loaded.filepath, manifest, quantize: qcache, reference: refCache, evaluation: evalCache },
      ...(options.keepLock && lock ? { lock: ((handOver = true), lock) } : {}),
    };
  } finally {
    if (!handOver) await lock?.release();
    if (!changed) {
      // Nothing was written: leave no lock folder (or output folder) behind that was not there before.
      if (!kilnExisted) await rmdir(join(outDir, KILN_DIR)).catch(() => undefined);
      if (!outExisted) await rmdir(outDir).catch(() => undefined);
    }
  }
}

/** Same units, keys, files and estimate (the record of the last build aside). */
function sameState(a: Manifest, b: Manifest): boolean {
  const strip = (m: Manifest) => JSON.stringify({ ...m, lastBuild: undefined });
  return strip(a) === strip(b);
}

