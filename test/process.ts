/** Running the real kiln binary in a child process and waiting on its output (watch mode, README examples). */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './helpers.js';

export const BIN = join(ROOT, 'bin', 'kiln.js');
export const WAIT = 60_000;

/** The kiln binary in a child process, its stdout and stderr read as one stream of lines. */
export class KilnProcess {
  readonly child: ChildProcess;
  output = '';
  #cursor = 0;
  #wake: (() => void) | undefined;
  readonly exited: Promise<number | null>;

  constructor(args: string[], cwd: string) {
    this.child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    const take = (b: Buffer) => {
      this.output += b.toString();
      this.#wake?.();
    };
    this.child.stdout!.on('data', take);
    this.child.stderr!.on('data', take);
    this.exited = new Promise((r) => this.child.on('exit', (code) => r(code)));
  }

  /** Waits for output after the last match to match `re`; returns the text from the cursor to the end of the match. */
  async waitFor(re: RegExp, timeoutMs = WAIT): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const rest = this.output.slice(this.#cursor);
      const m = re.exec(rest);
      if (m) {
        const upTo = m.index + m[0].length;
        this.#cursor += upTo;
        return rest.slice(0, upTo);
      }
      if (this.child.exitCode !== null) throw new Error(`kiln exited (${this.child.exitCode}) before ${re}:\n${this.output}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${re} within ${timeoutMs} ms:\n${this.output}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, left);
        this.#wake = () => {
          clearTimeout(t);
          r();
        };
      });
    }
  }
}

