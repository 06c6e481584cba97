import { compileProject } from '../../build/index.js';
import { renderConsoleTable } from '../../emitters/report.js';
import { buildProblemDiagnostics, buildProblems } from '../../ir/index.js';
import { withLocations } from '../../dsl/locate.js';
import { formatDiagnostic } from '../main.js';
import { clockExit, COMMON_OPTIONS, CONFIG_HELP, fitExit, JSON_HELP, STRICT_HELP, configOptions, type Command } from './_shared.js';

export const estimate: Command = {
  summary: 'validate the config and print the resource and latency estimate (writes nothing)',
  usage: 'kiln estimate [--config PATH] [--config-timeout SECONDS] [--strict] [--json]',
  details: `Options:
${CONFIG_HELP}
${JSON_HELP}
${STRICT_HELP}

Exit codes: 0 fits the device budget, 1 over budget (or, with --strict, a clock above the part's limit),
2 configuration or usage error.`,
  options: { ...COMMON_OPTIONS, strict: { type: 'boolean' } },
  async run(values, io) {
    const result = await compileProject({ cwd: io.cwd, command: 'estimate', hardware: false, ...configOptions(values) });
    if (values.json) io.stdout(JSON.stringify(result.report, null, 2) + '\n');
    else io.stderr(renderConsoleTable(result.report));
    // What `kiln build` would refuse: the same messages, as warnings (the figures stay, marked as not buildable).
    const warnings = withLocations(buildProblemDiagnostics(buildProblems(result.design), 'warning'), result.loaded.source, result.loaded.filepath);
    for (const d of warnings) io.stderr(formatDiagnostic(d, io.cwd) + '\n');
    const clock = clockExit(result.report, values.strict === true, io);
    const fit = fitExit(result.report.fits, result.report.over, io);
    return fit !== 0 ? fit : clock;
  },
};
