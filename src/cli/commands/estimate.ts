import { compileProject } from '../../build/index.js';
import { renderConsoleTable } from '../../emitters/report.js';
import { COMMON_OPTIONS, CONFIG_HELP, fitExit, JSON_HELP, configOptions, type Command } from './_shared.js';

export const estimate: Command = {
  summary: 'validate the config and print the resource and latency estimate (writes nothing)',
  usage: 'kiln estimate [--config PATH] [--config-timeout SECONDS] [--json]',
  details: `Options:
${CONFIG_HELP}
${JSON_HELP}

Exit codes: 0 fits the device budget, 1 over budget, 2 configuration or usage error.`,
  options: { ...COMMON_OPTIONS },
  async run(values, io) {
    const result = await compileProject({ cwd: io.cwd, command: 'estimate', hardware: false, ...configOptions(values) });
    if (values.json) io.stdout(JSON.stringify(result.report, null, 2) + '\n');
    else io.stderr(renderConsoleTable(result.report));
    return fitExit(result.report.fits, result.report.over, io);
  },
};
