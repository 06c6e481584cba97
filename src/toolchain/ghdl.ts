/**
 * A small GHDL runner: analyse, elaborate and run a VHDL-2008 testbench (and, for synthesis checks, turn a
 * design into a netlist with `ghdl --synth`). Spawns ghdl directly (no shell), so file names and generic values
 * are passed as single arguments.
 *
 * Runs always pass `--assert-level=error`: without it `ghdl -r` exits 0 after `assert … severity error`, and a
 * self-checking testbench could never fail (prior-art defect #8).
 *
 * The `ghdl` command can be overridden with the environment variable KILN_GHDL (a path or a name on PATH).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { onInterrupt } from '../util/interrupt.js';

export interface GhdlRunOptions {
  /** GHDL library directory (`--workdir`); created if missing. Also the working directory of every ghdl
   * process, so relative paths in generics (e.g. a vector file) resolve here, and backends that write an
   * executable on elaboration write it here. */
  workDir: string;
  /** VHDL files analysed in this order (relative paths resolve against the caller's current directory). */
  files: string[];
  /** Top-level entity to elaborate and run. */
  top: string;
  /** Generic overrides, passed to the run as `-gNAME=VALUE`. */
  generics?: Record<string, string | number>;
  /** Simulation stop time, e.g. '10us' (`--stop-time=`). */
  stopTime?: string;
  /** Time limit for all phases together; the running ghdl process is killed when it expires. Default 120 s. */
  timeoutMs?: number;
  /**
   * Run with a compiled back end (LLVM or GCC) when one is installed: it elaborates slower (seconds) but
   * simulates several times faster than mcode, which pays off for long runs such as the whole model.
   */
  compiled?: boolean;
}

export interface GhdlRunResult {
  /** True when all three phases exited with code 0. */
  ok: boolean;
  /** The first phase that failed, or 'run' when all passed. */
  phase: 'analyse' | 'elaborate' | 'run';
  /** Exit code of that phase (null if it was killed, e.g. on timeout). */
  exitCode: number | null;
  /** The time limit (`timeoutMs`) killed that phase. */
  timedOut: boolean;
  /** Output of all phases run, in order. */
  stdout: string;
  stderr: string;
  durationMs: number;
}

export interface GhdlSynthOptions {
  /** GHDL library directory (`--workdir`); created if missing; also the working directory. */
  workDir: string;
  /** VHDL files analysed in this order before synthesis. */
  files: string[];
  /** Top-level entity to synthesize. */
  top: string;
  /** Generic overrides for the top (`-gNAME=VALUE`). */
  generics?: Record<string, string | number>;
  /** Netlist language: 'vhdl' (GHDL's default, simulatable with GHDL) or 'verilog' (for yosys). */
  out?: 'vhdl' | 'verilog';
  /** Time limit for both phases together. Default 120 s. */
  timeoutMs?: number;
}

export interface GhdlSynthResult {
  ok: boolean;
  /** The first phase that failed, or 'synth' when both passed. */
  phase: 'analyse' | 'synth';
  exitCode: number | null;
  /** The netlist (stdout of `ghdl --synth`); empty if analysis failed. */
  netlist: string;
  /** Diagnostics of all phases run. */
  stderr: string;
  durationMs: number;
}

/** Thrown when a required external tool (ghdl) cannot be started. */
export class ToolMissingError extends Error {
  readonly tool: string;
  constructor(tool: string, hint: string) {
    super(`${tool} is not installed or not on PATH (${hint})`);
    this.name = 'ToolMissingError';
    this.tool = tool;
  }
}

const GHDL_HINT = 'install it with `apt-get install ghdl` on Debian/Ubuntu, or set KILN_GHDL to its path';
const DEFAULT_TIMEOUT_MS = 120_000;
/** Output kept per stream and phase; the rest is dropped with a note (a runaway testbench can print gigabytes). */
const MAX_OUTPUT_CHARS = 8_000_000;
const VHDL_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;

function ghdlCommand(): string {
  return process.env.KILN_GHDL || 'ghdl';
}

/**
 * The compiled back end Debian's `ghdl` wrapper can switch to (GHDL_BACKEND), when its binary is installed next to
 * the default one; undefined when KILN_GHDL names another ghdl, or none is installed.
 */
let compiledBackend: string | undefined | null = null;
export function fastGhdlBackend(): string | undefined {
  if (compiledBackend === null) {
    compiledBackend = undefined;
    if (!process.env.KILN_GHDL) {
      for (const backend of ['llvm', 'gcc']) {
        if (spawnSync(`ghdl-${backend}`, ['--version'], { stdio: 'ignore', timeout: 15_000 }).status === 0) {
          compiledBackend = backend;
          break;
        }
      }
    }
  }
  return compiledBackend;
}

/** `ghdl --version` output per command (undefined: the command could not be run). */
const probes = new Map<string, string | undefined>();

function probe(): string | undefined {
  const cmd = ghdlCommand();
  if (!probes.has(cmd)) {
    const r = spawnSync(cmd, ['--version'], { encoding: 'utf8', timeout: 15_000, stdio: ['ignore', 'pipe', 'pipe'] });
    probes.set(cmd, r.error === undefined && r.status === 0 ? r.stdout : undefined);
  }
  return probes.get(cmd);
}

/** Whether ghdl can be run (probed once with `ghdl --version`, then cached). */
export function ghdlAvailable(): boolean {
  return probe() !== undefined;
}

/** First line of `ghdl --version`, e.g. "GHDL 2.0.0 (Debian 2.0.0+dfsg-6.2+b2) [Dunoon edition]". */
export function ghdlVersion(): string | undefined {
  return probe()?.split('\n')[0]?.trim();
}

interface Exec {
  exitCode: number | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
}

function cap(s: string, extra: string): string {
  if (s.length >= MAX_OUTPUT_CHARS) return s;
  const room = MAX_OUTPUT_CHARS - s.length;
  return extra.length <= room ? s + extra : s + extra.slice(0, room) + '\n[kiln: output truncated]\n';
}

/** Runs one ghdl command (with `backend` as GHDL_BACKEND); resolves when it exits (or is killed at `deadline`). */
function exec(args: string[], cwd: string, deadline: number, backend?: string): Promise<Exec> {
  return new Promise((resolvePromise, reject) => {
    // Own process group, so that a timeout kills ghdl even behind a wrapper script that does not exec.
    const env = backend ? { ...process.env, GHDL_BACKEND: backend } : process.env;
    const child = spawn(ghdlCommand(), args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: process.platform !== 'win32' });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout = cap(stdout, d)));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr = cap(stderr, d)));
    const stopGroup = onInterrupt(() => {
      if (child.pid !== undefined) process.kill(process.platform === 'win32' ? child.pid : -child.pid, 'SIGKILL');
    });
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        if (child.pid === undefined || process.platform === 'win32') throw new Error('no process group');
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, Math.max(0, deadline - Date.now()));
    child.on('error', (err: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(err.code === 'ENOENT' ? new ToolMissingError(ghdlCommand(), GHDL_HINT) : err);
    });
    child.on('close', (code) => {
      stopGroup();
      clearTimeout(timer);
      if (timedOut) stderr += `\n[kiln: ghdl ${args[0]} killed: time limit exceeded]\n`;
      resolvePromise({ exitCode: timedOut ? null : code, timedOut, stdout, stderr });
    });
  });
}

function checkCommon(o: { workDir: string; files: string[]; top: string; generics?: Record<string, string | number>; timeoutMs?: number }): void {
  if (o.files.length === 0) throw new RangeError('ghdl: no VHDL files given');
  if (!VHDL_NAME.test(o.top)) throw new RangeError(`ghdl: top ${JSON.stringify(o.top)} is not a VHDL identifier`);
  for (const [name, value] of Object.entries(o.generics ?? {})) {
    if (!VHDL_NAME.test(name)) throw new RangeError(`ghdl: generic name ${JSON.stringify(name)} is not a VHDL identifier`);
    if (/[\r\n]/.test(String(value))) throw new RangeError(`ghdl: generic ${name} has a line break in its value`);
  }
  if (o.timeoutMs !== undefined && !(o.timeoutMs > 0)) throw new RangeError(`ghdl: timeoutMs must be > 0, got ${o.timeoutMs}`);
}

function genericArgs(generics: Record<string, string | number> | undefined): string[] {
  return Object.entries(generics ?? {}).map(([k, v]) => `-g${k}=${v}`);
}

/** Checks the options and the tool, creates the work library, and returns what every phase needs. */
function begin(o: GhdlRunOptions | GhdlSynthOptions): { start: number; deadline: number; workDir: string; common: string[] } {
  checkCommon(o);
  if (!ghdlAvailable()) throw new ToolMissingError(ghdlCommand(), GHDL_HINT);
  const start = Date.now();
  const workDir = resolve(o.workDir);
  mkdirSync(workDir, { recursive: true });
  return { start, deadline: start + (o.timeoutMs ?? DEFAULT_TIMEOUT_MS), workDir, common: ['--std=08', `--workdir=${workDir}`] };
}

/**
 * Analyses `files` (`ghdl -a --std=08 --workdir=…`), elaborates `top` (`ghdl -e`) and runs it
 * (`ghdl -r … <top> --assert-level=error [-gNAME=VALUE…] [--stop-time=…]`), stopping at the first phase that
 * fails. An `assert … severity error` (or failure) in the simulation makes the run fail.
 *
 * @throws ToolMissingError if ghdl cannot be run.
 */
export async function runGhdl(o: GhdlRunOptions): Promise<GhdlRunResult> {
  const backend = o.compiled ? fastGhdlBackend() : undefined;
  // A compiled back end keeps its own objects: its work library is separate from mcode's.
  const { start, deadline, workDir, common } = begin(backend ? { ...o, workDir: `${o.workDir}-${backend}` } : o);
  const phases: [GhdlRunResult['phase'], string[]][] = [
    ['analyse', ['-a', ...common, ...o.files.map((f) => resolve(f))]],
    ['elaborate', ['-e', ...common, o.top]],
    [
      'run',
      ['-r', ...common, o.top, '--assert-level=error', ...genericArgs(o.generics), ...(o.stopTime ? [`--stop-time=${o.stopTime}`] : [])],
    ],
  ];
  let stdout = '';
  let stderr = '';
  let last: { phase: GhdlRunResult['phase']; exitCode: number | null; timedOut: boolean } = { phase: 'analyse', exitCode: null, timedOut: false };
  for (const [phase, args] of phases) {
    const r = await exec(args, workDir, deadline, backend);
    stdout += r.stdout;
    stderr += r.stderr;
    last = { phase, exitCode: r.exitCode, timedOut: r.timedOut };
    if (r.exitCode !== 0) break;
  }
  return { ok: last.phase === 'run' && last.exitCode === 0, ...last, stdout, stderr, durationMs: Date.now() - start };
}

/**
 * Analyses `files` and synthesizes `top` with `ghdl --synth --std=08 [--out=verilog]`, returning the netlist.
 * Use the VHDL netlist to simulate what synthesis made of a design (e.g. against the same vectors as the
 * source), the Verilog one to feed yosys.
 *
 * @throws ToolMissingError if ghdl cannot be run.
 */
export async function synthGhdl(o: GhdlSynthOptions): Promise<GhdlSynthResult> {
  const { start, deadline, workDir, common } = begin(o);
  const a = await exec(['-a', ...common, ...o.files.map((f) => resolve(f))], workDir, deadline);
  if (a.exitCode !== 0) {
    return { ok: false, phase: 'analyse', exitCode: a.exitCode, netlist: '', stderr: a.stdout + a.stderr, durationMs: Date.now() - start };
  }
  const outArgs = o.out === 'verilog' ? ['--out=verilog'] : [];
  const s = await exec(['--synth', ...common, ...genericArgs(o.generics), ...outArgs, o.top], workDir, deadline);
  return {
    ok: s.exitCode === 0,
    phase: 'synth',
    exitCode: s.exitCode,
    netlist: s.exitCode === 0 ? s.stdout : '',
    stderr: a.stdout + a.stderr + s.stderr + (s.exitCode === 0 ? '' : s.stdout),
    durationMs: Date.now() - start,
  };
}
