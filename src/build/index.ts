/**
 * The incremental build engine behind every `kiln build`, `estimate`, `sim`, `synth` and `watch`: the pipeline,
 * build units and their keys, the manifest, the output folder's lock, the stored calibration and atomic writes.
 */
export { buildProject, compileProject, evaluateProject, loadProjectInputs, type InputsResult, type EvaluationResult, type BuildCache, type BuildResult, type BuildSummary, type ProjectOptions, type ProjectResult } from './pipeline.js';
export { planUnits, describeChange, ARITH_UNIT, TOP_UNIT, MODEL_UNIT, REPORTS_UNIT, type UnitPlan, type UnitKind, type LayerCost } from './units.js';
export { readManifest, writeManifest, manifestProblem, MANIFEST_FILE, KILN_DIR, type Manifest, type ManifestUnit, type FileRecord } from './manifest.js';
export { acquireLock, LOCK_FILE, type BuildLock } from './lock.js';
export { estimateDelta, formatDelta, type EstimateDelta, type LayerDelta } from './delta.js';
export { formatBuildSummary } from './summary.js';
export { generatorRevision, GENERATOR_REVISION } from './generator.js';
export { writeFileAtomic, writeFileAtomicSync, writeArtifacts, readTextIfExists } from './write.js';
