/**
 * The `kiln` command line. Exit codes: 0 = built and fits; 1 = over budget (or, later, a verification
 * mismatch); 2 = configuration, usage or tool error. With --json the result goes to stdout as JSON and
 * every human-readable line to stderr.
 */
import { relative } from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { buildProject, compileProject } from '../build.js';
import { DEVICES } from '../devices/index.js';
import { didYouMean, formatFieldPath, isKilnError, KilnError, type Diagnostic } from '../dsl/diagnostics.js';
import { ghdlAvailable, ghdlVersion } from '../toolchain/ghdl.js';
import { simulate, type SimResult } from '../toolchain/simulate.js';
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
      const result = await compileProject({ cwd: io.cwd, command: 'estimate', hardware: false, ...(typeof values.config === 'string' ? { configPath: values.config } : {}) });
      if (values.json) io.stdout(JSON.stringify(result.report, null, 2) + '\n');
      else io.stderr(renderConsoleTable(result.report));
      return fitExit(result.report.fits, result.report.over, io);
    },
  },
  sim: {
    summary: 'build, then run the generated self-checking testbenches in GHDL',
    usage: 'kiln sim [--config PATH] [--out DIR] [--layer PATH] [--jobs N] [--json]',
    details: `Builds like 'kiln build', then simulates every layer's testbench (full-range random inputs) and the
whole model's (the sample window), comparing every output with kiln's integer reference model and the
measured cycles with the estimate.

Options:
${CONFIG_HELP}
  -o, --out DIR       output directory (default: build/ next to the config file)
  -l, --layer PATH    simulate only this layer (its path in the config), or the model name for the whole model
  -j, --jobs N        parallel simulations (default: number of cores)
${JSON_HELP}

Exit codes: 0 all outputs and cycle counts match, 1 a mismatch, 2 configuration, usage or tool error
(GHDL missing: apt-get install ghdl).`,
    options: { ...COMMON_OPTIONS, out: { type: 'string', short: 'o' }, layer: { type: 'string', short: 'l' }, jobs: { type: 'string', short: 'j' } },
    run: runSim,
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

async function runSim(values: Record<string, string | boolean | undefined>, io: Io): Promise<number> {
  let jobs: number | undefined;
  if (values.jobs !== undefined) {
    jobs = Number(values.jobs);
    if (!Number.isInteger(jobs) || jobs < 1) throw new KilnError([{ code: 'KILN_E_USAGE', severity: 'error', path: [], message: `--jobs must be a positive integer, got ${JSON.stringify(values.jobs)}` }]);
  }
  if (!ghdlAvailable()) {
    throw new KilnError([{ code: 'KILN_E_TOOL', severity: 'error', path: [], message: 'GHDL is not installed (or not on PATH); kiln sim needs it', hint: 'apt-get install ghdl (Debian/Ubuntu), or set KILN_GHDL to its path' }]);
  }
  const result = await buildProject({
    cwd: io.cwd,
    command: 'sim',
    ...(typeof values.config === 'string' ? { configPath: values.config } : {}),
    ...(typeof values.out === 'string' ? { outDir: values.out } : {}),
  });
  let selected = result.testbenches;
  if (typeof values.layer === 'string') {
    const want = values.layer;
    selected = result.testbenches.filter((t) => t.unit === want);
    if (selected.length === 0) {
      const node = result.design.layers.find((l) => l.path === want);
      const units = result.testbenches.map((t) => t.unit);
      const message = node
        ? `'${want}' (${node.kind}) has no testbench of its own: ${node.kind === 'relu' ? 'ReLU is applied on its producer\'s read path' : 'the input buffer is written by the host'}; the whole-model testbench '${result.design.name}' covers it`
        : `no layer '${want}' with a testbench`;
      throw new KilnError([{ code: 'KILN_E_USAGE', severity: 'error', path: ['--layer'], message, hint: didYouMean(want, units) ?? `testbenches: ${units.join(', ')}` }]);
    }
  }
  io.stderr(`simulating ${selected.length} testbench${selected.length === 1 ? '' : 'es'} with ${ghdlVersion()}\n`);
  const results = await simulate(selected, {
    outDir: result.outDir,
    ...(jobs !== undefined ? { jobs } : {}),
    onResult: (r, done, total) => io.stderr(`[${done}/${total}] ${r.status.toUpperCase().padEnd(5)} ${r.unit}${r.message ? `: ${r.message}` : ''}\n`),
  });
  const failed = results.filter((r) => r.status === 'fail');
  const errors = results.filter((r) => r.status === 'error');
  if (values.json) io.stdout(JSON.stringify({ schema: 'kiln-sim', schemaVersion: 1, ghdl: ghdlVersion(), results, passed: results.length - failed.length - errors.length, failed: failed.length, errors: errors.length }, null, 2) + '\n');
  else io.stderr(renderSimTable(results));
  if (errors.length > 0) return EXIT_ERROR;
  return failed.length > 0 ? EXIT_FINDINGS : EXIT_OK;
}

function renderSimTable(results: readonly SimResult[]): string {
  const rows = [['Testbench', 'Kind', 'Result', 'Outputs', 'Mismatches', 'Cycles', 'Estimated', 'Time'], ...results.map((r) => [r.unit, r.kind, r.status, String(r.outputs), String(r.mismatches), r.cycles === undefined ? '-' : r.cycles.toLocaleString('en-US'), r.expectedCycles.toLocaleString('en-US'), `${(r.durationMs / 1000).toFixed(1)} s`])];
  const w = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) => r.map((c, i) => (i < 3 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ').trimEnd());
  for (const r of results) {
    for (const m of r.firstMismatches) lines.push(`  ${r.unit}: output ${m.index} expected ${m.expected} got ${m.got}`);
  }
  const passed = results.filter((r) => r.status === 'pass').length;
  lines.push('', `${passed} of ${results.length} testbenches passed`);
  return lines.join('\n') + '\n';
}

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
