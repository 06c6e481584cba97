/**
 * Incremental builds and watch mode: build units and their keys, the manifest, the lock, the dependency
 * scanner, the watch loop. buildProject (src/build.ts) runs the incremental pipeline; startWatch drives it.
 */
export { startWatch, locateConfig, testbenchesToSimulate, type WatchEvent, type WatchOptions, type Watcher } from './watcher.js';
export { planUnits, describeChange, ARITH_UNIT, TOP_UNIT, MODEL_UNIT, REPORTS_UNIT, type UnitPlan, type UnitKind, type LayerCost } from './units.js';
export { readManifest, writeManifest, manifestProblem, MANIFEST_FILE, type Manifest, type ManifestUnit, type FileRecord } from './manifest.js';
export { acquireLock, LOCK_FILE, type BuildLock } from './lock.js';
export { scanDependencies, type ConfigDependencies } from './deps.js';
export { estimateDelta, formatDelta, type EstimateDelta, type LayerDelta } from './delta.js';
export { formatBuildSummary } from './summary.js';
export { generatorRevision, GENERATOR_REVISION } from './generator.js';
export { quantizeDesign, createQuantizeCache, type QuantizeCache } from './quantize.js';
export { referenceOutputs, createReferenceCache, type ReferenceCache } from './reference.js';
