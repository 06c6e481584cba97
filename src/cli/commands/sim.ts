import { buildProject } from '../../build/index.js';
import { formatCount } from '../../emitters/report.js';
import { didYouMean, KilnError } from '../../dsl/diagnostics.js';
import { ghdlAvailable, ghdlVersion } from '../../toolchain/ghdl.js';
import { simulate, SIM_TIME_LIMIT_MS, type SimResult } from '../../toolchain/simulate.js';
import { createProgress } from '../progress.js';
import { CONFIG_HELP, EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, fitExit, JSON_HELP, parseJobs, TOOL_OPTIONS, type Command, type Io, type OptionValues, configOptions } from './_shared.js';

export const sim: Command = {
  summary: 'build, then run the generated self-checking testbenches in GHDL',
  usage: 'kiln sim [--config PATH] [--config-timeout SECONDS] [--out DIR] [--layer PATH] [--jobs N] [--time-limit SECONDS] [--no-budget] [--json]',
  details: `Builds like 'kiln build', then simulates every layer's testbench (full-range random inputs) and the
whole model's (the sample window), comparing every output with kiln's integer reference model and the
measured cycles with the estimate.

Options:
${CONFIG_HELP}
  -o, --out DIR       output directory (default: build/ next to the config file)
  -l, --layer PATH    simulate only this layer (its path in the config), or the model name for the whole model
  -j, --jobs N        parallel simulations (default: number of cores)
      --time-limit SECONDS
                      time one testbench may take, GHDL's analysis, elaboration and run together
                      (default ${SIM_TIME_LIMIT_MS / 1000}); one that runs past it is stopped and reported as an error naming it
      --no-budget     simulate a design that is over the device budget (otherwise: the verdict, exit 1)
${JSON_HELP}

Exit codes: 0 all outputs and cycle counts match, 1 a mismatch, 2 configuration, usage or tool error
(GHDL missing: apt-get install ghdl; a testbench past its time limit).`,
  options: { ...TOOL_OPTIONS, 'time-limit': { type: 'string' }, 'no-budget': { type: 'boolean' } },
  run: runSim,
};

/** Simulated cycles per testbench beyond which kiln refuses to start it (minutes of GHDL even on its LLVM back end). */
export const SIM_MAX_CYCLES = 20_000_000;

async function runSim(values: OptionValues, io: Io): Promise<number> {
  const jobs = parseJobs(values);
  const limit = values['time-limit'];
  const timeLimitS = limit === undefined ? SIM_TIME_LIMIT_MS / 1000 : Number(limit);
  if (typeof limit === 'string' && !(/^\d+(\.\d+)?$/.test(limit.trim()) && timeLimitS > 0)) {
    throw new KilnError([{ code: 'KILN_E_USAGE', severity: 'error', path: ['--time-limit'], message: `--time-limit must be a positive number of seconds, got '${limit}'`, hint: `for example --time-limit ${SIM_TIME_LIMIT_MS / 1000}` }]);
  }
  if (!ghdlAvailable()) {
    throw new KilnError([{ code: 'KILN_E_TOOL', severity: 'error', path: [], message: 'GHDL is not installed (or not on PATH); kiln sim needs it', hint: 'apt-get install ghdl (Debian/Ubuntu), or set KILN_GHDL to its path' }]);
  }
  // Hold the output folder's lock until the simulations have read their files.
  const result = await buildProject({
    cwd: io.cwd,
    command: 'sim',
    keepLock: true,
    ...configOptions(values),
    ...(typeof values.out === 'string' ? { outDir: values.out } : {}),
  });
  try {
    if (result.build.noHardware) {
      io.stderr(`kiln: nothing to simulate: the design is over budget, and ${result.build.noHardware.replace(/^the design is /, 'it is ')}\n`);
      return fitExit(result.report.fits, result.report.over, io);
    }
    if (!result.report.fits && values['no-budget'] !== true) {
      // minutes of GHDL for a design that cannot go on the device: the verdict first (--no-budget simulates anyway)
      if (values.json) io.stdout(JSON.stringify({ schema: 'kiln-sim', schemaVersion: 1, ghdl: ghdlVersion(), results: [], passed: 0, failed: 0, errors: 0, overBudget: result.report.over }, null, 2) + '\n');
      io.stderr(`kiln: not simulated: the design does not fit ${result.design.device.id} (over on ${result.report.over.map((r) => r.toUpperCase()).join(', ')}); --no-budget simulates it anyway\n`);
      return fitExit(result.report.fits, result.report.over, io);
    }
    let selected = result.testbenches;
    if (typeof values.layer === 'string') {
      const want = values.layer;
      selected = result.testbenches.filter((t) => t.unit === want);
      if (selected.length === 0) {
        const node = result.design.layers.find((l) => l.path === want);
        const units = result.testbenches.map((t) => t.unit);
        const message = node
          ? `'${want}' (${node.kind}) has no testbench of its own: ${node.role === 'on-read' ? "it is applied on its producer's read path" : 'it is a buffer written by the host'}; the whole-model testbench '${result.design.name}' covers it`
          : `no layer '${want}' with a testbench`;
        throw new KilnError([{ code: 'KILN_E_USAGE', severity: 'error', path: ['--layer'], message, hint: didYouMean(want, units) ?? `testbenches: ${units.join(', ')}` }]);
      }
    }
    const tooLong = selected.filter((t) => t.expectedCycles * t.windows > SIM_MAX_CYCLES);
    if (tooLong.length > 0) {
      throw new KilnError(
        tooLong.map((t) => ({
          code: 'KILN_E_UNSUPPORTED' as const,
          severity: 'error' as const,
          path: ['model'],
          message: `the testbench '${t.unit}' would simulate ${t.windows > 1 ? `${t.windows} windows × ` : ''}${formatCount(t.expectedCycles)} cycles, more than kiln simulates here (${formatCount(SIM_MAX_CYCLES)})`,
          hint: t.kind === 'model' ? 'simulate the layers alone with --layer PATH, or make the model smaller' : 'make the layer smaller',
        })),
      );
    }
    io.stderr(`simulating ${selected.length} testbench${selected.length === 1 ? '' : 'es'} with ${ghdlVersion()}\n`);
    // GHDL's time grows with the simulated cycles
    const work = (t: (typeof selected)[number]) => Math.max(1, t.expectedCycles * t.windows);
    const progress = createProgress(io, { label: 'sim', units: selected.length, totalWork: selected.reduce((n, t) => n + work(t), 0), json: values.json === true });
    const byUnit = new Map(selected.map((t) => [t.unit, t]));
    const results = await simulate(selected, {
      outDir: result.outDir,
      timeoutMs: timeLimitS * 1000,
      ...(jobs !== undefined ? { jobs } : {}),
      onStart: (t) => progress.start(t.unit, work(t), t.kind === 'model' ? `the whole model: ${t.windows} windows × ${formatCount(t.expectedCycles)} cycles` : undefined),
      onResult: (r, done, total) => progress.finish(r.unit, work(byUnit.get(r.unit)!), `[${done}/${total}] ${r.status.toUpperCase().padEnd(5)} ${r.unit} (${(r.durationMs / 1000).toFixed(1)} s)${r.message ? `: ${r.message}` : ''}`),
    });
    progress.stop();
    const failed = results.filter((r) => r.status === 'fail');
    const errors = results.filter((r) => r.status === 'error');
    if (values.json) {
      io.stdout(JSON.stringify({ schema: 'kiln-sim', schemaVersion: 1, ghdl: ghdlVersion(), results, passed: results.length - failed.length - errors.length, failed: failed.length, errors: errors.length }, null, 2) + '\n');
    } else io.stderr(renderSimTable(results));
    if (errors.length > 0) return EXIT_ERROR;
    return failed.length > 0 ? EXIT_FINDINGS : EXIT_OK;
  } finally {
    await result.lock?.release();
  }
}

function renderSimTable(results: readonly SimResult[]): string {
  const header = ['Testbench', 'Kind', 'Result', 'Runs', 'Outputs', 'Mismatches', 'Cycles', 'Estimated', 'Time'];
  const rows = [
    header,
    ...results.map((r) => [r.unit, r.kind, r.status, String(r.windows), String(r.outputs), String(r.mismatches), r.cycles === undefined ? '-' : formatCount(r.cycles), formatCount(r.expectedCycles), `${(r.durationMs / 1000).toFixed(1)} s`]),
  ];
  const w = header.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  const lines = rows.map((r) => r.map((c, i) => (i < 3 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ').trimEnd());
  for (const r of results) {
    for (const m of r.firstMismatches) lines.push(`  ${r.unit}: ${r.windows > 1 ? `run ${Math.floor(m.index / (r.outputs / r.windows))} ` : ''}output ${r.windows > 1 ? m.index % (r.outputs / r.windows) : m.index} expected ${m.expected} got ${m.got}`);
  }
  const passed = results.filter((r) => r.status === 'pass').length;
  lines.push('', `${passed} of ${results.length} testbenches passed`);
  return lines.join('\n') + '\n';
}
