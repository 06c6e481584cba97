/** The command registry: one file per command. */
import type { Command } from './_shared.js';
import { build } from './build.js';
import { devices } from './devices.js';
import { diff } from './diff.js';
import { init } from './init.js';
import { exportCommand, vivado } from './export.js';
import { importUtilization } from './import-utilization.js';
import { estimate } from './estimate.js';
import { search } from './search.js';
import { evalCommand } from './eval.js';
import { sim } from './sim.js';
import { synth } from './synth.js';
import { watch } from './watch.js';

export const COMMANDS: Record<string, Command> = { build, watch, estimate, eval: evalCommand, search, sim, synth, diff, init, export: exportCommand, vivado, 'import-utilization': importUtilization, devices };
export * from './_shared.js';
