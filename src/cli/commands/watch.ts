import { basename, relative } from 'node:path';
import { KilnError } from '../../dsl/diagnostics.js';
import { renderConsoleTable } from '../../emitters/report.js';
import { ghdlAvailable, ghdlVersion } from '../../toolchain/ghdl.js';
import { formatBuildSummary } from '../../build/summary.js';
import { startWatch, type WatchEvent } from '../../watch/watcher.js';
import { formatDiagnostics } from '../main.js';
import { COMMON_OPTIONS, CONFIG_HELP, configOptions, EXIT_OK, parseJobs, type Command, type Io, type OptionValues } from './_shared.js';

export const watch: Command = {
  summary: 'build, then rebuild only the layers that changed on every save (Ctrl-C to stop)',
  usage: 'kiln watch [--config PATH] [--config-timeout SECONDS] [--out DIR] [--force] [--sim] [--jobs N]',
  details: `Builds like 'kiln build', then watches the config, every local module it imports (transitively) and
the data files it names. On a change it reloads the config, rebuilds only the units whose key changed
(docs/incremental.md), and prints why each was rebuilt and the per-layer estimate delta with the fit
against the device, e.g.
  encoder.0.ffn.fc1  LUT -120  BRAM18 -1  cycles +0
A config that fails to load or validate, or does not finish evaluating within --config-timeout, prints its
errors; the last good build stays in place and kiln keeps watching. kiln watch holds the output directory's
lock (<out>/.kiln/lock) until it stops, so a 'kiln build' or 'kiln sim' into the same directory is refused
meanwhile. Ctrl-C stops it at once, also while a config is being evaluated.

Options:
${CONFIG_HELP}
  -o, --out DIR       output directory (default: build/ next to the config file)
  -f, --force         build into DIR even if it is not empty and holds no earlier kiln build, and rebuild
                      every unit on the first build
      --sim           after each build, run in GHDL the testbenches of the rebuilt layers (and the whole
                      model's when the top level changed)
  -j, --jobs N        parallel simulations with --sim (default: number of cores)

Exit codes: 0 stopped with Ctrl-C (SIGINT) or SIGTERM (a second Ctrl-C while it finishes a build stops it
at once, also with 0; the lock is released either way); 2 no config found, usage or I/O error (including
another kiln building into the same directory), or --sim without GHDL.`,
  options: {
    config: COMMON_OPTIONS.config,
    'config-timeout': COMMON_OPTIONS['config-timeout'],
    help: COMMON_OPTIONS.help,
    out: { type: 'string', short: 'o' },
    force: { type: 'boolean', short: 'f' },
    sim: { type: 'boolean' },
    jobs: { type: 'string', short: 'j' },
  },
  run: runWatch,
};

const clock = () => new Date().toTimeString().slice(0, 8);

async function runWatch(values: OptionValues, io: Io): Promise<number> {
  const jobs = parseJobs(values);
  const { configPath, configTimeoutMs } = configOptions(values);
  if (values.sim && !ghdlAvailable()) {
    throw new KilnError([{ code: 'KILN_E_TOOL', severity: 'error', path: [], message: 'GHDL is not installed (or not on PATH); kiln watch --sim needs it', hint: 'apt-get install ghdl (Debian/Ubuntu), or set KILN_GHDL to its path' }]);
  }
  const show = (p: string) => relative(io.cwd, p) || basename(p);
  let lastWatched = '';
  const onEvent = (e: WatchEvent) => {
    switch (e.type) {
      case 'build-start':
        if (e.initial) io.stderr(`kiln watch: building ${show(e.config)} into ${show(e.outDir)}/\n`);
        else io.stderr(`\n[${clock()}] ${e.changed.map(show).join(', ')} changed\n`);
        break;
      case 'build-end': {
        const r = e.result;
        if (e.initial) io.stderr(renderConsoleTable(r.report));
        io.stderr(formatBuildSummary(r.build, { cwd: io.cwd, outDir: r.outDir, delta: !e.initial, files: true, ms: e.ms }).join('\n') + '\n');
        break;
      }
      case 'build-error':
        if (e.internal !== undefined) io.stderr(`kiln: internal error (please report it): ${e.internal}\n`);
        else io.stderr(formatDiagnostics(e.diagnostics, io.cwd) + '\n');
        io.stderr(`kiln: ${e.internal !== undefined ? 'the build failed' : `${e.diagnostics.length} error${e.diagnostics.length === 1 ? '' : 's'} in the config`}; ${e.initial ? 'nothing was built' : 'the last good build stays in place'}; waiting for changes\n`);
        break;
      case 'watching': {
        const watched = `watching ${show(e.config)}${e.modules.length > 0 ? ` and ${e.modules.length} imported module${e.modules.length === 1 ? '' : 's'}` : ''}${e.data.length > 0 ? `, ${e.data.length} data file${e.data.length === 1 ? '' : 's'}` : ''}`;
        const detail = [...e.modules, ...e.data].map(show).join(', ');
        if (e.first || watched + detail !== lastWatched) io.stderr(`${watched}${detail ? ` (${detail})` : ''}${e.first ? '; press Ctrl-C to stop' : ''}\n`);
        lastWatched = watched + detail;
        break;
      }
      case 'sim-start':
        io.stderr(`simulating ${e.testbenches.length} testbench${e.testbenches.length === 1 ? '' : 'es'} with ${ghdlVersion()}\n`);
        break;
      case 'sim-result':
        io.stderr(`[${e.done}/${e.total}] ${e.result.status.toUpperCase().padEnd(5)} ${e.result.unit}${e.result.message ? `: ${e.result.message}` : ''}\n`);
        break;
      case 'sim-end': {
        const passed = e.results.filter((r) => r.status === 'pass').length;
        io.stderr(`${passed} of ${e.results.length} testbenches passed\n`);
        break;
      }
      case 'warning':
        io.stderr(`kiln watch: warning: ${e.message}\n`);
        break;
      case 'close':
        io.stderr('kiln watch: stopped\n');
        break;
    }
  };
  // Ctrl-C and SIGTERM stop watching: at once while waiting or evaluating a config (the config worker is
  // ended), after the build in progress otherwise; a second signal does not wait for that build (exit also
  // releases the lock). A stop asked for is not an error: exit 0.
  let stop: () => void = () => undefined;
  let stopping = false;
  const onSignal = () => {
    if (stopping) process.exit(EXIT_OK);
    stopping = true;
    stop();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  try {
    const w = await startWatch({
      cwd: io.cwd,
      ...(configPath !== undefined ? { configPath } : {}),
      ...(configTimeoutMs !== undefined ? { configTimeoutMs } : {}),
      ...(typeof values.out === 'string' ? { outDir: values.out } : {}),
      ...(values.force === true ? { force: true } : {}),
      ...(values.sim === true ? { sim: true } : {}),
      ...(jobs !== undefined ? { jobs } : {}),
      onEvent,
    });
    await stopped;
    await w.close();
    return EXIT_OK;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
