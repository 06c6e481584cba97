import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fail } from '../../dsl/diagnostics.js';
import { REPORT_SCHEMA } from '../../emitters/report.js';
import { diffReports, DIFF_METRICS, parseThresholds, renderDiffConsole, renderDiffMarkdown } from '../../emitters/diff.js';
import type { Report } from '../../emitters/report.js';
import { ioFailure } from '../../util/io-error.js';
import { EXIT_FINDINGS, EXIT_OK, JSON_HELP, type Command } from './_shared.js';

export const diff: Command = {
  summary: 'compare two build reports (per-layer and total deltas, accuracy, fit) for a pull request',
  usage: 'kiln diff BASE.json HEAD.json [--markdown] [--max-increase METRIC=PERCENT ...] [--json]',
  details: `BASE.json and HEAD.json are build/report.json files of two builds (for example of the target branch and
of the pull request). Prints the layers whose figures changed, the totals against HEAD's limits and the
test-split accuracy when both reports have it.

Options:
      --markdown      print a Markdown table (for a pull-request comment) on stdout
      --max-increase METRIC=PERCENT
                      fail when HEAD's total grows by more than PERCENT of BASE's; METRIC is one of
                      ${DIFF_METRICS.join(', ')} (rmse: the integer model's test RMSE); may be repeated
${JSON_HELP}

Exit codes: 0 HEAD fits and no threshold is exceeded; 1 HEAD is over budget or a threshold is exceeded;
2 a file that cannot be read or is not a kiln report, or bad options.`,
  options: {
    markdown: { type: 'boolean' },
    'max-increase': { type: 'string', multiple: true },
    json: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
  positionals: { count: 2, names: 'BASE.json HEAD.json' },
  async run(values, io, positionals = []) {
    const thresholds = parseThresholds((values['max-increase'] as unknown as string[] | undefined) ?? []);
    if (typeof thresholds === 'string') fail('KILN_E_USAGE', [], thresholds);
    const [basePath, headPath] = positionals as [string, string];
    const base = readReport(basePath, io.cwd, 'BASE');
    const head = readReport(headPath, io.cwd, 'HEAD');
    if (thresholds.some((t) => t.metric === 'rmse') && !(base.accuracy && head.accuracy)) {
      fail('KILN_E_USAGE', [], `--max-increase rmse: ${base.accuracy ? 'HEAD' : 'BASE'} has no test-split accuracy to compare`, 'build with data (data: in the config) so that the reports score the integer model');
    }
    const d = diffReports(base, head, { base: basePath, head: headPath }, thresholds);
    if (values.json) io.stdout(JSON.stringify(d, null, 2) + '\n');
    else if (values.markdown) io.stdout(renderDiffMarkdown(d));
    else io.stderr(renderDiffConsole(d));
    return d.failures.length > 0 ? EXIT_FINDINGS : EXIT_OK;
  },
};

function readReport(path: string, cwd: string, which: string): Report {
  const full = resolve(cwd, path);
  let text: string;
  try {
    text = readFileSync(full, 'utf8');
  } catch (err) {
    throw ioFailure(err, `read the ${which} report`, full, cwd);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    return fail('KILN_E_USAGE', [], `${path} (${which}) is not JSON: ${(err as Error).message}`, 'pass the report.json a kiln build wrote');
  }
  const schema = (doc as { schema?: unknown } | null)?.schema;
  if (schema !== REPORT_SCHEMA) return fail('KILN_E_USAGE', [], `${path} (${which}) is not a kiln build report (schema ${JSON.stringify(schema ?? null)}, expected "${REPORT_SCHEMA}")`, 'pass the report.json a kiln build wrote');
  return doc as Report;
}
