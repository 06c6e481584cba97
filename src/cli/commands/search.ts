import { mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { compileProject, loadProjectInputs } from '../../build/index.js';
import { readTextIfExists, writeFileAtomicSync } from '../../build/write.js';
import type { ResolvedDesign } from '../../ir/types.js';
import { hashContent } from '../../util/hash.js';
import type { SearchDocument } from '../../search/document.js';
import { resolvedSettings, type GeneSetting, type GeneValue } from '../../search/space.js';
import { applyToConfigSource } from '../../search/write.js';
import { KilnError } from '../../dsl/diagnostics.js';
import { MAX_BITS, MIN_BITS } from '../../dsl/index.js';
import { DEFAULT_EVALUATIONS, DEFAULT_OBJECTIVES, DEFAULT_SEARCH_BITS, DEFAULT_SEARCH_WINDOWS, OBJECTIVES, runSearch, setupSearch, type Objective, type SearchProgress } from '../../search/index.js';
import { renderSearchConsole, renderSearchMarkdown, searchDocument } from '../../search/document.js';
import { KILN_VERSION } from '../../version.js';
import { COMMON_OPTIONS, CONFIG_HELP, configOptions, EXIT_FINDINGS, EXIT_OK, JSON_HELP, type Command, type Io, type OptionValues } from './_shared.js';

const DEFAULT_TIME_S = 60;

export const search: Command = {
  summary: 'search per-layer widths, storage and multipliers for the Pareto front of accuracy and resources',
  usage: 'kiln search [--config PATH] [--time S] [--evaluations N] [--objectives LIST] [--bits LIST] [--windows N] [--seed N] [--out DIR] [--json]',
  details: `Searches the choices the config leaves open: every layer not pinned in \`layers:\` gets its weightBits and
outputBits from --bits, its buffer's and weights' storage, and its multiplier's mapping. Candidates are scored by
the estimator (resources, cycles) and by the integer reference model (accuracy: RMSE on the validation split of
the config's data, or without data, against the float model on synthetic windows); never by synthesis. The
result is the Pareto front of the objectives among the candidates that fit the device budget, each point a delta
from the config, written to build/search.json and build/search.md.

Options:
${CONFIG_HELP}
      --time S        stop after S seconds even if evaluations remain (default ${DEFAULT_TIME_S}); a run stopped
                      this way says so, and depends on the machine's speed
      --evaluations N accuracy evaluations to spend (default ${DEFAULT_EVALUATIONS}); with the seed, this makes the
                      search deterministic
      --objectives L  comma-separated, from ${OBJECTIVES.join(', ')} (default ${DEFAULT_OBJECTIVES.join(',')})
      --bits L        widths to choose from: a list (4,6,8) or a range (2-8); default ${DEFAULT_SEARCH_BITS[0]}-${DEFAULT_SEARCH_BITS.at(-1)}
      --windows N     held-out windows the search scores candidates on, spread over the split (default
                      ${DEFAULT_SEARCH_WINDOWS}); the front is scored again on all of them
      --seed N        random seed (default 1)
  -o, --out DIR       where search.json and search.md go (default: build/ next to the config)
      --write N       apply point N of the last search (search.json in the output folder) to the config file:
                      its layers: entries are edited in place (created when missing), comments and formatting
                      kept; a rebuild then gives the point's estimate exactly. Runs no search.
${JSON_HELP} (the search document, schema docs/search-schema.md)

Exit codes: 0 a front was found, 1 no candidate fits the budget (the blocking resources are named),
2 configuration, usage or data error.`,
  options: {
    ...COMMON_OPTIONS,
    time: { type: 'string' },
    evaluations: { type: 'string' },
    objectives: { type: 'string' },
    bits: { type: 'string' },
    seed: { type: 'string' },
    windows: { type: 'string' },
    out: { type: 'string', short: 'o' },
    write: { type: 'string' },
  },
  async run(values, io) {
    if (values.write !== undefined) return writePoint(values, io);
    const timeS = positiveNumber(values, 'time', DEFAULT_TIME_S);
    const evaluations = positiveInteger(values, 'evaluations', DEFAULT_EVALUATIONS);
    const seed = values.seed === undefined ? 1 : nonNegativeInteger(values, 'seed');
    const objectives = parseObjectives(values.objectives);
    const bits = parseBits(values.bits);
    const windows = positiveInteger(values, 'windows', DEFAULT_SEARCH_WINDOWS);
    const project = await loadProjectInputs({ cwd: io.cwd, command: 'search', ...configOptions(values), ...(typeof values.out === 'string' ? { outDir: values.out } : {}) });
    const setup = setupSearch(project.loaded.config as Parameters<typeof setupSearch>[0], project.inputs.sources, project.inputs.data?.dataset, bits, windows);
    const live = io.isTTY === true && !values.json;
    io.stderr(`kiln search: ${project.design.name} on ${project.design.device.part}: ${setup.space.precisionGenes.length} width genes, ${setup.space.genes.length - setup.space.precisionGenes.length} storage and mapping genes${setup.space.pinned.length > 0 ? `, ${setup.space.pinned.length} pinned layers kept` : ''}\n`);
    const onProgress = (p: SearchProgress) => {
      const text = `[search] ${p.phase}: ${p.evaluations}/${p.budget} evaluations${p.front > 0 ? `, front ${p.front}` : ''}`;
      if (live) io.stderr(`\r${text}\x1b[K${p.phase === 'done' ? '\n' : ''}`);
      else if (p.phase !== 'evolution') io.stderr(text + '\n');
    };
    const result = runSearch(setup, { objectives, seed, evaluations, timeLimitMs: timeS * 1000, onProgress });
    const doc = searchDocument(setup, result, { kiln: KILN_VERSION, config: relative(io.cwd, project.loaded.filepath) || project.loaded.filepath, configSha256: hashContent(project.loaded.source), bits, configured: project.estimate });
    mkdirSync(project.outDir, { recursive: true });
    writeFileAtomicSync(join(project.outDir, 'search.json'), JSON.stringify(doc, null, 2) + '\n');
    writeFileAtomicSync(join(project.outDir, 'search.md'), renderSearchMarkdown(doc));
    if (values.json) io.stdout(JSON.stringify(doc, null, 2) + '\n');
    else io.stderr(renderSearchConsole(doc));
    io.stderr(`wrote ${relative(io.cwd, join(project.outDir, 'search.json'))} and search.md\n`);
    if (doc.front.length > 0) return EXIT_OK;
    const over = result.uniform.at(-1)?.point.cost.over ?? result.base.cost.over;
    io.stderr(`kiln: no candidate fits the budget; even all layers at ${bits[0]} bits are over on ${over.map((o) => `${o.resource.toUpperCase()} by ${(o.by * 100).toFixed(1)}%`).join(', ')}\n`);
    return EXIT_FINDINGS;
  },
};

/** `--write N`: point N of the last search into the config's `layers:`, then checked by resolving the result. */
async function writePoint(values: OptionValues, io: Io): Promise<number> {
  const n = nonNegativeInteger(values, 'write');
  const project = await loadProjectInputs({ cwd: io.cwd, command: 'search', ...configOptions(values), ...(typeof values.out === 'string' ? { outDir: values.out } : {}) });
  const file = project.loaded.filepath;
  const shown = relative(io.cwd, file) || file;
  const docPath = join(project.outDir, 'search.json');
  const text = readTextIfExists(docPath);
  if (text === undefined) usage(`--write: no search to apply: ${relative(io.cwd, docPath)} does not exist`, 'run kiln search first');
  let doc: SearchDocument;
  try {
    doc = JSON.parse(text) as SearchDocument;
  } catch {
    return usage(`--write: ${relative(io.cwd, docPath)} is not JSON`, 'run kiln search again');
  }
  if (doc.schema !== 'kiln-search' || !Array.isArray(doc.front)) usage(`--write: ${relative(io.cwd, docPath)} is not a kiln search result`, 'run kiln search again');
  if (doc.configSha256 !== hashContent(project.loaded.source)) usage(`--write: ${shown} changed since the search that wrote ${relative(io.cwd, docPath)}`, 'run kiln search again, then --write');
  const point = doc.front.find((p) => p.index === n);
  if (!point) usage(`--write: the front has points 0 to ${doc.front.length - 1}, not ${n}`);
  // The settings that differ from what the config resolves to today; then, for any layer whose 'auto' choices
  // resolve differently in the edited config, those too, until a rebuild gives the point exactly.
  const edit: Record<string, Partial<Record<GeneSetting, GeneValue>>> = {};
  const add = (design: ResolvedDesign) => {
    let added = 0;
    for (const [path, settings] of Object.entries(point.settings)) {
      const node = design.layers.find((l) => l.path === path);
      if (!node) usage(`--write: the search's layer '${path}' is not in ${shown} any more`, 'run kiln search again');
      const now = resolvedSettings(node);
      for (const [k, v] of Object.entries(settings) as [GeneSetting, GeneValue][]) {
        if (now[k] !== v && edit[path]?.[k] === undefined) {
          (edit[path] ??= {})[k] = v;
          added++;
        }
      }
    }
    return added;
  };
  add(project.design);
  let check: Awaited<ReturnType<typeof compileProject>> | undefined;
  let problem: string | undefined;
  for (let round = 0; round < 4; round++) {
    writeFileAtomicSync(file, await applyToConfigSource(project.loaded.source, file, { layers: edit }));
    try {
      check = await compileProject({ cwd: io.cwd, command: 'search', hardware: false, ...configOptions(values) });
    } catch (err) {
      problem = `the edited config does not load: ${(err as Error).message}`;
      break;
    }
    const t = check.estimate.total;
    const differs = (['lut', 'ff', 'lutram', 'bram18', 'dsp', 'cycles'] as const).filter((r) => t[r] !== point[r]);
    problem = differs.length > 0 ? `the edited config estimates ${differs.map((r) => `${r} ${t[r]} (point ${point[r]})`).join(', ')}` : undefined;
    if (problem === undefined || add(check.design) === 0) break;
  }
  if (problem !== undefined) {
    writeFileAtomicSync(file, project.loaded.source);
    throw new KilnError([{ code: 'KILN_E_SEARCH_WRITE', severity: 'error', path: ['layers'], message: `--write ${n}: ${problem}; ${shown} is unchanged`, hint: 'run kiln search again; if this persists, it is a bug in kiln' }]);
  }
  const settingsWritten = Object.values(edit).reduce((k, s) => k + Object.keys(s).length, 0);
  const e = check!.estimate;
  io.stderr(`kiln search: wrote point ${n} into ${shown}: ${settingsWritten} settings in ${Object.keys(edit).length} layers. Estimate now: LUT ${e.total.lut}, FF ${e.total.ff}, BRAM18 ${e.total.bram18}, DSP ${e.total.dsp}, ${e.total.cycles} cycles${e.fits ? '' : ' (over budget)'}; RMSE ${point.rmse} (the search's).\n`);
  if (values.json) io.stdout(JSON.stringify({ schema: 'kiln-search-write', schemaVersion: 1, config: shown, point: n, layers: edit, estimate: { ...e.total, fits: e.fits } }, null, 2) + '\n');
  return EXIT_OK;
}

function usage(message: string, hint?: string): never {
  throw new KilnError([{ code: 'KILN_E_USAGE', severity: 'error', path: [], message, ...(hint ? { hint } : {}) }]);
}

function positiveNumber(values: OptionValues, name: string, fallback: number): number {
  const v = values[name];
  if (v === undefined) return fallback;
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isFinite(n) || n <= 0) usage(`--${name} must be a positive number, got ${JSON.stringify(v)}`);
  return n;
}

function positiveInteger(values: OptionValues, name: string, fallback: number): number {
  const n = positiveNumber(values, name, fallback);
  if (!Number.isInteger(n)) usage(`--${name} must be a positive integer, got ${JSON.stringify(values[name])}`);
  return n;
}

function nonNegativeInteger(values: OptionValues, name: string): number {
  const v = values[name];
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > 2 ** 32 - 1) usage(`--${name} must be an integer from 0 to ${2 ** 32 - 1}, got ${JSON.stringify(v)}`);
  return n;
}

function parseObjectives(v: OptionValues[string]): readonly Objective[] {
  if (v === undefined) return DEFAULT_OBJECTIVES;
  const list = String(v).split(',').map((s) => s.trim()).filter((s) => s !== '');
  const bad = list.filter((s) => !(OBJECTIVES as readonly string[]).includes(s));
  if (list.length === 0 || bad.length > 0) usage(`--objectives: ${list.length === 0 ? 'no objective given' : `unknown objective ${bad.map((b) => `'${b}'`).join(', ')}`}`, `objectives: ${OBJECTIVES.join(', ')}`);
  if (!list.includes('rmse')) usage('--objectives must include rmse (without it every width would be the narrowest)');
  return [...new Set(list)] as Objective[];
}

export function parseBits(v: OptionValues[string]): readonly number[] {
  if (v === undefined) return DEFAULT_SEARCH_BITS;
  const text = String(v).trim();
  const range = /^(\d+)\s*-\s*(\d+)$/.exec(text);
  const list = range ? Array.from({ length: Math.max(0, Number(range[2]) - Number(range[1]) + 1) }, (_, i) => Number(range[1]) + i) : text.split(',').map((s) => (s.trim() === '' ? NaN : Number(s)));
  if (list.length === 0 || list.some((b) => !Number.isInteger(b) || b < MIN_BITS || b > MAX_BITS)) usage(`--bits must be widths from ${MIN_BITS} to ${MAX_BITS}, as a list (4,6,8) or a range (2-8), got ${JSON.stringify(v)}`);
  return [...new Set(list)].sort((a, b) => a - b);
}
