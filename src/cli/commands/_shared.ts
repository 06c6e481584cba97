/** What every command shares: its shape, the I/O it writes to, exit codes and common option help. */
import type { ParseArgsConfig } from 'node:util';

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_ERROR = 2;

export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  cwd: string;
}

export type OptionValues = Record<string, string | boolean | undefined>;

export interface Command {
  summary: string;
  usage: string;
  details: string;
  options: ParseArgsConfig['options'];
  run(values: OptionValues, io: Io): Promise<number>;
}

export const COMMON_OPTIONS = {
  config: { type: 'string', short: 'c' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

export const CONFIG_HELP = `  -c, --config PATH   config file (default: search fpga.config.ts/.mts/.js/.mjs, then a "fpga" key
                      in package.json, from the working directory up to the project root)`;
export const JSON_HELP = '      --json          print the result as JSON on stdout; logs go to stderr';

/** Exit 0 when the design fits its budget, 1 (naming the resources) when it does not. */
export function fitExit(fits: boolean, over: readonly string[], io: Io): number {
  if (fits) return EXIT_OK;
  io.stderr(`kiln: over budget on ${over.map((r) => r.toUpperCase()).join(', ')}\n`);
  return EXIT_FINDINGS;
}
