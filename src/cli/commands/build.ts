import { relative } from 'node:path';
import { buildProject } from '../../build/index.js';
import { renderConsoleTable } from '../../emitters/report.js';
import { formatBuildSummary } from '../../build/summary.js';
import { accuracyExit, clockExit, COMMON_OPTIONS, CONFIG_HELP, fitExit, JSON_HELP, STRICT_HELP, configOptions, type Command } from './_shared.js';

export const build: Command = {
  summary: 'validate the config, estimate, write the reports, the VHDL and its testbenches (incrementally)',
  usage: 'kiln build [--config PATH] [--config-timeout SECONDS] [--out DIR] [--force] [--strict] [--json]',
  details: `Writes report.json (schema: docs/report-schema.md) and report.md, the VHDL (vhdl/, compile order in
vhdl/files.txt) and the self-checking testbenches with their vectors (sim/) into the output directory.
Nothing is written when the config is invalid.

Builds are incremental: every layer, the arithmetic package (@arith), the top level (@top), the
whole-model testbench (@model) and the reports (@reports) is a unit with a content key recorded in
<out>/.kiln/manifest.json. Only units whose key changed are regenerated, only files whose content changed
are rewritten, files of layers that no longer exist are removed; kiln build prints which units were
rebuilt and why (see docs/incremental.md). A missing or damaged manifest means a full rebuild, with a
warning. One build at a time per output directory (<out>/.kiln/lock). kiln refuses to build into the
filesystem root, your home folder, or a non-empty directory that holds no earlier kiln build (--force
builds there anyway), and never deletes a file it did not write.

Options:
${CONFIG_HELP}
  -o, --out DIR       output directory (default: build/ next to the config file)
  -f, --force         rebuild and rewrite every unit; also build into a non-empty directory that holds
                      no earlier kiln build, the home folder or the filesystem root
${JSON_HELP}; adds "rebuilt" [{unit, reason}], "unchanged",
                      "removed", "full", "warnings" and "calibrated" (layers whose
                      float calibration this build computed) to the report
${STRICT_HELP}

Exit codes: 0 fits the device budget, 1 over budget (or, with --strict, a clock above the part's limit),
2 configuration, usage or I/O error (including another build running into the same directory).`,
  options: { ...COMMON_OPTIONS, out: { type: 'string', short: 'o' }, force: { type: 'boolean', short: 'f' }, strict: { type: 'boolean' } },
  async run(values, io) {
    const result = await buildProject({
      cwd: io.cwd,
      command: 'build',
      ...configOptions(values),
      ...(typeof values.out === 'string' ? { outDir: values.out } : {}),
      ...(values.force === true ? { force: true } : {}),
    });
    const b = result.build;
    const rel = (f: string) => relative(io.cwd, f);
    if (values.json) {
      io.stdout(
        JSON.stringify(
          {
            ...result.report,
            files: result.written.map(rel),
            full: b.full,
            ...(b.fullReason !== undefined ? { fullReason: b.fullReason } : {}),
            rebuilt: b.rebuilt.map(({ unit, reason }) => ({ unit, reason })),
            unchanged: b.unchanged,
            removed: b.removed.map(rel),
            warnings: b.warnings,
            calibrated: b.calibrated,
            ...(b.noHardware ? { noHardware: b.noHardware } : {}),
          },
          null,
          2,
        ) + '\n',
      );
    } else {
      io.stderr(renderConsoleTable(result.report));
    }
    io.stderr(formatBuildSummary(b, { cwd: io.cwd, outDir: result.outDir, delta: !values.json, files: false }).join('\n') + '\n');
    if (b.noHardware) io.stderr(`kiln: no VHDL generated: the design is over budget, and ${b.noHardware.replace(/^the design is /, 'it is ')}\n`);
    io.stderr(`wrote ${result.written.length} files to ${rel(result.outDir) || '.'}/ (report.json, report.md${result.testbenches.length > 0 ? ', vhdl/, sim/' : ''})\n`);
    const clock = clockExit(result.report, values.strict === true, io);
    const fit = fitExit(result.report.fits, result.report.over, io);
    return fit !== 0 ? fit : clock !== 0 ? clock : accuracyExit(result.report, io);
  },
};
