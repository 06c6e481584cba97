import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildProject } from '../../build/index.js';
import { didYouMean, KilnError } from '../../dsl/diagnostics.js';
import { writeFileAtomic } from '../../build/write.js';
import { synthesize } from '../../synth/index.js';
import { COUNTING_RULE, designKey, renderSynthTable, reportUnit, SYNTH_REPORT, vhdlHash, type SynthReport } from '../../synth/report.js';
import { iverilogVersion } from '../../synth/verilog-tb.js';
import { ghdlAvailable, ghdlVersion } from '../../toolchain/ghdl.js';
import { yosysAvailable, yosysVersion } from '../../toolchain/yosys.js';
import { KILN_VERSION } from '../../version.js';
import { createProgress } from '../progress.js';
import { CONFIG_HELP, EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, fitExit, JSON_HELP, parseJobs, TOOL_OPTIONS, configOptions, type Command } from './_shared.js';

function requireTools(): void {
  const missing = [
    ...(ghdlAvailable() ? [] : ['ghdl']),
    ...(yosysAvailable() ? [] : ['yosys']),
    ...(iverilogVersion() === undefined ? ['iverilog'] : []),
  ];
  if (missing.length > 0) {
    throw new KilnError([{ code: 'KILN_E_TOOL', severity: 'error', path: [], message: `kiln synth needs ${missing.join(', ')}, which ${missing.length === 1 ? 'is' : 'are'} not installed (or not on PATH)`, hint: `apt-get install ${missing.join(' ')}` }]);
  }
}

export const synth: Command = {
  summary: 'build, then synthesize each layer and the top level with GHDL + yosys and compare with the estimate',
  usage: 'kiln synth [--config PATH] [--config-timeout SECONDS] [--out DIR] [--layer PATH] [--jobs N] [--json]',
  details: `Each layer entity alone and the whole top level go through GHDL (--synth --out=verilog), kiln's
repairs of GHDL 2.0's Verilog (checked by simulating the repaired netlist of every layer on its reference
vectors with Icarus Verilog), and yosys synth_xilinx -family xc7 (flattened, no IO buffers), with each
memory's configured storage re-applied. Writes synth/report.json and prints estimate vs synthesis.

Options:
${CONFIG_HELP}
  -o, --out DIR       output directory (default: build/ next to the config file)
  -l, --layer PATH    synthesize only this layer (its path), or the model name for the top level
  -j, --jobs N        parallel syntheses (default: number of cores)
${JSON_HELP}

Exit codes: 0 every unit synthesized and its netlist matches the reference, 1 a netlist mismatch or a latch,
2 configuration, usage or tool error (apt-get install ghdl yosys iverilog).`,
  options: TOOL_OPTIONS,
  async run(values, io) {
    const jobs = parseJobs(values);
    requireTools();
    const result = await buildProject({
      cwd: io.cwd,
      command: 'synth',
      keepLock: true,
      ...configOptions(values),
      ...(typeof values.out === 'string' ? { outDir: values.out } : {}),
    });
    // Hold the output folder's lock until synthesis has read its files.
    try {
      if (result.build.noHardware) {
        io.stderr(`kiln: nothing to synthesize: the design is over budget, and ${result.build.noHardware.replace(/^the design is /, 'it is ')}\n`);
        return fitExit(result.report.fits, result.report.over, io);
      }
      const design = result.design;
      const entityOf = new Map([...design.layers.map((l) => [l.path, l.name] as const), [design.name, design.name] as const]);
      let units: string[] | undefined;
      if (typeof values.layer === 'string') {
        const entity = entityOf.get(values.layer);
        const candidates = [...result.testbenches.map((t) => t.unit)];
        if (!entity || !candidates.includes(values.layer)) {
          throw new KilnError([{ code: 'KILN_E_USAGE', severity: 'error', path: ['--layer'], message: `no synthesizable unit '${values.layer}'`, hint: didYouMean(values.layer, candidates) ?? `units: ${candidates.join(', ')}` }]);
        }
        units = [entity];
      }
      const wholeKey = designKey(Object.entries(result.cache.manifest.units).map(([id, u]) => ({ id, kind: u.kind, key: u.key })));
      io.stderr(`synthesizing with ${ghdlVersion()}, ${yosysVersion()}, ${iverilogVersion()}\n`);
      // yosys's time grows with the logic: a unit's estimated LUTs and flip-flops (the whole model's for the top level)
      const costOf = new Map([...result.estimate.layers.map((l) => [l.path, l.lut + l.ff] as const), [design.name, result.estimate.total.lut + result.estimate.total.ff] as const]);
      const work = (unit: string) => Math.max(1, costOf.get(unit) ?? 1);
      const chosen = units ? [...entityOf].filter(([, e]) => units!.includes(e)).map(([u]) => u) : [...result.testbenches.map((t) => t.unit).filter((u) => u !== design.name), design.name];
      const progress = createProgress(io, { label: 'synth', units: chosen.length, totalWork: chosen.reduce((n, u) => n + work(u), 0), json: values.json === true });
      const results = await synthesize(design, result.testbenches, {
        outDir: result.outDir,
        ...(units ? { units } : {}),
        ...(jobs !== undefined ? { jobs } : {}),
        onStart: (unit) => progress.start(unit, work(unit), unit === design.name ? 'the whole model, flattened' : undefined),
        onResult: (r, done, total) => progress.finish(r.unit, work(r.unit), `[${done}/${total}] ${r.status.toUpperCase().padEnd(8)} ${r.unit} (${(r.durationMs / 1000).toFixed(1)} s)${r.message ? `: ${r.message}` : ''}`),
      });
      progress.stop();
      const report: SynthReport = {
        schema: 'kiln-synth',
        schemaVersion: 1,
        kiln: KILN_VERSION,
        tools: { ghdl: ghdlVersion(), yosys: yosysVersion(), iverilog: iverilogVersion() },
        device: design.device.part,
        flow: 'ghdl --synth --std=08 --out=verilog | kiln netlist repairs | yosys synth_xilinx -family xc7 -flatten -noiopad -noclkbuf; stat -json',
        countingRule: COUNTING_RULE,
        units: results.map((r) =>
          reportUnit(r, vhdlHash(readFileSync(join(result.outDir, 'vhdl', `${r.entity}.vhd`), 'utf8')), r.kind === 'model' ? wholeKey : result.cache.manifest.units[r.unit]?.key),
        ),
      };
      await writeFileAtomic(join(result.outDir, SYNTH_REPORT), JSON.stringify(report, null, 2) + '\n');
      if (values.json) io.stdout(JSON.stringify(report, null, 2) + '\n');
      else io.stderr(renderSynthTable(report.units));
      if (results.some((r) => r.status === 'error')) return EXIT_ERROR;
      return results.some((r) => r.status === 'mismatch') ? EXIT_FINDINGS : EXIT_OK;
    } finally {
      await result.lock?.release();
    }
  },
};
