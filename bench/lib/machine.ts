/** The machine and tool versions a benchmark ran on, recorded next to its figures. */
import { execSync } from 'node:child_process';
import { cpus, totalmem, release } from 'node:os';

function tryRun(cmd: string): string | undefined {
  try {
    return execSync(cmd, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n')[0];
  } catch {
    return undefined;
  }
}

export function machine() {
  return {
    date: new Date().toISOString(),
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    os: tryRun('grep PRETTY_NAME /etc/os-release')?.replace(/PRETTY_NAME=|"/g, '') ?? `Linux ${release()}`,
    node: process.version,
    npm: tryRun('npm --version'),
  };
}
