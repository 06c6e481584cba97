/** What every command shares: its shape, the I/O it writes to, exit codes and common option help. */
import type { ParseArgsConfig } from 'node:util';
import type { Report } from '../../emitters/report.js';
import { KilnError } from '../../dsl/diagnostics.js';
import { DEFAULT_CONFIG_TIMEOUT_MS } from '../../dsl/load.js';

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_ERROR = 2;

export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  cwd: string;
  /** stderr is a terminal (live progress); false or absent for pipes, files and tests. */
  isTTY?: boolean;
}

export type OptionValues = Record<string, string | boolean | undefined>;

export interface Command {
  summary: string;
  usage: string;
  details: string;
  options: ParseArgsConfig['options'];
  /** Arguments that are not options (the files of `kiln diff`); none unless declared. */
  positionals?: { count: number; names: string };
  run(values: OptionValues, io: Io, positionals?: readonly string[]): Promise<number>;
}

export const COMMON_OPTIONS = {
  config: { type: 'string', short: 'c' },
  'config-timeout': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

export const CONFIG_HELP = `  -c, --config PATH   config file (default: search fpga.config.ts/.mts/.js/.mjs, then a "fpga" key
                      in package.json, from the working directory up to the project root)
      --config-timeout SECONDS
                      time the config may take to evaluate (default ${DEFAULT_CONFIG_TIMEOUT_MS / 1000}); a config that
                      loops or never settles is stopped then, exit 2`;
export const JSON_HELP = '      --json          print the result as JSON on stdout; logs go to stderr';
export const STRICT_HELP = `      --strict        exit 1 when clockMHz is above the part's global clock limit (without it: a warning)`;

/** The clock warning (always printed) and, under --strict, exit 1 when the clock is above the part's limit. */
export function clockExit(report: Report, strict: boolean, io: Io): number {
  if (report.timing.withinLimit) return 0;
  io.stderr(`kiln: warning: ${report.timing.note}\n`);
  return strict ? 1 : 0;
}

/** Exit 0 when the design fits its budget, 1 (naming the resources) when it does not. */
export function fitExit(fits: boolean, over: readonly string[], io: Io): number {
  if (fits) return EXIT_OK;
  io.stderr(`kiln: over budget on ${over.map((r) => r.toUpperCase()).join(', ')}\n`);
  return EXIT_FINDINGS;
}

/** Options of the commands that build, then run a tool on every unit (sim, synth). */
export const TOOL_OPTIONS = {
  ...COMMON_OPTIONS,
  out: { type: 'string', short: 'o' },
  layer: { type: 'string', short: 'l' },
  jobs: { type: 'string', short: 'j' },
} as const satisfies ParseArgsConfig['options'];

/** `--config PATH` and `--config-timeout SECONDS` as options of the build pipeline. */
export function configOptions(values: OptionValues): { configPath?: string; configTimeoutMs?: number } {
  const out: { configPath?: string; configTimeoutMs?: number } = {};
  if (typeof values.config === 'string') out.configPath = values.config;
  const timeout = values['config-timeout'];
  if (timeout !== undefined) {
    const seconds = typeof timeout === 'string' && timeout.trim() !== '' ? Number(timeout) : NaN;
    if (!Number.isFinite(seconds) || seconds <= 0) {
      throw new KilnError([{ code: 'KILN_E_USAGE', severity: 'error', path: [], message: `--config-timeout must be a positive number of seconds, got ${JSON.stringify(timeout)}`, hint: `e.g. --config-timeout 30 (default ${DEFAULT_CONFIG_TIMEOUT_MS / 1000})` }]);
    }
    out.configTimeoutMs = seconds * 1000;
  }
  return out;
}

/** `--jobs N`: a positive integer, or undefined for one job per core. */
export function parseJobs(values: OptionValues): number | undefined {
  if (values.jobs === undefined) return undefined;
  const jobs = Number(values.jobs);
  if (!Number.isInteger(jobs) || jobs < 1) {
    throw new KilnError([{ code: 'KILN_E_USAGE', severity: 'error', path: [], message: `--jobs must be a positive integer, got ${JSON.stringify(values.jobs)}` }]);
  }
  return jobs;
}

/** Exit 1, saying by how much, when the integer model loses more accuracy than the config's budget allows. */
export function accuracyExit(report: Report, io: Io): number {
  const a = report.accuracy;
  if (!a?.budget || a.budget.met) return EXIT_OK;
  io.stderr(`kiln: over the accuracy budget: the integer model's test RMSE is ${(a.rmseIncrease * 100).toFixed(2)} % above the float model's (limit ${(a.budget.maxRmseIncrease * 100).toFixed(2)} %)\n`);
  return EXIT_FINDINGS;
}
