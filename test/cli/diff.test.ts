/**
 * `kiln diff BASE.json HEAD.json`: per-layer and total deltas of two build reports, Markdown for a PR comment,
 * JSON, thresholds, and exit codes (0 passes, 1 HEAD over budget or a threshold exceeded, 2 bad input).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { evaluateProject } from '../../src/build/index.js';
import { defaultProject, kiln, project, tempDir } from '../helpers.js';
import { config } from '../watch/_helpers.js';

/** The report of `kiln estimate --json` for a config, written to a file; returns its path. */
async function reportOf(text: string, name: string, dir: string): Promise<string> {
  const p = project({ 'fpga.config.ts': text });
  const r = await kiln(['estimate', '--json'], p);
  expect([0, 1]).toContain(r.code);
  const file = join(dir, name);
  writeFileSync(file, r.stdout);
  return file;
}

describe('kiln diff', async () => {
  const dir = tempDir('kiln-diff-');
  const base = await reportOf(config(), 'base.json', dir);
  const head = await reportOf(config(`layers: { 'encoder.0.ffn.fc1': { weightBits: 4 } }`), 'head.json', dir);
  const over = await reportOf(config('', `transformer({ window: 24, inputFeatures: 7, dModel: 64, ffnDim: 256 })`, 'xc7s6'), 'over.json', dir);

  it('prints the changed layers and the totals, and passes when HEAD fits', async () => {
    const r = await kiln(['diff', base, head], dir);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^kiln diff: transformer fits xc7s50; LUT [\d,]+ → [\d,]+ \(−\d+\); 1 layer changed; passes\n/);
    expect(r.stderr).toMatch(/\nencoder\.0\.ffn\.fc1 +\d+ → \d+ \(−\d+\)/);
    expect(r.stderr).toMatch(/\nTotal +[\d,]+ → [\d,]+ \(−\d+\)/);
    expect(r.stderr).not.toMatch(/encoder\.0\.attn\.q/);
  });

  it('renders a Markdown table for a pull-request comment', async () => {
    const r = await kiln(['diff', base, head, '--markdown'], dir);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^### kiln diff: transformer fits xc7s50/);
    expect(lines).toContain('| Layer | LUT | FF | LUTRAM | BRAM18 | DSP | Cycles |');
    expect(lines).toContain('|---|---:|---:|---:|---:|---:|---:|');
    expect(lines.some((l) => /^\| encoder\.0\.ffn\.fc1 \| \d+ → \d+ \(−\d+\) \|/.test(l))).toBe(true);
    expect(lines.some((l) => l.startsWith('| **Total** |'))).toBe(true);
    expect(lines.some((l) => l.startsWith('| **Limit** |'))).toBe(true);
  });

  it('exits 1 when HEAD is over budget, naming the resources', async () => {
    const r = await kiln(['diff', base, over, '--markdown'], dir);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/does NOT fit xc7s6 \(over on LUT/);
    expect(r.stdout).toMatch(/\*\*HEAD does not fit xc7s6: over on LUT/);
  });

  it('thresholds: exceeded exits 1, kept exits 0; --json is one kiln-diff document', async () => {
    const grown = await kiln(['diff', head, base, '--max-increase', 'lut=0.1', '--max-increase', 'dsp=0'], dir);
    expect(grown.code).toBe(1);
    expect(grown.stderr).toMatch(/kiln: LUT grew by \d+\.\d\d % \([\d,]+ → [\d,]+\), more than the 0\.1 % allowed/);
    const ok = await kiln(['diff', head, base, '--max-increase', 'lut=50', '--json'], dir);
    expect(ok.code).toBe(0);
    const doc = JSON.parse(ok.stdout);
    expect(doc).toMatchObject({ schema: 'kiln-diff', schemaVersion: 1, failures: [], thresholds: [{ metric: 'lut', maxIncreasePercent: 50, exceeded: false }] });
    expect(doc.layers.map((l: { path: string }) => l.path)).toEqual(['encoder.0.ffn.fc1']);
  });

  it('the test-split accuracy of reports with data, and an rmse threshold', async () => {
    const a = await evaluateProject({ cwd: defaultProject(), command: 'build' });
    const b = await evaluateProject({ cwd: defaultProject((t) => t.replace('    outputBits: 8,', '    outputBits: 4,')), command: 'build' });
    writeFileSync(join(dir, 'a.json'), JSON.stringify(a.report));
    writeFileSync(join(dir, 'b.json'), JSON.stringify(b.report));
    const r = await kiln(['diff', 'a.json', 'b.json', '--max-increase', 'rmse=0.5'], dir);
    expect(r.stderr).toMatch(/Test RMSE of the integer model: 0\.\d{4} → 0\.\d{4} \([+−]0\.\d{4}\); against float \+0\.77 % → [+−]\d+\.\d\d %/);
    expect(b.report.accuracy!.integer.rmse).toBeGreaterThan(a.report.accuracy!.integer.rmse * 1.005);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/kiln: RMSE grew by/);
    // without data there is no accuracy to hold to a threshold: a usage error
    const none = await kiln(['diff', base, head, '--max-increase', 'rmse=1'], dir);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/BASE has no test-split accuracy/);
  });

  it('bad input: missing or extra arguments, unreadable files, non-reports, bad thresholds (exit 2)', async () => {
    writeFileSync(join(dir, 'other.json'), '{"schema":"kiln-search"}');
    writeFileSync(join(dir, 'broken.json'), '{"schema":');
    const cases: [string[], RegExp][] = [
      [['diff', base], /missing HEAD\.json/],
      [['diff', base, head, 'extra'], /unexpected argument 'extra'/],
      [['diff', 'nope.json', head], /KILN_E_IO.*cannot read the BASE report nope\.json: ENOENT/s],
      [['diff', base, 'other.json'], /other\.json \(HEAD\) is not a kiln build report \(schema "kiln-search", expected "kiln-report"\)/],
      [['diff', 'broken.json', head], /broken\.json \(BASE\) is not JSON/],
      [['diff', base, head, '--max-increase', 'luts=5'], /--max-increase luts=5: expected METRIC=PERCENT/],
    ];
    for (const [args, message] of cases) {
      const r = await kiln(args, dir);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
      const j = await kiln([...args, '--json'], dir);
      expect(JSON.parse(j.stdout).schema, args.join(' ')).toBe('kiln-error');
    }
  });
});
