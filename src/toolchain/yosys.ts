/**
 * yosys runner (Debian's yosys; `synth_xilinx` for 7-series). Scripts are written to a file and run with
 * `yosys -q -s`, in the unit's own directory, so parallel runs never share state.
 */
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ToolMissingError } from './ghdl.js';
import { onInterrupt } from '../util/interrupt.js';

const YOSYS_HINT = 'install it with `apt-get install yosys` on Debian/Ubuntu, or set KILN_YOSYS to its path';

function yosysCommand(): string {
  return process.env.KILN_YOSYS || 'yosys';
}

/** `yosys -V` output per command (undefined: the command could not be run). */
const probes = new Map<string, string | undefined>();
function probe(): string | undefined {
  const cmd = yosysCommand();
  if (!probes.has(cmd)) {
    const r = spawnSync(cmd, ['-V'], { encoding: 'utf8', timeout: 15_000, stdio: ['ignore', 'pipe', 'pipe'] });
    probes.set(cmd, r.error === undefined && r.status === 0 ? r.stdout.trim() : undefined);
  }
  return probes.get(cmd);
}

export function yosysAvailable(): boolean {
  return probe() !== undefined;
}

/** e.g. "Yosys 0.23 (git sha1 7ce5011c24b, ...)" */
export function yosysVersion(): string | undefined {
  return probe()?.split('\n')[0];
}

export interface YosysResult {
  ok: boolean;
  exitCode: number | null;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/** Runs a yosys script in `cwd` (the script file is written there as `synth.ys`). */
export function runYosys(cwd: string, script: string, timeoutMs = 1_800_000): Promise<YosysResult> {
  if (!yosysAvailable()) throw new ToolMissingError(yosysCommand(), YOSYS_HINT);
  writeFileSync(join(cwd, 'synth.ys'), script);
  const start = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(yosysCommand(), ['-q', '-s', 'synth.ys'], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    const stop = onInterrupt(() => child.kill('SIGKILL'));
    child.on('error', (err: NodeJS.ErrnoException) => {
      stop();
      clearTimeout(timer);
      reject(err.code === 'ENOENT' ? new ToolMissingError(yosysCommand(), YOSYS_HINT) : err);
    });
    child.on('close', (code) => {
      stop();
      clearTimeout(timer);
      resolve({ ok: code === 0, exitCode: code, stdout, stderr, durationMs: Date.now() - start });
    });
  });
}
