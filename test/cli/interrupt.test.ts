/**
 * Ctrl-C (SIGINT) and SIGTERM stop a one-shot command at once: exit 130 / 143, its GHDL processes killed, its
 * build lock released (a stopped `kiln sim` used to leave build/.kiln/lock behind).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { configSource, project, ROOT } from '../helpers.js';
import { itGhdl } from '../hardware/_harness.js';

const BIN = join(ROOT, 'bin', 'kiln.js');
const small = configSource(`{ device: 'xc7s15', model: transformer({ window: 3, inputFeatures: 2, dModel: 4, ffnDim: 4 }) }`);

/** Runs `kiln sim` until it has started simulating, sends `signal`, and reports how it ended. */
function stopWhileSimulating(dir: string, signal: NodeJS.Signals): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'sim'], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let sent = false;
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
      if (!sent && /\[2\/\d+\]/.test(stderr)) {
        sent = true;
        child.kill(signal);
      }
    });
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

const ghdlIn = (dir: string) => {
  try {
    return execFileSync('pgrep', ['-f', dir], { encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
};

describe('stopping a command', () => {
  for (const [signal, code] of [
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const) {
    itGhdl(`${signal} during kiln sim: exit ${code}, no GHDL left running, the lock released`, async () => {
      const dir = project({ 'fpga.config.mjs': small });
      const r = await stopWhileSimulating(dir, signal);
      expect(r.code, r.stderr).toBe(code);
      expect(r.stderr).toMatch(new RegExp(`kiln: stopped \\(${signal}\\)`));
      expect(existsSync(join(dir, 'build', '.kiln', 'lock'))).toBe(false);
      await new Promise((res) => setTimeout(res, 300));
      expect(ghdlIn(dir)).toBe('');
    }, 180_000);
  }
});
