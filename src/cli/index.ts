#!/usr/bin/env node
import { sharedSandbox } from '../dsl/sandbox.js';

// A one-shot command that loads a config starts the config worker first, so that it loads kiln into itself
// while this process loads the command line (src/dsl/sandbox.ts). (kiln watch keeps a worker of its own.)
const LOADS_CONFIG = new Set(['build', 'estimate', 'sim', 'synth']);
const argv = process.argv.slice(2);
if (LOADS_CONFIG.has(argv[0] ?? '') && !argv.includes('--help') && !argv.includes('-h')) sharedSandbox().warm();

// Ctrl-C or SIGTERM stops a one-shot command at once: its tools are killed and its lock released on the way
// out (exit 130 / 143). kiln watch handles the signals itself.
if (argv[0] !== 'watch') (await import('../util/interrupt.js')).exitOnInterrupt();

const { runCli } = await import('./main.js');
const code = await runCli(argv, {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  cwd: process.cwd(),
  isTTY: process.stderr.isTTY === true,
});
process.exitCode = code;
