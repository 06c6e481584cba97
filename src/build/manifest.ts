/**
 * The build manifest, `<out>/.kiln/manifest.json`: every unit's key and facets, its files with their hashes
 * (and size and mtime, to avoid re-reading unchanged files), the estimate of each layer (for deltas) and why
 * each unit was last rebuilt. It is only ever an optimisation: a missing, unreadable, foreign or malformed
 * manifest means a full rebuild with a warning, never a crash and never stale output. File paths in it are
 * checked to be plain relative paths inside the output folder before anything is deleted on its word.
 */
import { existsSync, lstatSync, renameSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, normalize, sep } from 'node:path';
import { writeFileAtomicSync } from './write.js';
import type { LayerCost, SummaryValue, UnitKind } from './units.js';

export const KILN_DIR = '.kiln';
export const MANIFEST_FILE = `${KILN_DIR}/manifest.json`;
export const MANIFEST_SCHEMA = 'kiln-build-manifest';
export const MANIFEST_SCHEMA_VERSION = 1;

export interface FileRecord {
  /** SHA-256 of the content. */
  hash: string;
  size: number;
  mtimeMs: number;
}

export interface ManifestUnit {
  kind: UnitKind;
  key: string;
  facets: Record<string, string>;
  summary: Record<string, SummaryValue>;
  /** Relative path (under the output folder) → record. */
  files: Record<string, FileRecord>;
  /** Why this unit was last (re)built. */
  reason: string;
  /** Layers: the estimate when it was built. */
  estimate?: LayerCost;
  from?: string[];
}

export interface ManifestTotals {
  device: string;
  total: LayerCost;
  limits: Omit<LayerCost, 'cycles'>;
  fits: boolean;
  over: string[];
}

export interface Manifest {
  schema: typeof MANIFEST_SCHEMA;
  schemaVersion: typeof MANIFEST_SCHEMA_VERSION;
  kiln: string;
  generator: string;
  /** Absolute path of the config that was built. */
  config: string;
  model: string;
  estimate: ManifestTotals;
  units: Record<string, ManifestUnit>;
  lastBuild: {
    at: string;
    full: boolean;
    rebuilt: { unit: string; reason: string }[];
    unchanged: number;
    written: number;
    removed: number;
  };
}

export type ManifestRead = { status: 'ok'; manifest: Manifest } | { status: 'missing' } | { status: 'invalid'; problem: string };

export async function readManifest(outDir: string): Promise<ManifestRead> {
  let text: string;
  try {
    text = await readFile(join(outDir, MANIFEST_FILE), 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { status: 'missing' };
    if (code === 'EISDIR') return { status: 'invalid', problem: `is a folder, not a file (kiln moves it to ${MANIFEST_FILE}${DAMAGED_SUFFIX})` };
    return { status: 'invalid', problem: `cannot be read (${(err as Error).message})` };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return { status: 'invalid', problem: `is not valid JSON (${(err as Error).message})` };
  }
  const problem = manifestProblem(value);
  return problem === undefined ? { status: 'ok', manifest: value as Manifest } : { status: 'invalid', problem };
}

/** Writes the manifest atomically (it is the last file a build writes). */
export function writeManifest(outDir: string, manifest: Manifest): void {
  writeKilnFile(join(outDir, MANIFEST_FILE), JSON.stringify(manifest, null, 1) + '\n');
}

/** Removed before a build's first write, so a build killed midway leaves no manifest and the next build is full. */
export function removeManifest(outDir: string): void {
  const path = join(outDir, MANIFEST_FILE);
  moveAsideIfFolder(path);
  rmSync(path, { force: true });
}

const DAMAGED_SUFFIX = '.damaged';

/**
 * A folder where one of kiln's own files (.kiln/manifest.json, .kiln/calibration.json) belongs is damage, but
 * kiln did not make it, so it is moved aside (`<file>.damaged`, numbered if taken) rather than deleted.
 */
export function moveAsideIfFolder(path: string): void {
  try {
    if (!lstatSync(path).isDirectory()) return;
  } catch {
    return;
  }
  let aside = path + DAMAGED_SUFFIX;
  for (let n = 2; existsSync(aside); n++) aside = `${path}${DAMAGED_SUFFIX}.${n}`;
  renameSync(path, aside);
}

/** Writes one of kiln's own files under .kiln/ atomically, moving aside a folder in its place. */
export function writeKilnFile(path: string, content: string): void {
  moveAsideIfFolder(path);
  writeFileAtomicSync(path, content);
}

// ───────────────────────────── validation ─────────────────────────────

const UNIT_KINDS = new Set(['layer', 'arith', 'top', 'model', 'reports']);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isHash = (v: unknown) => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v);
const isCount = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v >= 0;

/** A relative path that stays inside the output folder and outside .kiln/. */
export function isSafeOutputPath(rel: string): boolean {
  if (rel === '' || isAbsolute(rel) || rel.includes('\0') || rel.includes('\\')) return false;
  const n = normalize(rel);
  if (n !== rel) return false;
  const parts = n.split(sep);
  return !parts.includes('..') && !parts.includes('.') && parts[0] !== KILN_DIR;
}

/** Why a parsed value is not a manifest this kiln can use, or undefined when it is. */
export function manifestProblem(v: unknown): string | undefined {
  if (!isObject(v)) return 'is not a JSON object';
  if (v.schema !== MANIFEST_SCHEMA) return `is not a kiln build manifest (schema ${JSON.stringify(v.schema)})`;
  if (v.schemaVersion !== MANIFEST_SCHEMA_VERSION) return `has schema version ${JSON.stringify(v.schemaVersion)}, this kiln reads ${MANIFEST_SCHEMA_VERSION}`;
  for (const k of ['kiln', 'generator', 'config', 'model'] as const) if (typeof v[k] !== 'string') return `has no ${k}`;
  const est = v.estimate;
  if (!isObject(est) || !isObject(est.total) || !isObject(est.limits) || typeof est.fits !== 'boolean' || typeof est.device !== 'string' || !Array.isArray(est.over)) return 'has no estimate';
  if (!isObject(v.units)) return 'has no units';
  const seen = new Set<string>();
  for (const [id, u] of Object.entries(v.units)) {
    const bad = `has a malformed unit '${id}'`;
    if (!isObject(u) || typeof u.kind !== 'string' || !UNIT_KINDS.has(u.kind) || !isHash(u.key) || typeof u.reason !== 'string') return bad;
    if (!isObject(u.facets) || !Object.values(u.facets).every((h) => typeof h === 'string')) return bad;
    if (!isObject(u.summary) || !isObject(u.files)) return bad;
    if (u.estimate !== undefined && (!isObject(u.estimate) || !Object.values(u.estimate).every(isCount))) return bad;
    if (u.from !== undefined && (!Array.isArray(u.from) || !u.from.every((f) => typeof f === 'string'))) return bad;
    for (const [rel, f] of Object.entries(u.files)) {
      if (!isSafeOutputPath(rel)) return `lists a file outside the output folder: ${JSON.stringify(rel)}`;
      if (seen.has(rel)) return `lists ${rel} twice`;
      seen.add(rel);
      if (!isObject(f) || !isHash(f.hash) || !isCount(f.size) || !isCount(f.mtimeMs)) return `has a malformed record for ${rel}`;
    }
  }
  if (!isObject(v.lastBuild)) return 'has no lastBuild';
  return undefined;
}
