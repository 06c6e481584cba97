/**
 * The `kiln` command line. Exit codes: 0 = built and fits; 1 = over budget (or, later, a verification
 * mismatch); 2 = configuration, usage or tool error. With --json the result goes to stdout as JSON and
 * every human-readable line to stderr.
 */
import { relative } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { buildProject, compileProject } from '../build.js';
import { DEVICES } from '../devices/index.js';
import { formatFieldPath, isKilnError, type Diagnostic } from '../dsl/diagnostics.js';
import { renderConsoleTable } from '../emitters/report.js';
import { KILN_VERSION } from '../version.js';

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_ERROR = 2;

interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  cwd: string;
}

const COMMON_OPTIONS = {
  config: { type: 'string', short: 'c' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

interface Command {
  summary: string;
  usage: string;
  details: string;
  options: ParseArgsConfig['options'];
  run(values: Record<string, string | boolean | undefined>, io: Io): Promise<number>;
}

const CONFIG_HELP = `  -c, --config PATH   config file (default: search fpga.config.ts/.mts/.js/.mjs, then a "fpga" key
                      in package.json, from the working directory up to the project root)`;
const JSON_HELP = '      --json          print the result as JSON on stdout; logs go to stderr';

const COMMANDS: Record<string, Command> = {
  build: {
    summary: 'validate the config, estimate resources and latency, write the reports',
    usage: 'kiln build [--config PATH] [--out DIR] [--json]',
    details: `Writes report.json (schema: docs/report-schema.md) and report.md into the output directory.
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
      io.stderr(`wrote ${result.written.map((f) => relative(io.cwd, f) || f).join(', ')}\n`);
      return fitExit(result.report.fits, result.report.over, io);
    },
  },
  estimate: {
    summary: 'validate the config and print the resource and latency estimate (writes nothing)',
    usage: 'kiln estimate [--config PATH] [--json]',
    details: `Options:
${CONFIG_HELP}
${JSON_HELP}

Exit codes: 0 fits the device budget, 1 over budget, 2 configuration or usage error.`,
    options: { ...COMMON_OPTIONS },
    async run(values, io) {
      const result = await compileProject({ cwd: io.cwd, command: 'estimate', ...(typeof values.config === 'string' ? { configPath: values.config } : {}) });
      if (values.json) io.stdout(JSON.stringify(result.report, null, 2) + '\n');
      else io.stderr(renderConsoleTable(result.report));
      return fitExit(result.report.fits, result.report.over, io);
    },
  },
  devices: {
    summary: 'list the device database',
    usage: 'kiln devices [--json]',
    details: `Options:
${JSON_HELP}`,
    options: { json: COMMON_OPTIONS.json, help: COMMON_OPTIONS.help },
    async run(values, io) {
      const list = Object.values(DEVICES);
      if (values.json) {
        io.stdout(JSON.stringify(list, null, 2) + '\n');
        return EXIT_OK;
      }
      const rows = [['Device', 'Part', 'LUT', 'FF', 'LUTRAM', 'BRAM18', 'DSP'], ...list.map((d) => [d.id, d.part, ...[d.lut, d.ff, d.lutram, d.bram18, d.dsp].map((n) => n.toLocaleString('en-US'))])];
      const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
      io.stderr(rows.map((r) => r.map((c, i) => (i < 2 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ')).join('\n') + '\n');
      io.stderr(`\nSource: ${list[0]!.source}\n`);
      return EXIT_OK;
    },
  },
};

function fitExit(fits: boolean, over: readonly string[], io: Io): number {
  if (fits) return EXIT_OK;
  io.stderr(`kiln: over budget on ${over.map((r) => r.toUpperCase()).join(', ')}\n`);
  return EXIT_FINDINGS;
}

function mainHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return `kiln ${KILN_VERSION}: compile fpga.config.ts into resource reports (and, later, VHDL) for small FPGAs

Usage: kiln <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`)
  .join('\n')}

Run 'kiln <command> --help' for a command's options.
Exit codes: 0 built and fits, 1 over budget or verification mismatch, 2 configuration, usage or tool error.
`;
}

export function formatDiagnostic(d: Diagnostic, cwd: string): string {
  const field = d.path.length > 0 ? `${formatFieldPath(d.path)}: ` : '';
  const where = d.loc ? `\n  --> ${relative(cwd, d.loc.file) || d.loc.file}:${d.loc.line}:${d.loc.column}` : '';
  const hint = d.hint ? `\n  hint: ${d.hint}` : '';
  return `${d.severity}[${d.code}]: ${field}${d.message}${where}${hint}`;
}

export async function runCli(argv: readonly string[], io: Io): Promise<number> {
  const [name, ...rest] = argv;
  const wantsJson = rest.includes('--json');
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      const target = name === 'help' ? rest[0] : undefined;
      if (target !== undefined && COMMANDS[target]) io.stdout(commandHelp(target));
      else io.stdout(mainHelp());
      return name === undefined ? EXIT_ERROR : EXIT_OK;
    }
    if (name === '--version' || name === '-v') {
      io.stdout(`${KILN_VERSION}\n`);
      return EXIT_OK;
    }
    const command = COMMANDS[name];
    if (!command) {
      return usageError(`unknown command '${name}'`, io, wantsJson, `commands: ${Object.keys(COMMANDS).join(', ')}`);
    }
    let values: Record<string, string | boolean | undefined>;
    let positionals: string[];
    try {
      ({ values, positionals } = parseArgs({ args: [...rest], options: command.options, allowPositionals: true, strict: true }) as {
        values: Record<string, string | boolean | undefined>;
        positionals: string[];
      });
    } catch (err) {
      return usageError((err as Error).message.split('\n')[0]!, io, wantsJson, `usage: ${command.usage}`);
    }
    if (values.help) {
      io.stdout(commandHelp(name));
      return EXIT_OK;
    }
    if (positionals.length > 0) return usageError(`unexpected argument '${positionals[0]}'`, io, wantsJson, `usage: ${command.usage}`);
    return await command.run(values, io);
  } catch (err) {
    if (isKilnError(err)) {
      if (wantsJson) io.stdout(JSON.stringify({ schema: 'kiln-error', schemaVersion: 1, diagnostics: err.diagnostics }, null, 2) + '\n');
      io.stderr(err.diagnostics.map((d) => formatDiagnostic(d, io.cwd)).join('\n') + '\n');
      io.stderr(`kiln: ${err.diagnostics.length} error${err.diagnostics.length === 1 ? '' : 's'}; nothing was written\n`);
      return EXIT_ERROR;
    }
    io.stderr(`kiln: internal error (please report it): ${(err as Error)?.stack ?? String(err)}\n`);
    return EXIT_ERROR;
  }
}

function commandHelp(name: string): string {
  const c = COMMANDS[name]!;
  return `kiln ${name}: ${c.summary}\n\nUsage: ${c.usage}\n\n${c.details}\n`;
}

function usageError(message: string, io: Io, json: boolean, hint: string): number {
  const d: Diagnostic = { code: 'KILN_E_USAGE', severity: 'error', path: [], message, hint };
  if (json) io.stdout(JSON.stringify({ schema: 'kiln-error', schemaVersion: 1, diagnostics: [d] }, null, 2) + '\n');
  io.stderr(formatDiagnostic(d, io.cwd) + '\n');
  return EXIT_ERROR;
}
