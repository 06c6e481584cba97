/**
 * The incremental part of a build: which units are dirty and why (key changed against the previous manifest,
 * or a file of theirs was deleted or edited on disk), and bringing the output folder in line with the new
 * units: write the files whose content changed (atomically), keep the others untouched (their modification
 * times stay), and remove the files of units that no longer exist.
 */
import { readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { stageFile, TEMP_FILE_RE } from './write.js';
import { KilnError } from '../dsl/diagnostics.js';
import { ioFailure } from '../util/io-error.js';
import { hashContent } from '../util/hash.js';
import { isProcessAlive } from './lock.js';
import { KILN_DIR, type FileRecord, type Manifest, type ManifestUnit } from './manifest.js';
import { describeChange, MODEL_UNIT, type UnitPlan } from './units.js';

export interface UnitDecision {
  readonly plan: UnitPlan;
  readonly prev?: ManifestUnit;
  dirty: boolean;
  /** Why it is rebuilt (dirty units). */
  reason?: string;
}

/** Dirty units by key: all of them with `fullReason` when there is no usable previous build. */
export function decideUnits(plans: readonly UnitPlan[], prev: Manifest | undefined, fullReason?: string): UnitDecision[] {
  const upstreamChanged = prev ? upstreamChanges(plans, prev) : () => [];
  return plans.map((plan) => {
    const before = prev?.units[plan.id];
    if (fullReason !== undefined || !prev) return { plan, ...(before ? { prev: before } : {}), dirty: true, reason: fullReason ?? 'first build' };
    if (!before) return { plan, dirty: true, reason: describeChange(undefined, plan) };
    if (before.key !== plan.key || before.kind !== plan.kind) return { plan, prev: before, dirty: true, reason: describeChange(before, plan, upstreamChanged(plan)) };
    return { plan, prev: before, dirty: false };
  });
}

/**
 * The layers upstream of a layer unit whose arithmetic changed since `prev`, in schedule order: the @model
 * unit's `ref:<layer>` facets hold each layer's arithmetic, the layer units' `from` their producers.
 */
function upstreamChanges(plans: readonly UnitPlan[], prev: Manifest): (plan: UnitPlan) => string[] {
  const before = prev.units[MODEL_UNIT]?.facets ?? {};
  const after = plans.find((p) => p.id === MODEL_UNIT)?.facets ?? {};
  const order = new Map(plans.map((p, i) => [p.id, i]));
  const producers = new Map(plans.map((p) => [p.id, p.from ?? []]));
  return (plan) => {
    if (plan.kind !== 'layer' || prev.units[plan.id]?.facets.upstream === plan.facets.upstream) return [];
    const seen = new Set<string>();
    const stack = [...(plan.from ?? [])];
    while (stack.length > 0) {
      const id = stack.pop()!;
      if (seen.has(id)) continue;
      seen.add(id);
      stack.push(...(producers.get(id) ?? []));
    }
    return [...seen].filter((id) => before[`ref:${id}`] !== after[`ref:${id}`]).sort((a, b) => order.get(a)! - order.get(b)!);
  };
}

type DiskState = { state: 'same'; record: FileRecord } | { state: 'missing' } | { state: 'different' };

/**
 * Whether a file on disk still has the recorded content: size and mtime equal (a stat, synchronous: dozens of
 * them cost well under a millisecond), or else the same hash.
 */
function checkFile(path: string, record: FileRecord): DiskState {
  let s;
  try {
    s = statSync(path);
  } catch {
    return { state: 'missing' };
  }
  if (!s.isFile()) return { state: 'different' };
  if (s.size === record.size && s.mtimeMs === record.mtimeMs) return { state: 'same', record };
  if (s.size !== record.size) return { state: 'different' };
  let hash: string;
  try {
    hash = hashContent(readFileSync(path));
  } catch {
    return { state: 'different' };
  }
  return hash === record.hash ? { state: 'same', record: { hash, size: s.size, mtimeMs: s.mtimeMs } } : { state: 'different' };
}

/**
 * Checks the files of every clean unit against the manifest: a deleted or edited file makes its unit dirty
 * (so it is regenerated, not trusted). Returns the refreshed records of the clean units' files.
 */
export function verifyCleanUnits(outDir: string, decisions: readonly UnitDecision[]): Map<string, Record<string, FileRecord>> {
  const records = new Map<string, Record<string, FileRecord>>();
  for (const d of decisions) {
    if (d.dirty) continue;
    const files: Record<string, FileRecord> = {};
    let ok = true;
    for (const [rel, record] of Object.entries(d.prev!.files)) {
      const r = checkFile(join(outDir, rel), record);
      if (r.state !== 'same') {
        d.dirty = true;
        d.reason = `${rel} was ${r.state === 'missing' ? 'deleted' : 'modified'}`;
        ok = false;
        break;
      }
      files[rel] = r.record;
    }
    if (ok) records.set(d.plan.id, files);
  }
  return records;
}

export interface SyncResult {
  /** Relative paths written. */
  written: string[];
  /** Relative paths removed. */
  removed: string[];
  /** Files of earlier builds that are no longer produced but were left in place: they changed since kiln wrote them. */
  kept: string[];
  /** Unit id → its files' records after the sync. */
  files: Map<string, Record<string, FileRecord>>;
}

export interface SyncOptions {
  /** Rewrite every file of a dirty unit even when its content is unchanged (--force, no manifest). */
  rewriteAll: boolean;
  /** Records of clean units' files from verifyCleanUnits. */
  clean: Map<string, Record<string, FileRecord>>;
  /** The previous build's files, for removing what no longer exists. */
  previous?: Manifest;
  /** Paths that may be left over from a build without a (valid) manifest: removed if not produced now. */
  orphans?: readonly string[];
  /** Called once before the first file is replaced or removed (the build drops its manifest there). */
  beforeFirstChange: () => Promise<void>;
  /** For paths in error messages. */
  cwd?: string;
}

/**
 * Writes the dirty units' changed files, removes files that are no longer produced, returns the new records.
 * Every new file is first written next to its target (a temporary sibling), and only when all of them are
 * written are they renamed into place: a failure to write (a folder kiln may not write to, a full disk) leaves
 * every earlier output untouched. Only a failing rename or removal, after that, leaves a partial update, which
 * the missing manifest turns into a full rebuild next time. Failures are thrown as KILN_E_IO.
 */
export async function syncUnits(outDir: string, decisions: readonly UnitDecision[], emitted: ReadonlyMap<string, ReadonlyMap<string, string>>, o: SyncOptions): Promise<SyncResult> {
  const files = new Map(o.clean);
  const previousRecords = new Map<string, FileRecord>();
  for (const u of Object.values(o.previous?.units ?? {})) for (const [rel, r] of Object.entries(u.files)) previousRecords.set(rel, r);

  const produced = new Set<string>();
  for (const recs of o.clean.values()) for (const rel of Object.keys(recs)) produced.add(rel);
  const toWrite: { unit: string; rel: string; text: string; hash: string }[] = [];
  const keep: { unit: string; rel: string; record: FileRecord }[] = [];
  for (const d of decisions) {
    if (!d.dirty) continue;
    const unitFiles = emitted.get(d.plan.id);
    if (!unitFiles) throw new Error(`internal: unit ${d.plan.id} is dirty but was not emitted`);
    for (const [rel, text] of unitFiles) {
      produced.add(rel);
      const hash = hashContent(text);
      const before = previousRecords.get(rel);
      if (!o.rewriteAll && before?.hash === hash) {
        const r = checkFile(join(outDir, rel), before);
        if (r.state === 'same') {
          keep.push({ unit: d.plan.id, rel, record: r.record });
          continue;
        }
      }
      toWrite.push({ unit: d.plan.id, rel, text, hash });
    }
  }
  // A file is removed only while it is still what kiln wrote: its recorded content, or (without a manifest)
  // recognisably generated (findGeneratedFiles). A file edited since is left in place and reported.
  const kept: string[] = [];
  const toRemove = [...new Set([...previousRecords.keys(), ...(o.orphans ?? [])])]
    .filter((rel) => !produced.has(rel))
    .filter((rel) => {
      const record = previousRecords.get(rel);
      const state = record ? checkFile(join(outDir, rel), record).state : 'same';
      if (state === 'different') kept.push(rel);
      return state === 'same';
    })
    .sort();

  const staged: { unit: string; rel: string; hash: string; tmp: string }[] = [];
  const discardStaged = () => {
    for (const f of staged) rmSync(f.tmp, { force: true });
  };
  for (const w of toWrite) {
    try {
      staged.push({ unit: w.unit, rel: w.rel, hash: w.hash, tmp: stageFile(join(outDir, w.rel), w.text) });
    } catch (err) {
      discardStaged();
      throw noting(ioFailure(err, 'write', join(outDir, w.rel), o.cwd), UNTOUCHED);
    }
  }
  if (staged.length > 0 || toRemove.length > 0) await o.beforeFirstChange();
  const records = new Map<string, Record<string, FileRecord>>();
  const recordOf = (unit: string) => {
    let r = records.get(unit);
    if (!r) records.set(unit, (r = {}));
    return r;
  };
  for (const k of keep) recordOf(k.unit)[k.rel] = k.record;
  // Synchronous on purpose (see writeFileAtomicSync); the first failure stops the sync and is thrown.
  for (const [i, f] of staged.entries()) {
    const path = join(outDir, f.rel);
    try {
      renameSync(f.tmp, path);
      const st = statSync(path);
      recordOf(f.unit)[f.rel] = { hash: f.hash, size: st.size, mtimeMs: st.mtimeMs };
    } catch (err) {
      for (const rest of staged.slice(i)) rmSync(rest.tmp, { force: true });
      throw noting(ioFailure(err, 'replace', path, o.cwd), PARTWAY);
    }
  }
  for (const rel of toRemove) {
    try {
      rmSync(join(outDir, rel), { force: true });
      // A removed layer testbench also leaves its GHDL work folder behind (written by kiln sim).
      const tb = /^sim\/([A-Za-z0-9_]+_tb)\.vhd$/.exec(rel);
      if (tb) rmSync(join(outDir, 'sim', 'work', tb[1]!), { recursive: true, force: true });
    } catch (err) {
      throw noting(ioFailure(err, 'remove', join(outDir, rel), o.cwd), PARTWAY);
    }
  }
  // Keep each unit's files in the order its emitter produced them.
  for (const d of decisions.filter((x) => x.dirty)) {
    const r = records.get(d.plan.id) ?? {};
    files.set(d.plan.id, Object.fromEntries([...emitted.get(d.plan.id)!.keys()].map((rel) => [rel, r[rel]!])));
  }
  return { written: toWrite.map((w) => w.rel).sort(), removed: toRemove, kept: kept.sort(), files };
}

/** An I/O failure, with what it left in the output folder. */
function noting(e: KilnError, note: string): KilnError {
  return new KilnError(e.diagnostics.map((d) => ({ ...d, message: `${d.message} (${note})` })));
}
const UNTOUCHED = 'nothing in the output folder was changed';
const PARTWAY = 'the build stopped partway; the next one rebuilds everything';

const GENERATED_VHDL = /^-- Generated by kiln /m;
/** A vector file: a `# ` comment line, then one integer per line. */
const VECTOR_TEXT = /^# [^\n]*\n(?:-?\d+\n)*(?:-?\d*)$/;

/**
 * Files kiln generated in an earlier build that a build without a manifest cannot attribute, each recognised by
 * its content: generated VHDL in vhdl/ and sim/ (its header), vhdl/files.txt (a list of .vhd names),
 * sim/testbenches.json (kiln's testbench index) and the vector files in sim/vectors/ (a comment line, then
 * integers). Anything else in the output folder is never touched.
 */
export async function findGeneratedFiles(outDir: string): Promise<string[]> {
  const found: string[] = [];
  const list = async (rel: string) => readdir(join(outDir, rel), { withFileTypes: true }).catch(() => []);
  const head = async (rel: string, bytes = 8192) => (await readFile(join(outDir, rel), 'utf8').catch(() => '')).slice(0, bytes);
  const isKilnVhdl = async (rel: string) => GENERATED_VHDL.test(await head(rel));
  const isFileList = async (rel: string) => {
    const lines = (await head(rel, 1 << 20)).split('\n').filter((l) => l !== '');
    return lines.length > 0 && lines.every((l) => /^[A-Za-z0-9_]+\.vhd$/.test(l));
  };
  const isTestbenchIndex = async (rel: string) => {
    try {
      return Array.isArray((JSON.parse(await readFile(join(outDir, rel), 'utf8')) as { testbenches?: unknown }).testbenches);
    } catch {
      return false;
    }
  };
  for (const e of await list('vhdl')) {
    const rel = `vhdl/${e.name}`;
    if (!e.isFile()) continue;
    if ((e.name === 'files.txt' && (await isFileList(rel))) || (e.name.endsWith('.vhd') && (await isKilnVhdl(rel)))) found.push(rel);
  }
  for (const e of await list('sim')) {
    const rel = `sim/${e.name}`;
    if (!e.isFile()) continue;
    if ((e.name === 'testbenches.json' && (await isTestbenchIndex(rel))) || (e.name.endsWith('_tb.vhd') && (await isKilnVhdl(rel)))) found.push(rel);
  }
  for (const e of await list('sim/vectors')) {
    const rel = `sim/vectors/${e.name}`;
    if (e.isFile() && /^[A-Za-z0-9_]+\.(x\d*|y)\.txt$/.test(e.name) && VECTOR_TEXT.test(await head(rel, 1 << 16).then((t) => t.slice(0, t.lastIndexOf('\n') + 1)))) found.push(rel);
  }
  return found;
}

/** Names of the files kiln writes (a temporary file's name is one of these plus `.<pid>.<random>.tmp`). */
const KILN_FILE_NAME = /^(?:[A-Za-z0-9_]+(?:\.[A-Za-z0-9]+)*\.(?:vhd|txt|json|md)|lock)$/;

/**
 * Temporary files left by a writer that was killed between writing and renaming (`<file>.<pid>.<random>.tmp`,
 * see writeFileAtomic) in the folders a build writes to; removed when their writer is gone. Returns them.
 */
export async function sweepTempFiles(outDir: string): Promise<string[]> {
  const removed: string[] = [];
  for (const rel of ['.', 'vhdl', 'sim', 'sim/vectors', KILN_DIR]) {
    const entries = await readdir(join(outDir, rel), { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const m = TEMP_FILE_RE.exec(e.name);
      if (!e.isFile() || !m || !KILN_FILE_NAME.test(e.name.slice(0, m.index)) || isProcessAlive(Number(m[1]))) continue;
      const p = rel === '.' ? e.name : `${rel}/${e.name}`;
      await rm(join(outDir, p), { force: true }).catch(() => undefined);
      removed.push(p);
    }
  }
  return removed;
}
