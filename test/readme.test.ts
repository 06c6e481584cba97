/**
 * Every console example in the README is what the current code prints. Each fenced block that starts with
 * `$ npx kiln <command>` is run with the real binary on a fresh copy of the default project (fpga.config.ts and
 * models/airbase-pm10), and its lines must appear in the output: `...` stands for lines left out, and every run of
 * lines between two `...` must appear as it is, consecutively, in order. Only times (`412 ms`, `[14:02:11]`) may
 * differ. The watch example applies the edit the README names ("After adding `…` to `fpga.config.ts`").
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { defaultProject, ROOT } from './helpers.js';
import { KilnProcess } from './process.js';

const README = readFileSync(join(ROOT, 'README.md'), 'utf8');

interface Example {
  command: string[];
  expected: string[];
}

function examples(): Example[] {
  const out: Example[] = [];
  for (const m of README.matchAll(/```\n\$ npx kiln ([^\n]*)\n([\s\S]*?)```/g)) out.push({ command: m[1]!.trim().split(/\s+/), expected: m[2]!.replace(/\n$/, '').split('\n') });
  return out;
}

const normalise = (line: string) =>
  line
    .replace(/\b\d+ ms\b/g, '<n> ms')
    .replace(/^\[\d\d:\d\d:\d\d\]/, '[hh:mm:ss]')
    .trimEnd();

/** Where the README's lines are not found in the output, or '' when every segment is there, in order. */
function mismatch(expected: readonly string[], output: string): string {
  const actual = output.split('\n').map(normalise);
  const segments: string[][] = [[]];
  for (const line of expected) {
    if (line.trim() === '...') segments.push([]);
    else segments.at(-1)!.push(normalise(line));
  }
  let from = 0;
  for (const segment of segments.filter((s) => s.length > 0)) {
    let at = -1;
    for (let i = from; i + segment.length <= actual.length && at < 0; i++) if (segment.every((l, k) => actual[i + k] === l)) at = i;
    if (at < 0) return `not found in order:\n${segment.join('\n')}\n\nin the output:\n${actual.join('\n')}`;
    from = at + segment.length;
  }
  return '';
}

const running: KilnProcess[] = [];
afterEach(() => {
  for (const k of running.splice(0)) if (k.child.exitCode === null) k.child.kill('SIGKILL');
});

async function run(args: string[], cwd: string): Promise<string> {
  const k = new KilnProcess(args, cwd);
  running.push(k);
  await k.exited;
  return k.output;
}

describe('README console examples', () => {
  const all = examples();

  it('are found (build, watch, eval)', () => {
    expect(all.map((e) => e.command[0])).toEqual(expect.arrayContaining(['build', 'watch', 'eval']));
  });

  for (const example of all) {
    const name = `$ npx kiln ${example.command.join(' ')}`;
    if (example.command[0] === 'watch') {
      it(name, async () => {
        const edit = /After adding `([^`]+)` to `fpga\.config\.ts`/.exec(README)?.[1];
        expect(edit, 'the README names the edit its watch example makes').toBeDefined();
        const dir = defaultProject();
        const k = new KilnProcess(example.command, dir);
        running.push(k);
        await k.waitFor(/watching fpga\.config\.ts; press Ctrl-C to stop\n/);
        const config = readFileSync(join(dir, 'fpga.config.ts'), 'utf8');
        expect(config).toContain('  weights: {');
        writeFileSync(join(dir, 'fpga.config.ts'), config.replace('  weights: {', `  ${edit},\n  weights: {`));
        await k.waitFor(/\n {2}total .*: fits xc7s15\n/);
        k.child.kill('SIGINT');
        await k.exited;
        expect(mismatch(example.expected, k.output)).toBe('');
      }, 120_000);
    } else {
      it(name, async () => {
        const output = await run(example.command, defaultProject());
        expect(mismatch(example.expected, output)).toBe('');
      }, 120_000);
    }
  }

  it('a changed figure is caught', () => {
    const block = all.find((e) => e.command[0] === 'eval')!;
    const output = block.expected.filter((l) => l !== '...').join('\n');
    expect(mismatch(block.expected, output)).toBe('');
    expect(mismatch(block.expected, output.replace('0.4387', '0.4388'))).toMatch(/not found in order/);
  });
});
