import { relative } from 'node:path';
import { buildProject } from '../../build.js';
import { renderConsoleTable } from '../../emitters/report.js';
import { COMMON_OPTIONS, CONFIG_HELP, fitExit, JSON_HELP, type Command } from './_shared.js';

export const build: Command = {
  summary: 'validate the config, estimate, write the reports, the VHDL and its testbenches',
  usage: 'kiln build [--config PATH] [--out DIR] [--json]',
  details: `Writes report.json (schema: docs/report-schema.md) and report.md, the VHDL (vhdl/, compile order in
vhdl/files.txt) and the self-checking testbenches with their vectors (sim/) into the output directory.
Nothing is written when the config is invalid.

Options:
${CONFIG_HELP}
  -o, --out DIR       output directory (default: build/ next to the config file)
${JSON_HELP}

Exit codes: 0 fits the device budget, 1 over budget, 2 configuration or usage error.`,
  options: { ...COMMON_OPTIONS, out: { type: 'string', short: 'o' } },
  async run(values, io) {
    const result = await buildProject({
      cwd: io.cwd,
      command: 'build',
      ...(typeof values.config === 'string' ? { configPath: values.config } : {}),
      ...(typeof values.out === 'string' ? { outDir: values.out } : {}),
    });
    if (values.json) io.stdout(JSON.stringify({ ...result.report, files: result.written.map((f) => relative(io.cwd, f)) }, null, 2) + '\n');
    else io.stderr(renderConsoleTable(result.report));
    io.stderr(`wrote ${result.written.length} files to ${relative(io.cwd, result.outDir) || '.'}/ (report.json, report.md${result.testbenches.length > 0 ? ', vhdl/, sim/' : ''})\n`);
    return fitExit(result.report.fits, result.report.over, io);
  },
};
