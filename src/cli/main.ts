/**
 * The `kiln` command line. Exit codes: 0 = built and fits; 1 = over budget (or, later, a verification
 * mismatch); 2 = configuration, usage or tool error. With --json the result goes to stdout as JSON and
 * every human-readable line to stderr.
 */
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { readTextIfExists } from '../build/write.js';
import { formatFieldPath, isKilnError, type Diagnostic } from '../dsl/diagnostics.js';
import { codeFrame } from '../dsl/locate.js';
import { isSystemError, systemErrorDiagnostic } from '../util/io-error.js';
import { KILN_VERSION } from '../version.js';
import { COMMANDS, EXIT_ERROR, EXIT_OK, type Io, type OptionValues } from './commands/index.js';

export { EXIT_ERROR, EXIT_FINDINGS, EXIT_OK } from './commands/index.js';

function mainHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return `kiln ${KILN_VERSION}: compile fpga.config.ts into bit-exact VHDL, testbenches and resource reports for small FPGAs

Usage: kiln <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`)
  .join('\n')}

Run 'kiln <command> --help' for a command's options.
Exit codes: 0 built and fits, 1 over budget or verification mismatch, 2 configuration, usage or tool error.
`;
}

/** Lines of the files diagnostics point into, read once for all of them. */
type SourceLines = Map<string, readonly string[] | undefined>;

/** At most this many diagnostics are printed for people (all of them go into the --json document). */
export const MAX_PRINTED_DIAGNOSTICS = 50;

/** One diagnostic for people: code, field, message, where (with the source lines there) and the hint. */
export function formatDiagnostic(d: Diagnostic, cwd: string, sources: SourceLines = new Map()): string {
  const field = d.path.length > 0 ? `${formatFieldPath(d.path)}: ` : '';
  let where = '';
  if (d.loc) {
    where = `\n  --> ${relative(cwd, d.loc.file) || d.loc.file}:${d.loc.line}:${d.loc.column}`;
    if (!sources.has(d.loc.file)) sources.set(d.loc.file, readTextIfExists(d.loc.file)?.split('\n'));
    const lines = sources.get(d.loc.file);
    const frame = lines === undefined ? '' : codeFrame(lines, d.loc.line, d.loc.column);
    if (frame) where += `\n${frame.replace(/^/gm, '  ')}`;
  }
  const hint = d.hint ? `\n  hint: ${d.hint}` : '';
  return `${d.severity}[${d.code}]: ${field}${d.message}${where}${hint}`;
}

/** Diagnostics for people, one after another; past the first 50, a count of the rest. */
export function formatDiagnostics(diags: readonly Diagnostic[], cwd: string): string {
  const sources: SourceLines = new Map();
  const shown = diags.slice(0, MAX_PRINTED_DIAGNOSTICS).map((d) => formatDiagnostic(d, cwd, sources));
  const rest = diags.length - shown.length;
  if (rest > 0) shown.push(`... and ${rest} more (kiln --json lists every one)`);
  return shown.join('\n');
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
    let values: OptionValues;
    let positionals: string[];
    try {
      ({ values, positionals } = parseArgs({ args: [...rest], options: command.options, allowPositionals: true, strict: true }) as {
        values: OptionValues;
        positionals: string[];
      });
    } catch (err) {
      return usageError((err as Error).message.split('\n')[0]!, io, wantsJson, `usage: ${command.usage}`);
    }
    if (values.help) {
      io.stdout(commandHelp(name));
      return EXIT_OK;
    }
    const wanted = command.positionals?.count ?? 0;
    if (positionals.length > wanted) return usageError(`unexpected argument '${positionals[wanted]}'`, io, wantsJson, `usage: ${command.usage}`);
    if (positionals.length < wanted) return usageError(`missing ${command.positionals!.names.split(' ').slice(positionals.length).join(' ')}`, io, wantsJson, `usage: ${command.usage}`);
    return await command.run(values, io, positionals);
  } catch (caught) {
    // A failed file-system call is the machine's state, not a bug: a KILN_E_IO diagnostic like the others.
    const err = isSystemError(caught) ? systemErrorDiagnostic(caught, io.cwd) : caught;
    if (isKilnError(err)) {
      if (wantsJson) io.stdout(errorDocument(err.diagnostics));
      io.stderr(formatDiagnostics(err.diagnostics, io.cwd) + '\n');
      // (An I/O error says itself what it left behind.)
      const written = err.diagnostics.some((d) => d.code === 'KILN_E_IO') ? '' : '; nothing was written';
      io.stderr(`kiln: ${err.diagnostics.length} error${err.diagnostics.length === 1 ? '' : 's'}${written}\n`);
      return EXIT_ERROR;
    }
    const text = (err as Error)?.stack ?? String(err);
    if (wantsJson) io.stdout(errorDocument([{ code: 'KILN_E_INTERNAL', severity: 'error', path: [], message: `internal error (please report it): ${(err as Error)?.message ?? String(err)}`, hint: 'this is a bug in kiln; the stack trace is on stderr' }]));
    io.stderr(`kiln: internal error (please report it): ${text}\n`);
    return EXIT_ERROR;
  }
}

/** The `--json` document of a failure (the one JSON document on stdout). */
function errorDocument(diagnostics: readonly Diagnostic[]): string {
  return JSON.stringify({ schema: 'kiln-error', schemaVersion: 1, diagnostics }, null, 2) + '\n';
}

function commandHelp(name: string): string {
  const c = COMMANDS[name]!;
  return `kiln ${name}: ${c.summary}\n\nUsage: ${c.usage}\n\n${c.details}\n`;
}

function usageError(message: string, io: Io, json: boolean, hint: string): number {
  const d: Diagnostic = { code: 'KILN_E_USAGE', severity: 'error', path: [], message, hint };
  if (json) io.stdout(errorDocument([d]));
  io.stderr(formatDiagnostic(d, io.cwd) + '\n');
  return EXIT_ERROR;
}
