/**
 * Runs fuzz cases (test/fuzz/generators.ts) against the built kiln binary and checks the CLI contract.
 *
 * Each case gets its own project folder. When the case asks for it, a valid earlier build is made there first
 * (`kiln build --config previous.config.mjs`, into the same build/ folder), then the case's commands run one
 * after the other, each as `node bin/kiln.js <command> [--json] [--config FILE] --config-timeout 3`, spawned
 * like a user would (test/helpers.ts spawns the same binary). Cases run in a pool (2 at a time by default).
 *
 * Measurement: wall time is taken around the spawn; peak RSS is GNU time's `%M` (the maximum resident set
 * size of the kiln process, all its threads, the config worker included), read from `/usr/bin/time -f ... -o
 * FILE`. Where GNU time is missing, the runner samples the process's VmHWM (the kernel's own peak-RSS
 * counter) from /proc/<pid>/status every 20 ms instead; the last sample before exit is the figure (a lower
 * bound by at most the last 20 ms of growth). A run still going after the hard cap (30 s) is killed with its
 * process group and counted as a hang.
 *
 * Checks per run (each failure has a category):
 *   internal        "internal error", KILN_E_INTERNAL, a stack trace or a V8 fatal error in the output
 *   exit-code       an exit code other than 0, 1, 2 (or death by a signal)
 *   json            with --json: stdout is not exactly one JSON document (a kiln-report on exit 0/1, a
 *                   kiln-error with diagnostics on exit 2); without --json: anything on stdout
 *   write-on-error  exit 2 of kiln build changed the project folder (every file's bytes and mtime, and the
 *                   set of files and folders, compared with a snapshot taken before); kiln estimate changed it
 *   time / memory   wall time over the config timeout + 5 s, peak RSS over 500 MB
 *   hang            killed at the hard cap
 *   verdict         the exit code (or, on exit 2, the diagnostic codes) differs from what the generator
 *                   expects for the case (a valid config rejected, an invalid one accepted, a timeout not named)
 *   report          a kiln-report whose figures contradict themselves (fits vs exit code vs over, a device
 *                   that is not one of kiln's, non-finite totals)
 *   design-units    a successful build whose VHDL declares one entity or package twice, lists a file twice
 *                   or lacks the kiln_arith package
 *   harness         the fuzzer itself could not run the case
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { DEVICES, VALID_BUILD, type Command, type FuzzCase, type Verdict } from './generators.js';
import { knownFailure } from './known-failures.js';

export const CATEGORIES = ['internal', 'exit-code', 'json', 'write-on-error', 'time', 'memory', 'hang', 'verdict', 'report', 'design-units', 'harness'] as const;
export type Category = (typeof CATEGORIES)[number];

export interface RunnerOptions {
  /** The kiln binary (bin/kiln.js of a built checkout, or of a snapshot of one). */
  kilnBin: string;
  /** Folder for the case projects (created; each case's folder is removed when it passes). */
  workDir: string;
  /** `--config-timeout` passed to every run, in seconds. */
  configTimeoutS?: number;
  /** Wall time a run may take beyond the config timeout. */
  wallLimitMs?: number;
  /** Peak RSS a run may reach. */
  rssLimitMB?: number;
  /** A run still going after this is killed and counted as a hang. */
  hardCapMs?: number;
  /** Cases run at the same time. */
  jobs?: number;
  /** Keep the project folders of failing cases (at most this many). */
  keepFailures?: number;
  /** Run every command of a case (default), or only its first (a quicker pass: the suite test). */
  commands?: 'all' | 'first';
}

export interface RunRecord {
  /** `previous` (the earlier build), or the command with its flags. */
  readonly label: string;
  readonly command: Command;
  readonly json: boolean;
  readonly args: readonly string[];
  readonly code: number | null;
  readonly signal: string | null;
  readonly wallMs: number;
  readonly rssMB: number | null;
  readonly killed: boolean;
  /** Diagnostic codes kiln reported (from the JSON document, or the `error[CODE]` lines on stderr). */
  readonly diagnostics: readonly string[];
  readonly stdoutHead: string;
  readonly stderrHead: string;
}

export interface Failure {
  readonly category: Category;
  readonly message: string;
  /** The run it is about: its label. */
  readonly run: string;
  /** Id of the KNOWN_FAILURES entry it matches: a known kiln bug, reported but not counted as a failure. */
  readonly known?: string;
}

export interface CaseResult {
  readonly index: number;
  readonly fuzzCase: FuzzCase;
  readonly runs: readonly RunRecord[];
  readonly failures: readonly Failure[];
  /** Where the project was (kept only for failing cases, up to keepFailures). */
  readonly dir: string;
}

const STDOUT_CAP = 32 * 2 ** 20;
const HEAD = 4000;

/**
 * A copy of a built checkout's bin/, dist/ and package.json in `into` (node_modules linked), so that a rebuild
 * of dist/ while the fuzzer runs (npm test, another session's build) cannot change the kiln under test or
 * catch it half-written. Returns the copy's bin/kiln.js.
 */
export function snapshotKiln(root: string, into: string): string {
  const dir = join(into, 'kiln');
  mkdirSync(dir, { recursive: true });
  for (const part of ['bin', 'dist', 'package.json']) cpSync(join(root, part), join(dir, part), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return join(dir, 'bin', 'kiln.js');
}

// ───────────────────────────── measuring a run ─────────────────────────────

let gnuTime: boolean | undefined;

/** Whether GNU time (`/usr/bin/time -f %M`) works here. */
export function hasGnuTime(): boolean {
  if (gnuTime === undefined) {
    const r = existsSync('/usr/bin/time') ? spawnSync('/usr/bin/time', ['-f', '%M', 'true'], { encoding: 'utf8' }) : undefined;
    gnuTime = r !== undefined && r.status === 0 && /^\d+\s*$/m.test(r.stderr);
  }
  return gnuTime;
}

export function measurementMethod(): string {
  return hasGnuTime()
    ? 'peak RSS from GNU time (/usr/bin/time -f %M: the maximum resident set size of the kiln process, all threads); wall time around the spawn'
    : 'peak RSS sampled from /proc/<pid>/status VmHWM every 20 ms (last sample before exit); wall time around the spawn';
}

interface RawRun {
  code: number | null;
  signal: string | null;
  wallMs: number;
  rssMB: number | null;
  killed: boolean;
  stdout: string;
  stderr: string;
  truncated: boolean;
}

function kilnEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  // Not the runner's own Node options (a test runner's loaders) nor its mode (env.mode of a config).
  delete env.NODE_OPTIONS;
  delete env.NODE_ENV;
  return env;
}

function readVmHwmKB(pid: number): number | undefined {
  try {
    const m = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

function spawnKiln(kilnBin: string, args: readonly string[], cwd: string, timeFile: string, hardCapMs: number): Promise<RawRun> {
  const useTime = hasGnuTime();
  const [cmd, argv] = useTime
    ? ['/usr/bin/time', ['-f', '%e %M', '-o', timeFile, process.execPath, kilnBin, ...args]]
    : [process.execPath, [kilnBin, ...args]];
  return new Promise((resolve) => {
    const t0 = performance.now();
    const child = spawn(cmd, argv, { cwd, env: kilnEnv(), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let outLen = 0;
    let errLen = 0;
    let truncated = false;
    child.stdout.on('data', (b: Buffer) => {
      if (outLen < STDOUT_CAP) out.push(b);
      else truncated = true;
      outLen += b.length;
    });
    child.stderr.on('data', (b: Buffer) => {
      if (errLen < STDOUT_CAP) err.push(b);
      errLen += b.length;
    });
    let killed = false;
    let hwm: number | undefined;
    const poll = useTime ? undefined : setInterval(() => (hwm = readVmHwmKB(child.pid!) ?? hwm), 20);
    const cap = setTimeout(() => {
      killed = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, hardCapMs);
    child.on('error', (e) => {
      err.push(Buffer.from(`\n[fuzz runner] spawn failed: ${e.message}\n`));
    });
    child.on('close', (code, signal) => {
      const wallMs = performance.now() - t0;
      clearTimeout(cap);
      if (poll) clearInterval(poll);
      let rssMB: number | null = hwm !== undefined ? hwm / 1024 : null;
      let exitCode = code;
      let exitSignal: string | null = signal;
      if (useTime) {
        try {
          // GNU time writes "Command exited with non-zero status N" / "Command terminated by signal N" first.
          const text = readFileSync(timeFile, 'utf8').trim().split('\n');
          const m = /^([\d.]+) (\d+)$/.exec(text[text.length - 1] ?? '');
          if (m) rssMB = Number(m[2]) / 1024;
          const sig = /terminated by signal (\d+)/.exec(text.join('\n'));
          // GNU time exits 128 + N when kiln died of signal N; report that as the signal.
          if (sig && code === 128 + Number(sig[1])) {
            exitCode = null;
            exitSignal = `signal ${sig[1]}`;
          }
        } catch {
          /* killed before GNU time wrote it */
        }
      }
      resolve({
        code: killed ? null : exitCode,
        signal: killed ? 'SIGKILL (hard cap)' : exitSignal,
        wallMs,
        rssMB,
        killed,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        truncated,
      });
    });
  });
}

// ───────────────────────────── folder snapshots ─────────────────────────────

interface Entry {
  type: 'file' | 'dir' | 'link' | 'other';
  size?: number;
  mtimeMs?: number;
  hash?: string;
}

/** Every file and folder under `dir` (hidden ones too): files with size, mtime and content hash. */
export function snapshot(dir: string): Map<string, Entry> {
  const out = new Map<string, Entry>();
  const walk = (abs: string, rel: string) => {
    let names: string[];
    try {
      names = readdirSync(abs);
    } catch {
      return;
    }
    for (const name of names.sort()) {
      const a = join(abs, name);
      const r = rel ? `${rel}/${name}` : name;
      let st;
      try {
        st = lstatSync(a);
      } catch {
        continue;
      }
      if (st.isDirectory()) {
        out.set(r, { type: 'dir' });
        walk(a, r);
      } else if (st.isFile()) {
        out.set(r, { type: 'file', size: st.size, mtimeMs: st.mtimeMs, hash: createHash('sha1').update(readFileSync(a)).digest('hex') });
      } else out.set(r, { type: st.isSymbolicLink() ? 'link' : 'other' });
    }
  };
  walk(dir, '');
  return out;
}

/** What differs between two snapshots (at most a few items). */
export function snapshotDiff(before: Map<string, Entry>, after: Map<string, Entry>): string[] {
  const diffs: string[] = [];
  for (const [p, e] of before) {
    const a = after.get(p);
    if (!a) diffs.push(`removed ${p}`);
    else if (a.type !== e.type) diffs.push(`${p} changed from ${e.type} to ${a.type}`);
    else if (e.type === 'file' && (a.hash !== e.hash || a.size !== e.size)) diffs.push(`rewrote ${p} with different content`);
    else if (e.type === 'file' && a.mtimeMs !== e.mtimeMs) diffs.push(`touched ${p} (mtime changed, same content)`);
  }
  for (const p of after.keys()) if (!before.has(p)) diffs.push(`created ${p}`);
  return diffs;
}

// ───────────────────────────── checks ─────────────────────────────

const DIAG_CODE = /^KILN_[EW]_[A-Z0-9_]+$/;
const RESOURCES = ['lut', 'ff', 'lutram', 'bram18', 'dsp'] as const;

interface Doc {
  schema?: unknown;
  schemaVersion?: unknown;
  diagnostics?: unknown;
  [k: string]: unknown;
}

/** Problems of a kiln-report against its exit code (README, docs/report-schema.md). */
export function reportProblems(doc: Doc, code: number): string[] {
  const p: string[] = [];
  if (doc.schemaVersion !== 1) p.push(`schemaVersion is ${JSON.stringify(doc.schemaVersion)}, not 1`);
  const fits = doc.fits;
  // Exit 1: over the device budget, or (kiln build, with data and an accuracy budget) over the accuracy budget.
  const accuracyMet = (doc.accuracy as { budget?: { met?: unknown } } | undefined)?.budget?.met;
  if (typeof fits !== 'boolean') p.push(`"fits" is ${JSON.stringify(fits)}, not a boolean`);
  else if ((fits && accuracyMet !== false ? 0 : 1) !== code) p.push(`"fits" is ${fits}${accuracyMet !== undefined ? ` and "accuracy.budget.met" ${String(accuracyMet)}` : ''} but kiln exited ${code}`);
  if (!Array.isArray(doc.over)) p.push('"over" is not an array');
  else if (typeof fits === 'boolean' && fits !== (doc.over.length === 0)) p.push(`"fits" is ${fits} but "over" is ${JSON.stringify(doc.over)}`);
  const device = doc.device as { id?: unknown } | undefined;
  if (typeof device?.id !== 'string' || !(DEVICES as readonly string[]).includes(device.id)) p.push(`"device.id" is ${JSON.stringify(device?.id)}, not one of kiln's devices`);
  if (typeof doc.clockMHz !== 'number' || !Number.isFinite(doc.clockMHz) || doc.clockMHz <= 0) p.push(`"clockMHz" is ${JSON.stringify(doc.clockMHz)}`);
  const total = doc.total as Record<string, unknown> | undefined;
  for (const k of [...RESOURCES, 'cycles', 'latencyUs']) {
    const v = total?.[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) p.push(`"total.${k}" is ${JSON.stringify(v)}`);
  }
  if (!Array.isArray(doc.layers) || doc.layers.length < 2) p.push('"layers" is not an array of the input and at least one layer');
  return p;
}

/** Problems of a kiln-error document. */
function errorDocProblems(doc: Doc): string[] {
  const p: string[] = [];
  if (doc.schemaVersion !== 1) p.push(`schemaVersion is ${JSON.stringify(doc.schemaVersion)}, not 1`);
  if (!Array.isArray(doc.diagnostics) || doc.diagnostics.length === 0) return [...p, 'no diagnostics'];
  for (const d of doc.diagnostics as Record<string, unknown>[]) {
    if (typeof d?.code !== 'string' || !DIAG_CODE.test(d.code)) p.push(`diagnostic code ${JSON.stringify(d?.code)}`);
    if (d?.severity !== 'error' && d?.severity !== 'warning') p.push(`diagnostic severity ${JSON.stringify(d?.severity)}`);
    if (!Array.isArray(d?.path)) p.push('diagnostic without a path array');
    if (typeof d?.message !== 'string' || d.message === '') p.push('diagnostic without a message');
  }
  if (!(doc.diagnostics as Record<string, unknown>[]).some((d) => d?.severity === 'error')) p.push('no diagnostic of severity error');
  return p;
}

/** Entities and packages declared twice, files listed twice or missing, no kiln_arith package. */
export function designUnitProblems(outDir: string): string[] {
  const vhdl = join(outDir, 'vhdl');
  if (!existsSync(vhdl)) return [];
  const p: string[] = [];
  const declared = new Map<string, string>();
  for (const folder of ['vhdl', 'sim']) {
    let names: string[] = [];
    try {
      names = readdirSync(join(outDir, folder)).filter((n) => n.endsWith('.vhd'));
    } catch {
      continue;
    }
    for (const n of names) {
      const text = readFileSync(join(outDir, folder, n), 'utf8');
      for (const m of text.matchAll(/^\s*(entity|package)\s+(?!body\b)([A-Za-z]\w*)\s+is\b/gim)) {
        const unit = `${m[1]!.toLowerCase()} ${m[2]!.toLowerCase()}`;
        const name = m[2]!.toLowerCase();
        const where = `${folder}/${n}`;
        const prev = declared.get(name);
        if (prev !== undefined) p.push(`design unit '${name}' is declared in ${prev} and again in ${where} (${unit})`);
        else declared.set(name, where);
      }
    }
  }
  // (An over-budget design too large to generate has no VHDL: an empty vhdl/ is fine.)
  const hasVhdl = readdirSync(vhdl).some((n) => n.endsWith('.vhd'));
  if (hasVhdl && (!declared.has('kiln_arith') || !/package\s+kiln_arith\s+is/i.test(safeRead(join(vhdl, 'kiln_arith.vhd'))))) {
    p.push('vhdl/kiln_arith.vhd does not declare the kiln_arith package');
  }
  const list = safeRead(join(vhdl, 'files.txt'));
  if (list) {
    const files = list.split('\n').map((l) => l.trim()).filter(Boolean);
    const seen = new Set<string>();
    for (const f of files) {
      if (seen.has(f)) p.push(`vhdl/files.txt lists ${f} twice`);
      seen.add(f);
      if (!existsSync(join(vhdl, f))) p.push(`vhdl/files.txt lists ${f}, which does not exist`);
    }
  }
  return p;
}

function safeRead(f: string): string {
  try {
    return readFileSync(f, 'utf8');
  } catch {
    return '';
  }
}

const INTERNAL = /internal error|KILN_E_INTERNAL/i;
const CRASH = /FATAL ERROR|Segmentation fault|Aborted \(core dumped\)|^\s+at .+[( ]\/?[^\s()]+:\d+:\d+\)?\s*$/m;

interface Checked {
  record: RunRecord;
  failures: Failure[];
}

function check(run: RawRun, spec: { label: string; command: Command; json: boolean; args: string[] }, expect: Verdict, o: Required<RunnerOptions>): Checked {
  const failures: Failure[] = [];
  const fail = (category: Category, message: string) => failures.push({ category, message, run: spec.label });
  const output = `${run.stdout}\n${run.stderr}`;
  if (INTERNAL.test(output)) fail('internal', `output contains an internal error: ${firstMatchLine(output, INTERNAL)}`);
  else if (CRASH.test(output)) fail('internal', `output contains a crash or stack trace: ${firstMatchLine(output, CRASH)}`);
  if (run.killed) fail('hang', `still running after ${o.hardCapMs / 1000} s; killed`);
  else if (run.code === null || ![0, 1, 2].includes(run.code)) fail('exit-code', `exit ${run.code ?? run.signal}`);

  let diagnostics: string[] = [];
  let doc: Doc | undefined;
  if (spec.json) {
    if (run.truncated) fail('json', `stdout is over ${STDOUT_CAP / 2 ** 20} MB`);
    else {
      try {
        const v = JSON.parse(run.stdout) as unknown;
        if (v === null || typeof v !== 'object' || Array.isArray(v)) fail('json', `stdout is JSON but not an object: ${run.stdout.slice(0, 200)}`);
        else doc = v as Doc;
      } catch (e) {
        if (!run.killed) fail('json', `stdout is not one JSON document (${(e as Error).message}): ${JSON.stringify(run.stdout.slice(0, 300))}`);
      }
    }
    if (doc && run.code !== null) {
      if (run.code === 2) {
        if (doc.schema !== 'kiln-error') fail('json', `exit 2 printed a ${JSON.stringify(doc.schema)} document, not kiln-error`);
        else for (const p of errorDocProblems(doc)) fail('json', `kiln-error document: ${p}`);
        if (Array.isArray(doc.diagnostics)) diagnostics = (doc.diagnostics as { code?: unknown }[]).map((d) => String(d?.code));
      } else if (run.code === 0 || run.code === 1) {
        if (doc.schema !== 'kiln-report') fail('json', `exit ${run.code} printed a ${JSON.stringify(doc.schema)} document, not kiln-report`);
        else for (const p of reportProblems(doc, run.code)) fail('report', p);
      }
    }
  } else if (run.stdout.length > 0) {
    fail('json', `without --json, stdout is not empty: ${JSON.stringify(run.stdout.slice(0, 200))}`);
  }
  if (!spec.json || diagnostics.length === 0) diagnostics = [...new Set([...run.stderr.matchAll(/\b(?:error|warning)\[(KILN_[EW]_[A-Z0-9_]+)\]/g)].map((m) => m[1]!))];

  const limitMs = o.configTimeoutS * 1000 + o.wallLimitMs;
  if (!run.killed && run.wallMs > limitMs) fail('time', `took ${(run.wallMs / 1000).toFixed(2)} s (limit ${limitMs / 1000} s)`);
  if (run.rssMB !== null && run.rssMB > o.rssLimitMB) fail('memory', `peak RSS ${run.rssMB.toFixed(0)} MB (limit ${o.rssLimitMB} MB)`);

  if (run.code !== null && !run.killed && [0, 1, 2].includes(run.code)) {
    if (!expect.exits.includes(run.code)) {
      fail('verdict', `exit ${run.code}, expected ${expect.exits.join(' or ')}${expect.codes ? ` (${expect.codes.join(' or ')})` : ''}${diagnostics.length > 0 ? `; kiln said ${diagnostics.join(', ')}` : ''}`);
    } else if (run.code === 2 && expect.codes && !expect.codes.some((c) => diagnostics.includes(c))) {
      fail('verdict', `exit 2 with ${diagnostics.join(', ') || 'no diagnostic code'}, expected one of ${expect.codes.join(', ')}`);
    } else if (run.code === 2 && expect.message !== undefined) {
      const re = new RegExp(expect.message);
      const messages = doc && Array.isArray(doc.diagnostics) ? (doc.diagnostics as { message?: unknown }[]).map((d) => String(d?.message)).join('\n') : run.stderr;
      if (!re.test(messages)) fail('verdict', `exit 2 without a message matching /${expect.message}/: ${firstLine(messages)}`);
    }
  }
  return {
    record: {
      label: spec.label,
      command: spec.command,
      json: spec.json,
      args: spec.args,
      code: run.code,
      signal: run.signal,
      wallMs: Math.round(run.wallMs),
      rssMB: run.rssMB === null ? null : Math.round(run.rssMB * 10) / 10,
      killed: run.killed,
      diagnostics,
      stdoutHead: run.stdout.slice(0, HEAD),
      stderrHead: run.stderr.slice(0, HEAD),
    },
    failures,
  };
}

function firstMatchLine(text: string, re: RegExp): string {
  const line = text.split('\n').find((l) => re.test(l)) ?? text;
  return line.trim().slice(0, 300);
}

function firstLine(text: string): string {
  return (text.split('\n')[0] ?? '').slice(0, 300);
}

// ───────────────────────────── one case ─────────────────────────────

const PREVIOUS = 'previous.config.mjs';

function defaults(o: RunnerOptions): Required<RunnerOptions> {
  return { configTimeoutS: 3, wallLimitMs: 5000, rssLimitMB: 500, hardCapMs: 30_000, jobs: 2, keepFailures: 0, commands: 'all', ...o };
}

/** The command line of one run (without `node bin/kiln.js`). */
export function argsOf(c: FuzzCase, command: Command, json: boolean, configTimeoutS: number): string[] {
  return [command, ...(json ? ['--json'] : []), ...(c.configFlag ? ['--config', c.config] : []), '--config-timeout', String(configTimeoutS)];
}

export async function runCase(index: number, c: FuzzCase, options: RunnerOptions): Promise<CaseResult> {
  const o = defaults(options);
  const dir = join(o.workDir, `case-${index}`);
  const meta = join(o.workDir, `meta-${index}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  mkdirSync(meta, { recursive: true });
  const runs: RunRecord[] = [];
  const failures: Failure[] = [];
  try {
    for (const [rel, content] of Object.entries(c.files)) {
      mkdirSync(dirname(join(dir, rel)), { recursive: true });
      writeFileSync(join(dir, rel), content);
    }
    for (const [rel, base64] of Object.entries(c.binary ?? {})) {
      mkdirSync(dirname(join(dir, rel)), { recursive: true });
      writeFileSync(join(dir, rel), Buffer.from(base64, 'base64'));
    }
    let n = 0;
    const run = async (label: string, command: Command, json: boolean, args: string[], expect: Verdict) => {
      const before = snapshot(dir);
      const raw = await spawnKiln(o.kilnBin, args, dir, join(meta, `time-${n++}.txt`), o.hardCapMs);
      const checked = check(raw, { label, command, json, args }, expect, o);
      // kiln estimate writes nothing, ever; kiln build writes nothing when it fails (exit 2).
      if (!raw.killed && (command === 'estimate' || raw.code === 2)) {
        const diff = snapshotDiff(before, snapshot(dir));
        if (diff.length > 0) checked.failures.push({ category: 'write-on-error', message: `${command} exited ${raw.code} and changed the project: ${diff.slice(0, 5).join('; ')}${diff.length > 5 ? `; … (${diff.length} changes)` : ''}`, run: label });
      }
      if (command === 'build' && (raw.code === 0 || raw.code === 1)) {
        for (const p of designUnitProblems(join(dir, 'build'))) checked.failures.push({ category: 'design-units', message: p, run: label });
      }
      runs.push(checked.record);
      failures.push(...checked.failures);
      return checked.record;
    };
    if (c.previous !== undefined) {
      writeFileSync(join(dir, PREVIOUS), c.previous);
      const args = ['build', '--config', PREVIOUS, '--config-timeout', String(o.configTimeoutS)];
      // (A valid config's build may be refused for its calibration data: see VALID_BUILD. The case then runs
      // without an earlier build, which weakens its write-on-error check but is no failure of kiln's.)
      await run('previous build', 'build', false, args, VALID_BUILD);
    }
    for (const r of o.commands === 'first' ? c.runs.slice(0, 1) : c.runs) {
      const args = argsOf(c, r.command, r.json, o.configTimeoutS);
      await run(`${r.command}${r.json ? ' --json' : ''}`, r.command, r.json, args, c.expect[r.command]);
    }
  } catch (e) {
    failures.push({ category: 'harness', message: `the runner failed: ${(e as Error)?.stack ?? String(e)}`, run: '-' });
  }
  const tagged = failures.map((f) => {
    const known = knownFailure(c, f);
    return known ? { ...f, known } : f;
  });
  rmSync(meta, { recursive: true, force: true });
  return { index, fuzzCase: c, runs, failures: tagged, dir };
}

/**
 * Runs cases `0..count-1` (made by `caseAt(index)`) in a pool of `jobs`; `onResult` sees each as it finishes.
 * Folders of passing cases are removed; those of failing cases are kept up to `keepFailures`.
 */
export async function runCases(count: number, caseAt: (index: number) => FuzzCase, options: RunnerOptions, onResult: (r: CaseResult) => void, alreadyDone: ReadonlySet<number> = new Set()): Promise<void> {
  const o = defaults(options);
  mkdirSync(o.workDir, { recursive: true });
  let next = 0;
  let kept = 0;
  const worker = async () => {
    for (;;) {
      const index = next++;
      if (index >= count) return;
      if (alreadyDone.has(index)) continue;
      let c: FuzzCase;
      try {
        c = caseAt(index);
      } catch (e) {
        onResult({ index, fuzzCase: { family: 'generator-error', files: {}, config: '', configFlag: false, runs: [], expect: { estimate: { exits: [] }, build: { exits: [] } } }, runs: [], failures: [{ category: 'harness', message: `generating the case failed: ${(e as Error)?.stack ?? String(e)}`, run: '-' }], dir: '' });
        continue;
      }
      const r = await runCase(index, c, o);
      const failing = r.failures.some((f) => f.known === undefined);
      if (failing && kept < o.keepFailures) kept++;
      else rmSync(r.dir, { recursive: true, force: true });
      onResult(r);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, o.jobs) }, worker));
}

/** A shell reproduction of a case: its files and the command that failed. */
export function reproduction(c: FuzzCase, runLabel: string, configTimeoutS = 3, kilnBin = 'node /path/to/kiln/bin/kiln.js', maxFileChars = 6000): string {
  const lines = ['mkdir repro && cd repro'];
  for (const [rel, content] of Object.entries(c.files)) {
    const shown = content.length > maxFileChars ? `${content.slice(0, maxFileChars)}\n… (${content.length - maxFileChars} more characters: regenerate the case with --only)\n` : content;
    lines.push(`cat > ${rel} <<'EOF'\n${shown.endsWith('\n') ? shown : `${shown}\n`}EOF`);
  }
  for (const [rel, base64] of Object.entries(c.binary ?? {})) {
    lines.push(base64.length > maxFileChars ? `# ${rel}: ${Math.round((base64.length * 3) / 4)} binary bytes (regenerate the case with --only to get it)` : `echo '${base64}' | base64 -d > ${rel}`);
  }
  if (c.previous !== undefined) {
    lines.push(`cat > ${PREVIOUS} <<'EOF'\n${c.previous}EOF`, `${kilnBin} build --config ${PREVIOUS} --config-timeout ${configTimeoutS}   # the earlier build`);
  }
  // The failing command, after the ones that ran before it.
  const at = c.runs.findIndex((x) => `${x.command}${x.json ? ' --json' : ''}` === runLabel);
  const cmds = runLabel === 'previous build' ? [] : at >= 0 ? c.runs.slice(0, at + 1) : c.runs;
  for (const x of cmds) lines.push(`${kilnBin} ${argsOf(c, x.command, x.json, configTimeoutS).join(' ')}`);
  return lines.join('\n');
}
