/**
 * Progress of `kiln sim` (and `kiln synth`, which shares src/cli/progress.ts): a live bar with done/total, the
 * running unit, elapsed and remaining time under a pseudo-terminal (util-linux `script`), plain lines in a pipe
 * and under --json.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatSeconds } from '../../src/cli/progress.js';
import { configSource, project, ROOT } from '../helpers.js';
import { itGhdl } from '../hardware/_harness.js';

const BIN = join(ROOT, 'bin', 'kiln.js');
const small = configSource(`{ device: 'xc7s15', model: transformer({ window: 3, inputFeatures: 2, dModel: 4, ffnDim: 4 }) }`);

/** The command under a pseudo-terminal: stdout and stderr together, as the terminal shows them. */
function inTerminal(args: string[], cwd: string): { code: number | null; screen: string } {
  const command = [process.execPath, BIN, ...args].map((a) => `'${a}'`).join(' ');
  const r = spawnSync('script', ['-qfec', command, '/dev/null'], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, timeout: 300_000 });
  return { code: r.status, screen: r.stdout };
}

describe('progress of long commands', () => {
  it('formats durations', () => {
    expect(formatSeconds(4.4)).toBe('4 s');
    expect(formatSeconds(61)).toBe('1 min 01 s');
    expect(formatSeconds(7322)).toBe('2 h 02 min');
    expect(formatSeconds(Infinity)).toBe('?');
  });

  itGhdl('kiln sim on a terminal: a live bar with done/total, the running unit, elapsed and remaining time', async () => {
    const dir = project({ 'fpga.config.mjs': small });
    const { code, screen } = inTerminal(['sim'], dir);
    expect(code, screen).toBe(0);
    expect(screen).toMatch(/\[sim\] \S+ \d+\/18 \| [\w.]+ \d+ s \| elapsed \d+ s \| remaining (\?|\d+ s)/);
    expect(screen).toMatch(/remaining \d+ s/); // known once the first units finish
    expect(screen).toMatch(/\x1b\[/); // drawn with escape sequences
    expect(screen).toMatch(/\[18\/18\] PASS {2}\S+ \(\d+\.\d s\)/);
  });

  itGhdl('no bar under --json (even on a terminal) nor in a pipe: plain lines', async () => {
    const dir = project({ 'fpga.config.mjs': small });
    const json = inTerminal(['sim', '--json', '--layer', 'encoder.0.ffn.fc1'], dir);
    expect(json.code, json.screen).toBe(0);
    expect(json.screen).not.toMatch(/\[sim\]|remaining/);
    const piped = spawnSync(process.execPath, [BIN, 'sim'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(piped.status, piped.stderr).toBe(0);
    expect(piped.stderr).not.toMatch(/\x1b\[|remaining/);
    expect(piped.stderr).toMatch(/\n\[1\/18\] PASS /);
    // the whole model's testbench, the longest, is announced when it starts
    expect(piped.stderr).toMatch(/\n\[sim\] started transformer \(the whole model: 16 windows × [\d,]+ cycles\)\n/);
  });
});
