import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { buildProject } from '../../build/index.js';
import { didYouMean, fail, KilnError } from '../../dsl/diagnostics.js';
import { readTextIfExists, writeFileAtomic } from '../../build/write.js';
import { synthesize } from '../../synth/index.js';
import { COUNTING_RULE, designKey, readSynthReport, renderSynthTable, reportUnit, SYNTH_REPORT, vhdlHash, type SynthReport } from '../../synth/report.js';
import { iverilogVersion } from '../../synth/verilog-tb.js';
import { ghdlAvailable, ghdlVersion } from '../../toolchain/ghdl.js';
import { yosysAvailable, yosysVersion } from '../../toolchain/yosys.js';
import { KILN_VERSION } from '../../version.js';
import { createProgress } from '../progress.js';
import { CONFIG_HELP, EXIT_ERROR, EXIT_FINDINGS, EXIT_OK, fitExit, JSON_HELP, parseJobs, TOOL_OPTIONS, configOptions, type Command, type Io, type OptionValues } from './_shared.js';

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
  usage: 'kiln synth [--config PATH] [--config-timeout SECONDS] [--out DIR] [--layer PATH | --shard K/N | --merge] [--jobs N] [--json]',
  details: `Each layer entity alone and the whole top level go through GHDL (--synth --out=verilog), kiln's
repairs of GHDL 2.0's Verilog (checked by simulating the repaired netlist of every layer on its reference
vectors with Icarus Verilog), and yosys synth_xilinx -family xc7 (flattened, no IO buffers), with each
memory's configured storage re-applied. Writes synth/report.json and prints estimate vs synthesis.

Options:
${CONFIG_HELP}
  -o, --out DIR       output directory (default: build/ next to the config file)
  -l, --layer PATH    synthesize only this layer (its path), or the model name for the top level
  -j, --jobs N        parallel syntheses (default: number of cores)
      --shard K/N     synthesize every N-th unit starting with the K-th (K = 1..N), into
                      synth/report.shard-K-of-N.json: N machines of a CI matrix share the work
      --merge         merge the shard reports of the current build into synth/report.json (every shard
                      of one N, each unit's VHDL unchanged since): the same as one unsharded run but for
                      the seconds each unit took
${JSON_HELP}

Exit codes: 0 every unit synthesized and its netlist matches the reference, 1 a netlist mismatch or a latch,
2 configuration, usage or tool error (apt-get install ghdl yosys iverilog).`,
  options: { ...TOOL_OPTIONS, shard: { type: 'string' }, merge: { type: 'boolean' } },
  async run(values, io) {
    const jobs = parseJobs(values);
    const shard = parseShard(values);
    if ([typeof values.layer === 'string', shard !== undefined, values.merge === true].filter(Boolean).length > 1) {
      fail('KILN_E_USAGE', [], '--layer, --shard and --merge exclude each other');
    }
    if (values.merge !== true) requireTools();
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
      const keyOf = (unit: string, kind: string) => (kind === 'model' ? wholeKey : result.cache.manifest.units[unit]?.key);
      // every unit in the order an unsharded run reports them: the layers with a testbench, then the top level
      const allUnits = [...design.layers.filter((l) => result.testbenches.some((t) => t.unit === l.path)).map((l) => l.path), design.name];
      if (values.merge === true) return await mergeShards(result.outDir, allUnits, keyOf, io, values.json === true);
      if (shard) units = allUnits.filter((_, i) => i % shard.n === shard.k - 1).map((u) => entityOf.get(u)!);
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
      if (shard) report.shard = { k: shard.k, n: shard.n };
      await writeFileAtomic(join(result.outDir, shard ? shardReport(shard.k, shard.n) : SYNTH_REPORT), JSON.stringify(report, null, 2) + '\n');
      if (values.json) io.stdout(JSON.stringify(report, null, 2) + '\n');
      else io.stderr(renderSynthTable(report.units));
      if (results.some((r) => r.status === 'error')) return EXIT_ERROR;
      return results.some((r) => r.status === 'mismatch') ? EXIT_FINDINGS : EXIT_OK;
    } finally {
      await result.lock?.release();
    }
  },
};

/** `--shard K/N`. */
function parseShard(values: OptionValues): { k: number; n: number } | undefined {
  if (values.shard === undefined) return undefined;
  const m = /^(\d+)\/(\d+)$/.exec(String(values.shard).trim());
  const [k, n] = m ? [Number(m[1]), Number(m[2])] : [NaN, NaN];
  if (!m || !(n >= 1 && k >= 1 && k <= n)) fail('KILN_E_USAGE', ['--shard'], `--shard must be K/N with 1 <= K <= N, got '${String(values.shard)}'`, 'for example --shard 1/4 on the first of four machines');
  return { k, n };
}

const shardReport = (k: number, n: number) => join('synth', `report.shard-${k}-of-${n}.json`);

/** Merges synth/report.shard-K-of-N.json (all K of one N, each unit current) into synth/report.json. */
async function mergeShards(outDir: string, allUnits: readonly string[], keyOf: (unit: string, kind: string) => string | undefined, io: Io, json: boolean): Promise<number> {
  const dir = join(outDir, 'synth');
  const names = existsSync(dir) ? readdirSync(dir).filter((f) => /^report\.shard-\d+-of-\d+\.json$/.test(f)) : [];
  const ns = [...new Set(names.map((f) => Number(/-of-(\d+)\./.exec(f)![1])))];
  if (ns.length !== 1) fail('KILN_E_USAGE', ['--merge'], ns.length === 0 ? `no shard reports in ${relative(io.cwd, dir) || dir}` : `shard reports of different N (${ns.join(', ')}) in ${relative(io.cwd, dir) || dir}`, 'run kiln synth --shard K/N for every K of one N, then --merge');
  const n = ns[0]!;
  const shards: SynthReport[] = [];
  for (let k = 1; k <= n; k++) {
    const text = readTextIfExists(join(outDir, shardReport(k, n)));
    const r = readSynthReport(text);
    if (!r) fail('KILN_E_USAGE', ['--merge'], `shard ${k} of ${n} is missing or unreadable (${shardReport(k, n)})`, `run kiln synth --shard ${k}/${n}`);
    shards.push(r);
  }
  const first = shards[0]!;
  for (const s of shards) {
    if (JSON.stringify(s.tools) !== JSON.stringify(first.tools) || s.device !== first.device || s.flow !== first.flow) fail('KILN_E_USAGE', ['--merge'], `the shards were synthesized with different tools or devices (${JSON.stringify(first.tools)} vs ${JSON.stringify(s.tools)})`);
  }
  const byUnit = new Map(shards.flatMap((s) => s.units.map((u) => [u.unit, u] as const)));
  const stale: string[] = [];
  const missing: string[] = [];
  for (const unit of allUnits) {
    const u = byUnit.get(unit);
    if (!u) missing.push(unit);
    else if (u.unitKey !== keyOf(unit, u.kind)) stale.push(unit);
  }
  if (missing.length > 0 || stale.length > 0) {
    fail('KILN_E_USAGE', ['--merge'], [missing.length > 0 ? `no shard synthesized ${missing.join(', ')}` : '', stale.length > 0 ? `the VHDL of ${stale.join(', ')} changed since its shard was synthesized` : ''].filter(Boolean).join('; '), 'synthesize the shards of the current build again, then --merge');
  }
  const { shard: _shard, ...head } = first;
  void _shard;
  const merged: SynthReport = { ...head, units: allUnits.map((u) => byUnit.get(u)!) };
  await writeFileAtomic(join(outDir, SYNTH_REPORT), JSON.stringify(merged, null, 2) + '\n');
  if (json) io.stdout(JSON.stringify(merged, null, 2) + '\n');
  else io.stderr(renderSynthTable(merged.units));
  io.stderr(`merged ${n} shard report${n === 1 ? '' : 's'} into ${relative(io.cwd, join(outDir, SYNTH_REPORT))}\n`);
  if (merged.units.some((u) => u.status === 'error')) return EXIT_ERROR;
  return merged.units.some((u) => u.status === 'mismatch') ? EXIT_FINDINGS : EXIT_OK;
}
