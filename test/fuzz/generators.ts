/**
 * fast-check generators for the CLI fuzzer (test/fuzz/runner.ts, bench/fuzz.ts, test/fuzz/fuzz.test.ts).
 *
 * A case is a small project: a config as *source text* (mostly `fpga.config.mjs`, plain JavaScript, so values of
 * the wrong type reach kiln; some `.ts`, `.mts`, CommonJS `.js`, JSON and package.json "fpga" keys), the
 * commands to run on it, and what kiln should answer. The generators are black-box: the vocabularies below
 * are written out from the README rather than imported from src/, so the fuzzer checks kiln against its
 * documented contract, not against itself.
 *
 * Every generated field carries the diagnostic codes kiln must report when it is invalid (`errs`), so a case
 * knows its verdict: a valid config exits 0 or 1 on every command, an invalid one exits 2 naming at least one
 * of the expected codes, a config that never settles exits 2 with KILN_E_CONFIG_TIMEOUT. Hostile inputs whose
 * outcome the README does not pin down are `wild`: only the contract itself is checked for them (exit 0/1/2,
 * no internal error, one JSON document, nothing written on exit 2, within the time and memory limits).
 */
import fc from 'fast-check';

// ───────────────────────────── case shape ─────────────────────────────

export type Command = 'estimate' | 'build';

export interface Verdict {
  /** Exit codes the run may end with. */
  readonly exits: readonly number[];
  /** On exit 2, at least one diagnostic must carry one of these codes. */
  readonly codes?: readonly string[];
  /** On exit 2, at least one diagnostic message must match this (regular expression source). */
  readonly message?: string;
}

export interface RunSpec {
  readonly command: Command;
  readonly json: boolean;
}

export interface FuzzCase {
  /** Which generator made it: `<group>/<variant>`, e.g. `invalid/field:clockMHz`, `hostile/hang:loop-top`. */
  readonly family: string;
  /** The project's files (relative path → content); one of them is the config. */
  readonly files: Readonly<Record<string, string>>;
  /** Binary files (relative path → base64 content): weights and .npy data. */
  readonly binary?: Readonly<Record<string, string>>;
  /** The config's path in the project. */
  readonly config: string;
  /** Pass `--config <config>`; otherwise kiln finds it by searching from the project folder. */
  readonly configFlag: boolean;
  /** A valid config (its source) that is built first into the same build/ folder, to check exit 2 leaves it as it was. */
  readonly previous?: string;
  /** The commands, run one after the other in the project folder. */
  readonly runs: readonly RunSpec[];
  readonly expect: Readonly<Record<Command, Verdict>>;
}

export const OK: Verdict = { exits: [0, 1] };
export const ANY: Verdict = { exits: [0, 1, 2] };
const errors = (codes?: readonly string[], message?: string): Verdict => ({
  exits: [2],
  ...(codes && codes.length > 0 ? { codes: [...new Set(codes)].sort() } : {}),
  ...(message ? { message } : {}),
});
const TIMEOUT = errors(['KILN_E_CONFIG_TIMEOUT']);
const both = (v: Verdict): Record<Command, Verdict> => ({ estimate: v, build: v });

/** A case kiln should accept: every command is expected to exit 0 (fits) or 1 (over budget). */
/**
 * What kiln build of a valid config may do. Quantization depends on the calibration data, which kiln
 * estimate does not read: a layer whose outputs barely vary can need a requantization factor beyond its 16-bit
 * multiplier. kiln build refuses that (exit 2, "cannot quantize '<layer>'", naming the widths to change). (An
 * input of an add or a positional encoding more than 2^15 times finer than the other is not refused: its term
 * rounds to nothing and is dropped, as the integer sum drops it.) And calibrating on data reads activations × `calibrationWindows` values, which kiln
 * estimate does not count either: past its work limit kiln build refuses ("too large for kiln to generate and
 * verify here", naming the count and the limit). Those are the only refusals a valid config may get.
 */
export const VALID_BUILD: Verdict = { exits: [0, 1, 2], codes: ['KILN_E_UNSUPPORTED'], message: "cannot quantize '|too large for kiln to generate and verify here: [\\d,]+ calibration values" };

export function isValidCase(c: FuzzCase): boolean {
  return (['estimate', 'build'] as const).every((cmd) => c.expect[cmd] === VALID_BUILD || c.expect[cmd].exits.every((e) => e === 0 || e === 1));
}

// ───────────────────────────── vocabularies (from the README) ─────────────────────────────

export const DEVICES = ['xc7s6', 'xc7s15', 'xc7s25', 'xc7s50', 'xc7s75', 'xc7s100'] as const;
const RESOURCES = ['lut', 'ff', 'lutram', 'bram18', 'dsp'] as const;
const SETTINGS = ['weightBits', 'outputBits', 'buffer', 'weightStorage', 'multiplier'] as const;
type Setting = (typeof SETTINGS)[number];
const LAYER_KINDS = ['input', 'linear', 'posenc', 'matmul', 'softmax', 'add', 'batchnorm', 'layernorm', 'relu', 'avgpool'] as const;
type Kind = (typeof LAYER_KINDS)[number];
/** Which settings apply to which kind (README, "Layer settings"). */
const APPLICABLE: Record<Kind, readonly Setting[]> = {
  input: ['outputBits', 'buffer'],
  linear: SETTINGS,
  posenc: SETTINGS,
  batchnorm: SETTINGS,
  layernorm: SETTINGS,
  matmul: ['outputBits', 'buffer', 'multiplier'],
  add: ['outputBits', 'buffer', 'multiplier'],
  avgpool: ['outputBits', 'buffer', 'multiplier'],
  softmax: ['outputBits', 'buffer', 'weightStorage'],
  relu: [],
};
const ENCODER_SUBLAYERS: readonly [string, Kind | 'norm'][] = [
  ['attn.q', 'linear'],
  ['attn.k', 'linear'],
  ['attn.v', 'linear'],
  ['attn.scores', 'matmul'],
  ['attn.softmax', 'softmax'],
  ['attn.context', 'matmul'],
  ['attn.out', 'linear'],
  ['attn_add', 'add'],
  ['attn_norm', 'norm'],
  ['ffn.fc1', 'linear'],
  ['ffn.relu', 'relu'],
  ['ffn.fc2', 'linear'],
  ['ffn_add', 'add'],
  ['ffn_norm', 'norm'],
];

export interface LayerRef {
  readonly path: string;
  readonly kind: Kind;
}

function transformerPaths(encoderLayers: number, norm: 'batchnorm' | 'layernorm'): LayerRef[] {
  const out: LayerRef[] = [
    { path: 'input', kind: 'input' },
    { path: 'input_linear', kind: 'linear' },
    { path: 'posenc', kind: 'posenc' },
  ];
  for (let i = 0; i < encoderLayers; i++) {
    for (const [sub, kind] of ENCODER_SUBLAYERS) out.push({ path: `encoder.${i}.${sub}`, kind: kind === 'norm' ? norm : kind });
  }
  out.push({ path: 'pool', kind: 'avgpool' }, { path: 'output_linear', kind: 'linear' });
  return out;
}

// ───────────────────────────── source text ─────────────────────────────

/** A JavaScript literal for a plain value (NaN, ±Infinity, -0 and undefined included). */
export function lit(v: unknown): string {
  if (v === undefined) return 'undefined';
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return 'NaN';
    if (v === Infinity) return 'Infinity';
    if (v === -Infinity) return '-Infinity';
    if (Object.is(v, -0)) return '-0';
    return String(v);
  }
  if (typeof v === 'string') return quote(v);
  if (typeof v === 'boolean' || v === null) return String(v);
  if (Array.isArray(v)) return `[${v.map(lit).join(', ')}]`;
  if (typeof v === 'object') return obj(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, lit(x)]));
  throw new Error(`lit: cannot render ${typeof v}`);
}

function quote(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
}

function key(k: string): string {
  return /^[A-Za-z_$][A-Za-z0-9_$]*$/.test(k) ? k : quote(k);
}

/** An object literal from [key, code] entries. */
export function obj(entries: readonly (readonly [string, string])[]): string {
  if (entries.length === 0) return '{}';
  return `{ ${entries.map(([k, c]) => `${key(k)}: ${c}`).join(', ')} }`;
}

/** A piece of config source and what kiln must say about it. */
interface Part {
  readonly code: string;
  /** Diagnostic codes kiln must report (any one of them); empty when the piece is valid. */
  readonly errs: readonly string[];
  /** Its outcome is not predicted (only the contract is checked). */
  readonly wild?: boolean;
  /** Files it names (weights, data), written next to the config: text, and binary as base64. */
  readonly files?: Readonly<Record<string, string>>;
  readonly binary?: Readonly<Record<string, string>>;
  /** Problems only kiln build sees (it reads the files; estimate does not): build must exit 2 with one of these. */
  readonly buildErrs?: readonly string[];
  /** kiln build may accept the files or refuse them (exit 2 with KILN_E_DATA or KILN_E_WEIGHTS). */
  readonly buildWild?: boolean;
}
/** The code of a field left out of the config (its absence is what is wrong). */
const OMITTED = '';
const good = (code: string): Part => ({ code, errs: [] });
const bad = (code: string, ...errs: string[]): Part => ({ code, errs });

const pct = (share: number) => fc.integer({ min: 0, max: 99 }).map((n) => n < share);
const pick = <T>(xs: readonly T[], n: number): T => xs[n % xs.length]!;

// ───────────────────────────── top-level fields ─────────────────────────────

type Mode = 'valid' | 'invalid';

const deviceArb = (mode: Mode): fc.Arbitrary<Part | undefined> =>
  mode === 'valid'
    ? fc.oneof({ arbitrary: fc.constantFrom(...DEVICES), weight: 9 }, { arbitrary: fc.constantFrom('XC7S15', 'Xc7s25'), weight: 1 }).map((d) => good(lit(d)))
    : fc.oneof(
        fc.constant(bad(OMITTED, 'KILN_E_MISSING')),
        fc
          .constantFrom<unknown>('xc7s16', 'xc7s1', 'xc7a35t', '', ' xc7s15', 'spartan7', 'xc7s15ftgb196-2', 'constructor', '__proto__', 'toString', 15, 0, null, true, [], {}, ['xc7s15'])
          .map((d) => bad(lit(d), 'KILN_E_UNKNOWN_DEVICE')),
      );

const clockArb = (mode: Mode): fc.Arbitrary<Part | undefined> =>
  mode === 'valid'
    ? fc.option(
        fc.oneof(fc.integer({ min: 1, max: 1000 }), fc.double({ min: 0.001, max: 1000, noNaN: true }), fc.constantFrom(1000, 0.5, 100)).map((v) => good(lit(v))),
        { nil: undefined, freq: 2 },
      )
    : fc.constantFrom<unknown>(0, -0, -1, -100, 1000.001, 1001, 1e9, NaN, Infinity, -Infinity, '100', null, [], {}, true).map((v) => bad(lit(v), 'KILN_E_RANGE'));

const fraction = fc.oneof(fc.double({ min: 0, max: 1, minExcluded: true, noNaN: true }), fc.constantFrom(1, 0.5, 0.25, 1e-9));

const budgetArb = (mode: Mode): fc.Arbitrary<Part | undefined> =>
  mode === 'valid'
    ? fc.option(
        fc.oneof(
          fraction.map((f) => good(lit(f))),
          fc.subarray([...RESOURCES]).chain((keys) => fc.tuple(...keys.map(() => fraction)).map((fs) => good(obj(keys.map((k, i) => [k, lit(fs[i])]))))),
        ),
        { nil: undefined, freq: 2 },
      )
    : fc.oneof(
        fc.constantFrom<unknown>(0, -0.5, 1.01, 50, 100, NaN, Infinity).map((v) => bad(lit(v), 'KILN_E_BUDGET')),
        fc.constantFrom<unknown>('0.5', null, [], true, [0.5]).map((v) => bad(lit(v), 'KILN_E_TYPE')),
        fc
          .tuple(fc.constantFrom(...RESOURCES), fc.constantFrom<unknown>(0, 2, -1, NaN, '1', null, true))
          .map(([r, v]) => bad(obj([[r, lit(v)]]), 'KILN_E_BUDGET')),
        fc
          .tuple(fc.constantFrom('luts', 'bram', 'DSP', 'uram', 'LUT', 'ffs', 'brams'), fraction)
          .map(([r, v]) => bad(obj([[r, lit(v)]]), 'KILN_E_UNKNOWN_KEY')),
      );

const weightsArb = (mode: Mode): fc.Arbitrary<Part | undefined> =>
  mode === 'valid'
    ? fc.option(
        fc.oneof(
          fc.constant(good('{}')),
          fc.oneof(fc.nat(), fc.constantFrom(0, 1, 2 ** 31, Number.MAX_SAFE_INTEGER)).map((s) => good(obj([['seed', lit(s)]]))),
        ),
        { nil: undefined, freq: 3 },
      )
    : fc.oneof(
        fc.constantFrom<unknown>(-1, 1.5, '1', 2 ** 53, NaN, null, Infinity, true).map((s) => bad(obj([['seed', lit(s)]]), 'KILN_E_RANGE')),
        fc.constantFrom('sed', 'Seed', 'seeds', 'init', 'random').map((k) => bad(obj([[k, '1']]), 'KILN_E_UNKNOWN_KEY')),
        fc.constantFrom<unknown>(5, null, [], 'seed').map((v) => bad(lit(v), 'KILN_E_TYPE')),
      );

const VALID_VALUE: Record<Setting, fc.Arbitrary<unknown>> = {
  weightBits: fc.integer({ min: 2, max: 16 }),
  outputBits: fc.integer({ min: 2, max: 16 }),
  buffer: fc.constantFrom('bram', 'lutram', 'registers', 'auto'),
  weightStorage: fc.constantFrom('bram', 'lutram', 'logic', 'auto'),
  multiplier: fc.constantFrom('dsp', 'lut', 'auto'),
};
const BAD_BITS = fc.constantFrom<unknown>(0, 1, 17, 32, -8, 8.5, '8', null, NaN, true, [8]);
const BAD_VALUE: Record<Setting, readonly [fc.Arbitrary<unknown>, string]> = {
  weightBits: [BAD_BITS, 'KILN_E_BITS'],
  outputBits: [BAD_BITS, 'KILN_E_BITS'],
  buffer: [fc.constantFrom<unknown>('BRAM', 'dram', 'register', 'logic', 'distributed', '', 1, null, true, ['bram']), 'KILN_E_STORAGE'],
  weightStorage: [fc.constantFrom<unknown>('registers', 'rom', 'uram', 'Logic', '', 0, null), 'KILN_E_STORAGE'],
  multiplier: [fc.constantFrom<unknown>('dsp48', 'DSP', 'lut6', 'fabric', '', 2, null, false), 'KILN_E_MULTIPLIER'],
};
const MISSPELLED_SETTINGS = ['weightbits', 'WeightBits', 'outputBit', 'bits', 'width', 'storage', 'bufer', 'weight_storage', 'mult', 'multipliers', 'dsp'];

/** Layer settings restricted to `allowed` keys, every value valid, as data. */
function validSettingsValue(allowed: readonly Setting[]): fc.Arbitrary<Record<string, unknown>> {
  return fc
    .subarray([...allowed], { maxLength: Math.min(3, allowed.length) })
    .chain((keys) => fc.tuple(...keys.map((k) => VALID_VALUE[k])).map((values) => Object.fromEntries(keys.map((k, i) => [k, values[i]]))));
}

/** Layer settings restricted to `allowed` keys, every value valid. */
function validSettings(allowed: readonly Setting[]): fc.Arbitrary<Part> {
  return validSettingsValue(allowed).map((v) => good(lit(v)));
}

/**
 * Layer settings with one problem: a bad value, a misspelled key, a setting that does not apply (when the level
 * checks applicability), or not an object at all.
 */
function invalidSettings(allowed: readonly Setting[], checksApplicable: boolean): fc.Arbitrary<Part> {
  const notApplicable = SETTINGS.filter((s) => !allowed.includes(s));
  const withValid = (entry: fc.Arbitrary<readonly [string, string]>, code: string) =>
    fc.tuple(entry, fc.subarray([...allowed], { maxLength: Math.min(2, allowed.length) })).chain(([e, others]) =>
      fc
        .tuple(...others.filter((o) => o !== e[0]).map((o) => VALID_VALUE[o].map((v) => [o, lit(v)] as const)))
        .chain((rest) => fc.nat(rest.length).map((at) => bad(obj([...rest.slice(0, at), e, ...rest.slice(at)]), code))),
    );
  const variants: fc.Arbitrary<Part>[] = [
    fc.constantFrom(...SETTINGS).chain((s) => withValid(BAD_VALUE[s][0].map((v) => [s, lit(v)] as const), BAD_VALUE[s][1])),
    withValid(fc.tuple(fc.constantFrom(...MISSPELLED_SETTINGS), fc.integer({ min: 2, max: 16 })).map(([k, v]) => [k, lit(v)] as const), 'KILN_E_UNKNOWN_KEY'),
    fc.constantFrom<unknown>(8, 'bram', null, [], true, [{ weightBits: 4 }]).map((v) => bad(lit(v), 'KILN_E_TYPE')),
  ];
  if (checksApplicable && notApplicable.length > 0) {
    variants.push(fc.constantFrom(...notApplicable).chain((s) => withValid(VALID_VALUE[s].map((v) => [s, lit(v)] as const), 'KILN_E_NOT_APPLICABLE')));
  }
  return fc.oneof(...variants);
}

const defaultsArb = (mode: Mode): fc.Arbitrary<Part | undefined> =>
  mode === 'valid' ? fc.option(validSettings(SETTINGS), { nil: undefined, freq: 2 }) : invalidSettings(SETTINGS, false);

function kindsEntries(kinds: readonly Kind[]): fc.Arbitrary<(readonly [string, Part])[]> {
  return fc.tuple(...kinds.map((k) => validSettings(APPLICABLE[k]).map((p) => [k, p] as const)));
}

const kindsArb = (mode: Mode): fc.Arbitrary<Part | undefined> => {
  const join = (entries: readonly (readonly [string, Part])[]): Part => ({
    code: obj(entries.map(([k, p]) => [k, p.code])),
    errs: entries.flatMap(([, p]) => p.errs),
  });
  if (mode === 'valid') {
    return fc.option(fc.subarray([...LAYER_KINDS], { maxLength: 4 }).chain(kindsEntries).map(join), { nil: undefined, freq: 2 });
  }
  return fc.oneof(
    fc
      .tuple(fc.subarray([...LAYER_KINDS], { maxLength: 2 }).chain(kindsEntries), fc.constantFrom('linaer', 'Linear', 'attention', 'conv', 'dense', 'norm', 'mlp', 'softmaxx'), validSettings(SETTINGS))
      .map(([entries, k, s]) => join([...entries, [k, bad(s.code, 'KILN_E_UNKNOWN_KIND')]])),
    fc
      .constantFrom(...LAYER_KINDS)
      .chain((k) => invalidSettings(APPLICABLE[k], true).map((s) => join([[k, s]]))),
    fc.constantFrom<unknown>(null, [], 'linear', 3).map((v) => bad(lit(v), 'KILN_E_TYPE')),
  );
};

/** A path one edit away from a real one and not itself a path of the model. */
function misspell(paths: readonly LayerRef[]): fc.Arbitrary<string> {
  const taken = new Set(paths.map((p) => p.path));
  return fc.tuple(fc.nat(), fc.nat(), fc.nat(8)).map(([pi, at, edit]) => {
    const p = pick(paths, pi).path;
    const i = at % p.length;
    let s: string;
    switch (edit) {
      case 0: s = p.slice(0, i) + p.slice(i + 1); break; // drop a character
      case 1: s = p.slice(0, i) + p[i] + p.slice(i); break; // double one
      case 2: s = i + 1 < p.length ? p.slice(0, i) + p[i + 1] + p[i] + p.slice(i + 2) : `${p}s`; break; // swap two
      case 3: s = p.slice(0, i) + p[i]!.toUpperCase() + p.slice(i + 1); break; // wrong case
      case 4: s = p.replace(/\./g, '_'); break; // dots as underscores
      case 5: s = p.replace(/\d+/, (d) => String(Number(d) + 1)); break; // an encoder layer that does not exist
      case 6: s = `${p}s`; break;
      case 7: s = `model.${p}`; break;
      default: s = ` ${p}`;
    }
    while (taken.has(s)) s = `${s}x`;
    return s;
  });
}

const layersArb = (mode: Mode, paths: readonly LayerRef[]): fc.Arbitrary<Part | undefined> => {
  const join = (entries: readonly (readonly [string, Part])[]): Part => ({
    code: obj(entries.map(([k, p]) => [k, p.code])),
    errs: entries.flatMap(([, p]) => p.errs),
  });
  const validEntries = fc
    .uniqueArray(fc.constantFrom(...paths), { maxLength: 5, selector: (l) => l.path })
    .chain((ls) => fc.tuple(...ls.map((l) => validSettings(APPLICABLE[l.kind]).map((p) => [l.path, p] as const))));
  if (mode === 'valid') return fc.option(validEntries.map(join), { nil: undefined, freq: 2 });
  return fc.oneof(
    fc.tuple(validEntries, misspell(paths), validSettings(SETTINGS)).map(([entries, p, s]) => join([...entries, [p, bad(s.code, 'KILN_E_UNKNOWN_LAYER')]])),
    fc.constantFrom(...paths).chain((l) => invalidSettings(APPLICABLE[l.kind], true).map((s) => join([[l.path, s]]))),
    fc.constantFrom<unknown>(null, [], 'encoder.0.ffn.fc1', 1).map((v) => bad(lit(v), 'KILN_E_TYPE')),
  );
};

const UNKNOWN_TOP_KEYS = ['devce', 'Device', 'clock', 'clockMhz', 'clockMHZ', 'layer', 'kind', 'weight', 'models', 'budgets', 'default', 'precision', 'target', 'constructor', 'toString', 'hasOwnProperty', 'seed'];

// ───────────────────────────── models ─────────────────────────────

/** A model expression and what kiln should make of it. */
export interface ModelPart extends Part {
  /** Its layers (what `layers:` keys may name). */
  readonly paths: readonly LayerRef[];
  /** Input window, features per step and outputs, when known (to generate data files that fit). */
  readonly dims?: Dims;
  /** kiln build refuses it (a buffer read twice): build exits 2 with KILN_E_UNSUPPORTED, estimate 0 or 1. */
  readonly unbuildable?: boolean;
  /** Too large to promise a build: build may exit 2 with KILN_E_UNSUPPORTED. */
  readonly big?: boolean;
}

interface TOptions {
  window?: unknown;
  inputFeatures?: unknown;
  dModel?: unknown;
  heads?: unknown;
  ffnDim?: unknown;
  encoderLayers?: unknown;
  outputs?: unknown;
  norm?: unknown;
  name?: unknown;
}

const divisors = (n: number) => Array.from({ length: n }, (_, i) => i + 1).filter((d) => n % d === 0);

const SAFE_MODEL_NAMES = ['transformer', 'tf', 'forecaster', 'Net2', 'tiny_tf', 'model', 'mlp', 'Attn'];

const transformerOptions = fc
  .record({
    window: fc.integer({ min: 1, max: 12 }),
    inputFeatures: fc.integer({ min: 1, max: 6 }),
    dModel: fc.constantFrom(1, 2, 3, 4, 6, 8, 12, 16),
    heads: fc.nat(),
    headsGiven: fc.boolean(),
    ffnDim: fc.option(fc.integer({ min: 1, max: 32 }), { nil: undefined }),
    encoderLayers: fc.option(fc.constantFrom(1, 1, 1, 2), { nil: undefined }),
    outputs: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
    norm: fc.option(fc.constantFrom('batchnorm', 'layernorm'), { nil: undefined }),
    name: fc.option(fc.constantFrom(...SAFE_MODEL_NAMES), { nil: undefined, freq: 3 }),
  })
  .map((o): TOptions => {
    const out: TOptions = { window: o.window, inputFeatures: o.inputFeatures, dModel: o.dModel };
    if (o.headsGiven) out.heads = pick(divisors(o.dModel), o.heads);
    for (const k of ['ffnDim', 'encoderLayers', 'outputs', 'norm', 'name'] as const) if (o[k] !== undefined) out[k] = o[k];
    return out;
  });

function renderTransformer(o: TOptions, extra: readonly (readonly [string, string])[] = []): string {
  return `transformer(${obj([...Object.entries(o).map(([k, v]) => [k, lit(v)] as const), ...extra])})`;
}

function transformerPart(o: TOptions, errs: string[] = [], code = renderTransformer(o)): ModelPart {
  const layers = typeof o.encoderLayers === 'number' && Number.isInteger(o.encoderLayers) && o.encoderLayers >= 1 ? Math.min(o.encoderLayers, 64) : 1;
  const dims = typeof o.window === 'number' && typeof o.inputFeatures === 'number' ? { window: o.window, features: o.inputFeatures, outputs: typeof o.outputs === 'number' ? o.outputs : 1 } : undefined;
  return { code, errs, paths: transformerPaths(layers, o.norm === 'layernorm' ? 'layernorm' : 'batchnorm'), ...(dims ? { dims } : {}) };
}

const validTransformer: fc.Arbitrary<ModelPart> = fc.tuple(transformerOptions, pct(10)).map(([o, dataForm]) =>
  // The data-only form `{ transformer: {...} }` (for JSON configs) is accepted in any config.
  dataForm ? transformerPart(o, [], obj([['transformer', lit(o)]])) : transformerPart(o),
);

const REQUIRED_T = ['window', 'inputFeatures', 'dModel'] as const;
const INT_T = ['window', 'inputFeatures', 'dModel', 'ffnDim', 'encoderLayers', 'outputs'] as const;

/** transformer() with one bad option. */
const invalidTransformer: fc.Arbitrary<{ family: string; model: ModelPart }> = fc
  .tuple(transformerOptions, fc.nat(), fc.nat(), fc.nat())
  .map(([o, which, a, b]) => {
    const m = { ...o };
    const variants = ['int', 'missing', 'heads', 'unknown-option', 'norm', 'name', 'name-clash', 'name-kiln-entity', 'options-type'] as const;
    const variant = pick(variants, which);
    const model = ((): ModelPart => {
      switch (variant) {
        case 'int': {
          const k = pick(INT_T, a);
          const v = pick<unknown>([0, -1, -16, 1.5, '8', NaN, Infinity, true, [4], {}, null], b);
          m[k] = v;
          // null falls back to the default for optional options; for required ones it is missing.
          const errs = v === null ? ((REQUIRED_T as readonly string[]).includes(k) ? ['KILN_E_MISSING'] : []) : ['KILN_E_RANGE'];
          return transformerPart(m, errs);
        }
        case 'missing':
          delete m[pick(REQUIRED_T, a)];
          return transformerPart(m, ['KILN_E_MISSING']);
        case 'heads': {
          const d = m.dModel as number;
          const candidates = Array.from({ length: d + 6 }, (_, i) => i + 2).filter((h) => d % h !== 0);
          m.heads = pick(candidates, a);
          return transformerPart(m, ['KILN_E_RANGE']);
        }
        case 'unknown-option':
          return transformerPart(m, ['KILN_E_UNKNOWN_KEY'], renderTransformer(m, [[pick(['layers', 'dmodel', 'head', 'ffn_dim', 'dropout', 'numLayers', 'features', 'inputs'], a), lit(pick([1, 'x', true], b))]]));
        case 'norm':
          m.norm = pick<unknown>(['rmsnorm', 'BatchNorm', 'layer', 1, true, ''], a);
          return transformerPart(m, ['KILN_E_TYPE']);
        case 'name':
          m.name = pick<unknown>(['1tf', 'my-model', 'a__b', 'tf_', 'entity', 'signal', 'module', 'wire', '', 'a.b', 42], a);
          return transformerPart(m, ['KILN_E_GRAPH']);
        case 'name-clash':
          m.name = pick(['pool', 'posenc', 'input_linear', 'output_linear', 'input_buffer', 'Pool', 'encoder_0_ffn_fc1', 'encoder_0_attn_q'], a);
          return transformerPart(m, ['KILN_E_GRAPH']);
        case 'name-kiln-entity':
          // The top level would share its name with kiln's arithmetic package or a layer's testbench.
          m.name = pick(['kiln_arith', 'Kiln_Arith', 'pool_tb', 'input_linear_tb', 'posenc_tb', 'input_buffer_tb', 'output_linear_tb'], a);
          return transformerPart(m, ['KILN_E_GRAPH']);
        case 'options-type': {
          const [code, err] = pick<readonly [string, string]>([['transformer()', 'KILN_E_TYPE'], ['transformer(null)', 'KILN_E_TYPE'], ['transformer(42)', 'KILN_E_TYPE'], ["transformer('big')", 'KILN_E_TYPE'], ['transformer([])', 'KILN_E_MISSING']], a);
          return { ...transformerPart({}, [err], code) };
        }
      }
    })();
    return { family: `transformer:${variant}`, model };
  });

/** Extreme sizes: estimate must answer (exit 0 or 1) in seconds; build may say it is too large (exit 2). */
const extremeTransformer: fc.Arbitrary<{ family: string; model: ModelPart }> = fc
  .record({
    window: fc.oneof(fc.integer({ min: 1, max: 100_000 }), fc.constantFrom(1, 24, 1000, 100_000)),
    inputFeatures: fc.oneof(fc.integer({ min: 1, max: 4096 }), fc.constant(7)),
    dModel: fc.oneof(fc.constantFrom(1, 16, 64, 256, 1024, 4096, 65536), fc.integer({ min: 1, max: 65536 })),
    heads: fc.nat(),
    headsMode: fc.constantFrom('omit', 'divisor', 'divisor', 'nondivisor'),
    ffnDim: fc.option(fc.integer({ min: 1, max: 262_144 }), { nil: undefined }),
    encoderLayers: fc.oneof(fc.integer({ min: 1, max: 64 }), fc.constantFrom(1, 8, 64)),
    outputs: fc.option(fc.integer({ min: 1, max: 1000 }), { nil: undefined }),
    norm: fc.option(fc.constantFrom('batchnorm', 'layernorm'), { nil: undefined }),
  })
  .map((r) => {
    const o: TOptions = { window: r.window, inputFeatures: r.inputFeatures, dModel: r.dModel, encoderLayers: r.encoderLayers };
    let errs: string[] = [];
    if (r.headsMode === 'divisor') o.heads = pick(divisors(r.dModel), r.heads);
    if (r.headsMode === 'nondivisor') {
      const h = 2 + (r.heads % 64);
      o.heads = h;
      if (r.dModel % h !== 0) errs = ['KILN_E_RANGE'];
    }
    if (r.ffnDim !== undefined) o.ffnDim = r.ffnDim;
    if (r.outputs !== undefined) o.outputs = r.outputs;
    if (r.norm !== undefined) o.norm = r.norm;
    const family = `transformer:extreme${errs.length > 0 ? '-heads' : ''}`;
    return { family, model: { ...transformerPart(o, errs), big: true } };
  });

// ── graph() ──

interface Tensor {
  /** JavaScript variable holding it in the recipe. */
  readonly v: string;
  readonly shape: readonly number[];
}

interface Stmt {
  v: string;
  method: string;
  /** Source of the name argument (a string literal, or something else for a bad name). */
  name: string;
  /** The name as a string, when it is one. */
  path: string;
  args: string[];
  kind: Kind;
}

/** Shape-tracking writer of a graph recipe; every layer it adds is used by the next, so all reach the output. */
class Recipe {
  readonly stmts: Stmt[] = [];
  readonly history: Tensor[] = [];
  #n = 0;
  /** A buffer read twice by one layer (add(x, x), matmul(q, q)): kiln build refuses it. */
  sameOperand = false;

  constructor(
    readonly prefixes: readonly string[],
    readonly input: Tensor,
  ) {}

  fresh(hint: number): string {
    this.#n++;
    return `${pick(this.prefixes, hint + this.#n)}${this.#n}`;
  }

  add(method: string, kind: Kind, args: string[], shape: readonly number[], hint = 0): Tensor {
    const path = this.fresh(hint);
    const v = `t${this.stmts.length + 1}`;
    this.stmts.push({ v, method, name: quote(path), path, args, kind });
    return { v, shape };
  }
}

const PREFIX_SETS: readonly (readonly string[])[] = [
  ['l'],
  ['fc', 'act', 'norm'],
  ['dense_', 'blk.', 'proj'],
  ['Enc.0.ffn', 'stage_', 'layer.a'],
  ['x'],
];

interface GraphSize {
  window: fc.Arbitrary<number>;
  features: fc.Arbitrary<number>;
  width: fc.Arbitrary<number>;
  steps: number;
}
const SMALL: GraphSize = { window: fc.integer({ min: 1, max: 12 }), features: fc.integer({ min: 1, max: 8 }), width: fc.integer({ min: 1, max: 16 }), steps: 7 };
const HUGE: GraphSize = {
  window: fc.oneof(fc.integer({ min: 1, max: 100_000 }), fc.constantFrom(1, 100_000)),
  features: fc.oneof(fc.integer({ min: 1, max: 4096 }), fc.constant(1)),
  width: fc.oneof(fc.integer({ min: 1, max: 65536 }), fc.integer({ min: 1, max: 64 })),
  steps: 4,
};

const OPS = ['linear', 'linear', 'relu', 'posenc', 'batchnorm', 'layernorm', 'softmax', 'avgpool', 'residual', 'branch', 'attention', 'attention', 'self-add', 'self-scores'] as const;
type Op = (typeof OPS)[number];

interface Step {
  op: Op;
  width: number;
  heads: number;
  dHead: number;
  variant: number;
  n: number;
}

const stepArb = (size: GraphSize): fc.Arbitrary<Step> =>
  fc.record({
    op: fc.constantFrom<Op>(...OPS),
    width: size.width,
    heads: fc.integer({ min: 1, max: 4 }),
    dHead: fc.integer({ min: 1, max: 4 }),
    variant: fc.nat(7),
    n: fc.nat(),
  });

interface GraphDraft {
  recipe: Recipe;
  out: Tensor;
  window: number;
  features: number;
  name: string | undefined;
}

const graphDraft = (size: GraphSize): fc.Arbitrary<GraphDraft> =>
  fc
    .record({
      window: size.window,
      features: size.features,
      prefixes: fc.constantFrom(...PREFIX_SETS),
      steps: fc.array(stepArb(size), { minLength: 1, maxLength: size.steps }),
      name: fc.option(fc.constantFrom('mlp', 'Net', 'tiny_tf', 'forecaster', 'classifier', 'model'), { nil: undefined }),
      head: fc.boolean(),
      rare: pct(15),
    })
    .map((g) => {
      const r = new Recipe(g.prefixes, { v: 'x', shape: [g.window, g.features] });
      let cur: Tensor = r.input;
      const twoD = (t: Tensor) => t.shape.length === 2;
      const linear = (t: Tensor, out: number, s: Step, bias?: boolean) =>
        r.add('linear', 'linear', [t.v, bias === undefined ? obj([['out', lit(out)]]) : obj([['out', lit(out)], ['bias', lit(bias)]])], [t.shape[0]!, out], s.n);
      for (const s of g.steps) {
        const [rows, cols] = cur.shape as [number, number];
        switch (s.op) {
          case 'linear':
            cur = linear(cur, s.width, s, s.variant === 0 ? false : s.variant === 1 ? true : undefined);
            break;
          case 'relu':
            cur = r.add('relu', 'relu', [cur.v], cur.shape, s.n);
            break;
          case 'posenc':
          case 'batchnorm':
          case 'layernorm':
          case 'softmax':
          case 'avgpool':
            cur = r.add(s.op, s.op, [cur.v], s.op === 'avgpool' ? [1, cols] : cur.shape, s.n);
            break;
          case 'residual': {
            const earlier = r.history.filter((h) => h.v !== cur.v && h.shape[0] === rows && h.shape[1] === cols);
            const other = earlier.length > 0 && s.variant % 2 === 0 ? pick(earlier, s.n) : linear(cur, cols, s);
            cur = r.add('add', 'add', s.variant % 3 === 0 ? [other.v, cur.v] : [cur.v, other.v], cur.shape, s.n);
            break;
          }
          case 'branch': {
            const b1 = linear(cur, s.width, s);
            const l2 = linear(cur, s.width, s);
            const b2 = s.variant % 2 === 0 ? r.add('relu', 'relu', [l2.v], l2.shape, s.n) : r.add('layernorm', 'layernorm', [l2.v], l2.shape, s.n);
            cur = r.add('add', 'add', [b1.v, b2.v], b1.shape, s.n);
            break;
          }
          case 'attention':
          case 'self-scores': {
            const heads = s.heads;
            const d = heads * s.dHead;
            const others = r.history.filter((h) => twoD(h) && h.v !== cur.v);
            const src = s.variant === 7 && others.length > 0 ? pick(others, s.n) : cur; // cross-attention
            const q = linear(cur, d, s);
            const k = s.op === 'self-scores' && g.rare ? q : linear(src, d, s);
            if (k === q) r.sameOperand = true;
            // (values have as many rows as the keys: from the query's source when the keys are the queries)
            const v = linear(k === q ? cur : src, heads * (1 + (s.n % 3)), s);
            const headsOpt: [string, string][] = heads === 1 && s.variant % 2 === 0 ? [] : [['heads', lit(heads)]];
            const scores = r.add('matmul', 'matmul', [q.v, k.v, obj([['mode', "'scores'"], ...headsOpt])], [heads, q.shape[0]!, k.shape[0]!], s.n);
            let w: Tensor = scores;
            const mid = s.variant % 4;
            if (mid === 0 || mid === 3) w = r.add('softmax', 'softmax', [w.v], w.shape, s.n);
            if (mid === 1 || mid === 3) w = r.add('relu', 'relu', [w.v], w.shape, s.n);
            cur = r.add('matmul', 'matmul', [w.v, v.v, obj([['mode', "'context'"], ...headsOpt])], [q.shape[0]!, v.shape[1]!], s.n);
            if (s.variant >= 4) cur = linear(cur, s.width, s);
            break;
          }
          case 'self-add':
            if (g.rare) {
              r.sameOperand = true;
              cur = r.add('add', 'add', [cur.v, cur.v], cur.shape, s.n);
            } else cur = r.add('relu', 'relu', [cur.v], cur.shape, s.n);
            break;
        }
        r.history.push(cur);
      }
      if (g.head) cur = linear(r.add('avgpool', 'avgpool', [cur.v], [1, cur.shape[1]!]), 1, g.steps[0]!);
      return { recipe: r, out: cur, window: g.window, features: g.features, name: g.name };
    });

function renderGraph(d: GraphDraft, o: { window?: string; features?: string; name?: string; options?: string; body?: string[]; ret?: string; recipe?: string } = {}): string {
  const options =
    o.options ??
    obj([
      ['window', o.window ?? lit(d.window)],
      ['features', o.features ?? lit(d.features)],
      ...(o.name !== undefined ? [['name', o.name] as const] : d.name !== undefined ? [['name', lit(d.name)] as const] : []),
    ]);
  if (o.recipe !== undefined) return `graph(${options}, ${o.recipe})`;
  const lines = d.recipe.stmts.map((s) => `  const ${s.v} = g.${s.method}(${[s.name, ...s.args].join(', ')});`);
  return `graph(${options}, (g, x) => {\n${[...lines, ...(o.body ?? []), `  return ${o.ret ?? d.out.v};`].join('\n')}\n})`;
}

function graphPaths(d: GraphDraft): LayerRef[] {
  return [{ path: 'input', kind: 'input' }, ...d.recipe.stmts.map((s) => ({ path: s.path, kind: s.kind }))];
}

const validGraph = (size: GraphSize): fc.Arbitrary<ModelPart> =>
  graphDraft(size).map((d) => ({
    code: renderGraph(d),
    errs: [],
    paths: graphPaths(d),
    dims: { window: d.window, features: d.features, outputs: d.out.shape.reduce((a, b) => a * b, 1) },
    ...(d.recipe.sameOperand ? { unbuildable: true } : {}),
    ...(size === HUGE ? { big: true } : {}),
  }));

const GRAPH_MUTATIONS = [
  'dup-name', 'input-name', 'bad-name', 'reserved', 'underscores', 'kiln-entity', 'vhdl-collision', 'shape-add', 'shape-3d', 'shape-context',
  'shape-scores', 'shape-heads', 'heads-mismatch', 'linear-out', 'linear-no-options', 'matmul-mode', 'matmul-heads', 'dead-layer', 'return',
  'operand', 'operand-forged', 'input-size', 'model-name', 'recipe-throws', 'recipe-not-function', 'options-type', 'linear-bias',
] as const;

/** A graph() model with one mistake. */
const invalidGraph: fc.Arbitrary<{ family: string; model: ModelPart }> = fc
  .tuple(graphDraft(SMALL), fc.constantFrom(...GRAPH_MUTATIONS), fc.nat(), fc.nat())
  .map(([d, mutation, a, b]) => {
    const stmts = d.recipe.stmts;
    const k = a % stmts.length;
    const target = stmts[k]!;
    const modelName = d.name ?? 'model';
    const vhdl = (p: string) => (p === 'input' ? 'input_buffer' : p.replace(/\./g, '_').toLowerCase());
    const rename = (name: string) => {
      target.name = quote(name);
      target.path = name;
    };
    const cur = d.out;
    const fresh = (i: number) => `zz${i}`;
    let errs: string[] = [];
    let wild = false;
    let code: string | undefined;
    let unbuildable = d.recipe.sameOperand;
    switch (mutation) {
      case 'dup-name':
        rename(k > 0 ? stmts[b % k]!.path : 'input');
        errs = ['KILN_E_GRAPH'];
        break;
      case 'input-name':
        rename('input');
        errs = ['KILN_E_GRAPH'];
        break;
      case 'bad-name': {
        const names = ["'1fc'", "'fc-1'", "''", "'fc..1'", "'_fc'", "'a b'", "'fc.'", "'.fc'", "'f\u00e9'", '42', 'null', 'undefined', "'fc\\n1'"];
        target.name = pick(names, b);
        errs = ['KILN_E_GRAPH'];
        break;
      }
      case 'reserved':
        rename(pick(['signal', 'entity', 'module', 'wire', 'begin', 'process', 'reg', 'Input', 'OUT', 'logic', 'integer', 'Architecture'], b));
        errs = ['KILN_E_GRAPH'];
        break;
      case 'underscores':
        rename(pick(['fc_', 'a__b', 'a._b', 'blk_.x', 'x.y_'], b));
        errs = ['KILN_E_GRAPH'];
        break;
      case 'kiln-entity': {
        const others = stmts.filter((s) => s !== target).map((s) => vhdl(s.path));
        rename(pick(['kiln_arith', 'KILN_ARITH', 'input_buffer', modelName, `${modelName}_tb`, `${pick(['input_buffer', ...others], b)}_tb`, 'stage', 'Stage'], b));
        errs = ['KILN_E_GRAPH'];
        break;
      }
      case 'vhdl-collision': {
        if (stmts.length < 2) {
          rename('input_buffer');
        } else {
          const other = stmts[(k + 1 + (b % (stmts.length - 1))) % stmts.length]!.path;
          rename(other.includes('.') ? other.replace(/\./g, '_') : other[0] === other[0]!.toUpperCase() ? other[0]!.toLowerCase() + other.slice(1) : other[0]!.toUpperCase() + other.slice(1));
        }
        errs = ['KILN_E_GRAPH'];
        break;
      }
      case 'shape-add':
        code = renderGraph(d, { body: [`  const w1 = g.linear('${fresh(1)}', ${cur.v}, { out: ${cur.shape[1]! + 1} });`, `  const w2 = g.add('${fresh(2)}', ${cur.v}, w1);`], ret: 'w2' });
        errs = ['KILN_E_SHAPE'];
        break;
      case 'shape-3d': {
        const op = pick(['linear', 'batchnorm', 'layernorm', 'posenc', 'avgpool'], b);
        const args = op === 'linear' ? ', { out: 2 }' : '';
        code = renderGraph(d, {
          body: [`  const s1 = g.matmul('${fresh(1)}', g.linear('${fresh(2)}', ${cur.v}, { out: 2 }), g.linear('${fresh(3)}', ${cur.v}, { out: 2 }), { mode: 'scores' });`, `  const s2 = g.${op}('${fresh(4)}', s1${args});`],
          ret: 's2',
        });
        errs = ['KILN_E_SHAPE'];
        break;
      }
      case 'shape-context':
        code = renderGraph(d, { body: [`  const c1 = g.matmul('${fresh(1)}', ${cur.v}, g.linear('${fresh(2)}', ${cur.v}, { out: 2 }), { mode: 'context' });`], ret: 'c1' });
        errs = ['KILN_E_SHAPE'];
        break;
      case 'shape-scores':
        code = renderGraph(d, { body: [`  const s1 = g.matmul('${fresh(1)}', g.linear('${fresh(2)}', ${cur.v}, { out: 2 }), g.linear('${fresh(3)}', ${cur.v}, { out: 3 }), { mode: 'scores' });`], ret: 's1' });
        errs = ['KILN_E_SHAPE'];
        break;
      case 'shape-heads':
        code = renderGraph(d, { body: [`  const s1 = g.matmul('${fresh(1)}', g.linear('${fresh(2)}', ${cur.v}, { out: 3 }), g.linear('${fresh(3)}', ${cur.v}, { out: 3 }), { mode: 'scores', heads: 2 });`], ret: 's1' });
        errs = ['KILN_E_SHAPE'];
        break;
      case 'heads-mismatch':
        code = renderGraph(d, {
          body: [
            `  const s1 = g.matmul('${fresh(1)}', g.linear('${fresh(2)}', ${cur.v}, { out: 4 }), g.linear('${fresh(3)}', ${cur.v}, { out: 4 }), { mode: 'scores', heads: 2 });`,
            `  const s2 = g.matmul('${fresh(4)}', g.softmax('${fresh(5)}', s1), g.linear('${fresh(6)}', ${cur.v}, { out: 4 }), { mode: 'context', heads: ${pick([1, 4], b)} });`,
          ],
          ret: 's2',
        });
        errs = ['KILN_E_SHAPE'];
        break;
      case 'linear-out':
        code = renderGraph(d, { body: [`  const w1 = g.linear('${fresh(1)}', ${cur.v}, { out: ${pick(['0', '-3', '2.5', "'4'", 'null', 'NaN', 'undefined', 'Infinity', '[4]'], b)} });`], ret: 'w1' });
        errs = ['KILN_E_RANGE'];
        break;
      case 'linear-no-options':
        code = renderGraph(d, { body: [`  const w1 = g.linear('${fresh(1)}', ${cur.v}${pick(['', ', null', ', 4', ", 'out'"], b)});`], ret: 'w1' });
        errs = ['KILN_E_RANGE'];
        break;
      case 'linear-bias':
        // A bias that is not a boolean: not pinned down by the README.
        code = renderGraph(d, { body: [`  const w1 = g.linear('${fresh(1)}', ${cur.v}, { out: 2, bias: ${pick(["'yes'", '0', 'null', '{}'], b)} });`], ret: 'w1' });
        wild = true;
        break;
      case 'matmul-mode':
        code = renderGraph(d, { body: [`  const s1 = g.matmul('${fresh(1)}', g.linear('${fresh(2)}', ${cur.v}, { out: 2 }), g.linear('${fresh(3)}', ${cur.v}, { out: 2 }), ${pick(["{ mode: 'dot' }", "{ mode: 'Scores' }", '{}', '{ mode: 1 }', 'undefined'], b)});`], ret: 's1' });
        errs = ['KILN_E_TYPE'];
        break;
      case 'matmul-heads':
        code = renderGraph(d, { body: [`  const s1 = g.matmul('${fresh(1)}', g.linear('${fresh(2)}', ${cur.v}, { out: 2 }), g.linear('${fresh(3)}', ${cur.v}, { out: 2 }), { mode: 'scores', heads: ${pick(['0', '-1', '1.5', "'2'", 'NaN'], b)} });`], ret: 's1' });
        errs = ['KILN_E_RANGE'];
        break;
      case 'dead-layer':
        code = renderGraph(d, { body: [`  g.relu('${fresh(1)}', ${pick(d.recipe.history, b)?.v ?? 'x'});`] });
        errs = ['KILN_E_GRAPH'];
        break;
      case 'return':
        code = renderGraph(d, { ret: pick(['undefined', 'x', '42', "'fc1'", "{ path: 'nope', shape: [1, 1] }", 'g'], b) });
        errs = ['KILN_E_GRAPH'];
        break;
      case 'operand':
        code = renderGraph(d, { body: [`  const w1 = g.relu('${fresh(1)}', ${pick(["'x'", 'undefined', 'null', "{ path: 'nope', shape: [1, 1] }", '42', '[x]'], b)});`], ret: 'w1' });
        errs = ['KILN_E_GRAPH'];
        break;
      case 'operand-forged':
        // A hand-made tensor naming a real layer, with a made-up shape: not pinned down by the README.
        code = renderGraph(d, { body: [`  const w1 = g.linear('${fresh(1)}', { path: 'input', shape: ${pick(['[3, 5]', '[1, 1, 1]', '[0, 0]', '[1e9, 1e9]', '[]'], b)} }, { out: 2 });`], ret: 'w1' });
        wild = true;
        break;
      case 'input-size': {
        const bad = pick(['0', '-1', '1.5', "'4'", 'null', 'undefined', 'NaN', 'Infinity', '1e400'], b);
        code = a % 2 === 0 ? renderGraph(d, { window: bad }) : renderGraph(d, { features: bad });
        errs = ['KILN_E_RANGE'];
        break;
      }
      case 'model-name':
        code = renderGraph(d, { name: pick(["'1m'", "'my-model'", "'a__b'", "'m_'", "'entity'", "''", '42', "'input_buffer'", "'a.b'"], b) });
        errs = ['KILN_E_GRAPH'];
        break;
      case 'recipe-throws':
        code = renderGraph(d, { body: [pick(["  throw new Error('recipe failed');", "  throw 'recipe failed';", '  null.x;', '  throw { code: 42 };', '  undefinedFunction();'], b)] });
        errs = ['KILN_E_CONFIG_LOAD'];
        break;
      case 'recipe-not-function':
        code = renderGraph(d, { recipe: pick(['42', 'undefined', "'recipe'", '{}'], b) });
        errs = ['KILN_E_CONFIG_LOAD'];
        break;
      case 'options-type':
        code = renderGraph(d, { options: pick(['null', '42', "'window'", '[]', 'undefined'], b) });
        errs = ['KILN_E_RANGE'];
        break;
    }
    if (errs.length > 0) unbuildable = false;
    const model: ModelPart = { code: code ?? renderGraph(d), errs, paths: graphPaths(d), ...(wild ? { wild } : {}), ...(unbuildable ? { unbuildable } : {}) };
    return { family: `graph:${mutation}`, model };
  });

/** A model not made with transformer() or graph(): an object with kind 'kiln-model' and its own describe(). */
const handmadeModel: fc.Arbitrary<{ family: string; model: ModelPart }> = fc.tuple(fc.nat(), fc.nat(), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 6 })).map(([which, b, w, f]) => {
  const layers = (fc1: string, extra = '') =>
    `[{ kind: 'input', path: 'input', inputs: [], shape: [${w}, ${f}] }, { kind: 'linear', path: 'fc', inputs: ['input'], shape: [${w}, ${fc1}], bias: true${extra} }]`;
  const specs: readonly (readonly [string, string])[] = [
    ['plausible', `{ name: 'm', layers: ${layers('3')}, output: 'fc' }`],
    ['unknown-kind', `{ name: 'm', layers: [{ kind: 'input', path: 'input', inputs: [], shape: [${w}, ${f}] }, { kind: 'conv', path: 'c', inputs: ['input'], shape: [${w}, 2] }], output: 'c' }`],
    ['missing-input', `{ name: 'm', layers: [{ kind: 'input', path: 'input', inputs: [], shape: [${w}, ${f}] }, { kind: 'linear', path: 'fc', inputs: ['nope'], shape: [${w}, 2], bias: true }], output: 'fc' }`],
    ['no-layers', `{ name: 'm', layers: [], output: 'x' }`],
    ['layers-not-array', `{ name: 'm', layers: ${pick(['42', "'fc'", '{}', 'null'], b)}, output: 'fc' }`],
    ['bad-shape', `{ name: 'm', layers: ${layers(pick(['-1', '0', '1.5', "'3'", '1e9', 'NaN'], b))}, output: 'fc' }`],
    ['wrong-output', `{ name: 'm', layers: ${layers('3')}, output: ${pick(["'nope'", "'input'", '42', 'undefined'], b)} }`],
    ['no-name', `{ layers: ${layers('3')}, output: 'fc' }`],
    ['name-type', `{ name: ${pick(['42', 'null', "'1m'", "'entity'", "'kiln_arith'"], b)}, layers: ${layers('3')}, output: 'fc' }`],
    ['bad-path', `{ name: 'm', layers: [{ kind: 'input', path: 'input', inputs: [], shape: [${w}, ${f}] }, { kind: 'linear', path: ${pick(["'a b'", "'fc-1'", "''", "'entity'", "'a__b'", '7'], b)}, inputs: ['input'], shape: [${w}, 2], bias: true }], output: 'fc' }`],
    ['duplicate', `{ name: 'm', layers: [{ kind: 'input', path: 'input', inputs: [], shape: [${w}, ${f}] }, { kind: 'linear', path: 'fc', inputs: ['input'], shape: [${w}, 2], bias: true }, { kind: 'relu', path: 'fc', inputs: ['fc'], shape: [${w}, 2] }], output: 'fc' }`],
    ['cycle', `{ name: 'm', layers: [{ kind: 'input', path: 'input', inputs: [], shape: [${w}, ${f}] }, { kind: 'add', path: 'a', inputs: ['input', 'b'], shape: [${w}, ${f}] }, { kind: 'add', path: 'b', inputs: ['a', 'input'], shape: [${w}, ${f}] }], output: 'b' }`],
    ['matmul-no-mode', `{ name: 'm', layers: [{ kind: 'input', path: 'input', inputs: [], shape: [${w}, ${f}] }, { kind: 'matmul', path: 'mm', inputs: ['input', 'input'], shape: [1, ${w}, ${w}] }], output: 'mm' }`],
    ['spec-type', pick(['42', 'null', 'undefined', "'spec'", '[]'], b)],
    ['throws', `(() => { throw new Error('describe failed'); })()`],
  ];
  const [variant, spec] = pick(specs, which);
  const describe = variant === 'throws' ? `describe() { throw new Error('describe failed'); }` : `describe() { return ${spec}; }`;
  return {
    family: `handmade:${variant}`,
    model: { code: `{ kind: 'kiln-model', name: 'm', ${describe} }`, errs: [], wild: true, paths: [{ path: 'input', kind: 'input' }] },
  };
});

const smallModel: fc.Arbitrary<ModelPart> = fc.oneof({ arbitrary: validTransformer, weight: 1 }, { arbitrary: validGraph(SMALL), weight: 1 });

// ───────────────────────────── weights, data, quantization, accuracy ─────────────────────────────

export interface Dims {
  readonly window: number;
  readonly features: number;
  readonly outputs: number;
}

/** mulberry32: file contents from a seed, cheaply and the same every time. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A .npy file (format 1.0 unless asked otherwise): dtype, shape and values, or a broken one. */
function npy(descr: string, shape: readonly number[], values: ArrayLike<number>, o: { fortran?: boolean; magic?: string; version?: number; truncate?: number } = {}): Buffer {
  let header = `{'descr': '${descr}', 'fortran_order': ${o.fortran ? 'True' : 'False'}, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const v2 = o.version === 2;
  const pre = v2 ? 12 : 10;
  header += ' '.repeat((64 - ((pre + header.length + 1) % 64)) % 64) + '\n';
  const head = Buffer.alloc(pre);
  head.write(o.magic ?? '\x93NUMPY', 0, 'latin1');
  head[6] = v2 ? 2 : 1;
  head[7] = 0;
  if (v2) head.writeUInt32LE(header.length, 8);
  else head.writeUInt16LE(header.length, 8);
  // Item sizes as the dtype says (a dtype kiln refuses, such as complex '<c16', still gets a well-formed body).
  const size = descr === '<f4' || descr === '<i4' ? 4 : /16$/.test(descr) ? 16 : 8;
  const data = Buffer.alloc(values.length * size);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (descr === '<f8') data.writeDoubleLE(v, i * 8);
    else if (descr === '>f8') data.writeDoubleBE(v, i * 8);
    else if (descr === '<f4') data.writeFloatLE(v, i * 4);
    else if (descr === '<i4') data.writeInt32LE(Math.round(v), i * 4);
    else data.writeDoubleLE(v, i * size);
  }
  const all = Buffer.concat([head, Buffer.from(header, 'latin1'), data]);
  return o.truncate !== undefined ? all.subarray(0, Math.max(0, all.length - o.truncate)) : all;
}

/** A .safetensors file: an 8-byte little-endian header length, the JSON header, the data. */
function safetensors(header: string, data: Buffer, length?: bigint): Buffer {
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(length ?? BigInt(Buffer.byteLength(header)));
  return Buffer.concat([len, Buffer.from(header), data]);
}

const b64 = (b: Buffer) => b.toString('base64');

const quantizationArb = (mode: Mode): fc.Arbitrary<Part | undefined> =>
  mode === 'valid'
    ? fc.option(
        fc
          .record(
            {
              observer: fc.oneof(fc.constant<unknown>('minmax'), fc.double({ min: 50, max: 100, minExcluded: true, noNaN: true }).map((p) => ({ percentile: p })), fc.constant({ percentile: 100 })),
              calibrationWindows: fc.oneof({ arbitrary: fc.integer({ min: 1, max: 300 }), weight: 8 }, { arbitrary: fc.constantFrom(1, 2000, 10_000), weight: 1 }),
            },
            { requiredKeys: [] },
          )
          .map((q) => good(lit(q))),
        { nil: undefined, freq: 3 },
      )
    : fc.oneof(
        fc.constantFrom<unknown>('max', 'MinMax', '', 99, { percentile: 50 }, { percentile: 100.5 }, { percentile: '99' }, {}, { percent: 99 }, null).map((o) => bad(obj([['observer', lit(o)]]), 'KILN_E_RANGE')),
        fc.constantFrom<unknown>(0, -1, 10_001, 1.5, '8', NaN, null).map((w) => bad(obj([['calibrationWindows', lit(w)]]), 'KILN_E_RANGE')),
        fc.constantFrom('observers', 'windows', 'calibration', 'bits').map((k) => bad(obj([[k, '1']]), 'KILN_E_UNKNOWN_KEY')),
        fc.constantFrom<unknown>('minmax', 5, null, []).map((v) => bad(lit(v), 'KILN_E_TYPE')),
      );

const accuracyArb = (mode: Mode): fc.Arbitrary<Part | undefined> =>
  mode === 'valid'
    ? fc.option(fc.oneof(fc.constant(good('{}')), fc.oneof(fc.double({ min: 0, max: 2, noNaN: true }), fc.constant(0)).map((m) => good(obj([['maxRmseIncrease', lit(m)]])))), { nil: undefined, freq: 4 })
    : fc.oneof(
        fc.constantFrom<unknown>(-0.1, NaN, Infinity, '0.05', null, true).map((m) => bad(obj([['maxRmseIncrease', lit(m)]]), 'KILN_E_RANGE')),
        fc.constantFrom('maxRmse', 'rmse', 'maxRMSEIncrease').map((k) => bad(obj([[k, '0.05']]), 'KILN_E_UNKNOWN_KEY')),
        fc.constantFrom<unknown>(0.05, 'x', null, []).map((v) => bad(lit(v), 'KILN_E_TYPE')),
      );

/** weights: { file } that is wrong in the config (both commands say so) or in the file (only kiln build reads it). */
const weightsFileArb: fc.Arbitrary<Part> = fc.tuple(fc.nat(), fc.nat(), fc.nat()).map(([which, b, seed]) => {
  const rand = prng(seed);
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => Math.floor(rand() * 256)));
  const file = (name: string, content: Buffer): Part => ({ code: obj([['file', lit(name)]]), errs: [], binary: { [name]: b64(content) }, buildErrs: ['KILN_E_WEIGHTS'] });
  const tensor = '{"x": {"dtype": "F32", "shape": [2], "data_offsets": [0, 8]}}';
  const variants: (() => Part)[] = [
    () => bad(obj([['file', pick(['42', "''", "'   '", 'null', '[]'], b)]]), 'KILN_E_TYPE'),
    () => bad(obj([['file', "'w.safetensors'"], ['map', pick(['42', '[]', "'x'"], b)]]), 'KILN_E_TYPE'),
    () => bad(obj([['file', "'w.safetensors'"], ['map', obj([[pick(['nope', 'encoder.9.attn.q', 'Input'], b), "'a.b'"]])]]), 'KILN_E_UNKNOWN_LAYER'),
    () => bad(obj([['file', "'w.safetensors'"], ['map', obj([['input', pick(['42', "''", 'null'], b)]])]]), 'KILN_E_TYPE'),
    () => bad(obj([['file', "'w.safetensors'"], [pick(['bogus', 'files', 'maps'], b), '1']]), 'KILN_E_UNKNOWN_KEY'),
    () => ({ code: obj([['file', lit(pick(['missing.safetensors', 'missing.onnx', 'sub/missing.safetensors'], b))]]), errs: [], buildErrs: ['KILN_E_WEIGHTS'] }),
    () => ({ code: obj([['file', "'w.txt'"]]), errs: [], files: { 'w.txt': 'not weights\n' }, buildErrs: ['KILN_E_WEIGHTS'] }),
    () => file('w.safetensors', bytes(1 + (b % 64))),
    () => file('w.safetensors', Buffer.alloc(0)),
    () => file('w.safetensors', safetensors(tensor, Buffer.alloc(8), 2n ** 40n)),
    () => file('w.safetensors', safetensors(pick(['not json', '[]', '{"x": 1}', '{"x": {"dtype": "Q8", "shape": [2], "data_offsets": [0, 2]}}', '{"__metadata__": {"a": "b"}}'], b), Buffer.alloc(8))),
    () => file('w.safetensors', safetensors(tensor, Buffer.alloc(8))),
    () => file('w.safetensors', safetensors('{"x": {"dtype": "F32", "shape": [1000000000, 1000000000], "data_offsets": [0, 8]}}', Buffer.alloc(8))),
    () => file('w.safetensors', safetensors('{"x": {"dtype": "F32", "shape": [2], "data_offsets": [0, 1000000000000]}}', Buffer.alloc(8))),
    () => file('w.safetensors', safetensors('['.repeat(50_000) + ']'.repeat(50_000), Buffer.alloc(0))),
    () => file('w.onnx', bytes(1 + (b % 256))),
    () => file('w.onnx', Buffer.from([0x08, 0x07, 0x12, 0x04, 0x6b, 0x69, 0x6c, 0x6e, 0x3a, 0xff, 0xff, 0xff, 0xff, 0x0f])),
  ];
  return pick(variants, which)();
});

const COLUMN_NAMES = ['pm10', 'temp', 'humidity', 'wind', 'pressure', 'rain', 'hour', 'load', 'f8', 'f9', 'f10', 'f11', 'f12', 'f13', 'f14', 'f15'];

interface CsvPlan {
  features: string[];
  targets: string[];
  horizon: number;
  split: { train: number; validation: number } | undefined;
  rows: number;
}

function csvText(plan: CsvPlan, seed: number, o: { crlf?: boolean; bom?: boolean; quoted?: boolean; extra?: boolean; constant?: boolean; huge?: boolean } = {}): string {
  const rand = prng(seed);
  const cols = [...new Set([...plan.features, ...plan.targets]), ...(o.extra ? ['station', 'notes'] : [])];
  const q = (x: string) => (o.quoted ? `"${x}"` : x);
  const lines = [cols.map(q).join(',')];
  for (let i = 0; i < plan.rows; i++) {
    lines.push(
      cols
        .map((c, j) => {
          if (c === 'station') return q('DE,BE001');
          if (c === 'notes') return q('a ""quoted"" note');
          if (o.constant && j === 0) return '3';
          const v = Math.sin(i / (2 + j)) * 10 + rand() * 2 + j;
          return o.huge && j === 0 ? (v * 1e300).toExponential(3) : v.toFixed(3);
        })
        .join(','),
    );
  }
  return (o.bom ? '\uFEFF' : '') + lines.join(o.crlf ? '\r\n' : '\n') + (o.crlf ? '\r\n' : '\n');
}

/** The rows a plan needs so that every split holds a window plus the horizon (with some to spare). */
function rowsFor(window: number, horizon: number, split: { train: number; validation: number } | undefined, extra: number): number {
  const { train, validation } = split ?? { train: 0.7, validation: 0.15 };
  const smallest = Math.min(train, validation, 1 - train - validation);
  return Math.ceil((window + horizon + 2) / smallest) + extra;
}

const dataArb = (mode: Mode, dims: Dims | undefined): fc.Arbitrary<Part | undefined> => {
  // Data fits a small model only: a CSV for window 100,000 is not a fuzz case.
  const fits = (n: number, max: number) => Number.isInteger(n) && n >= 1 && n <= max;
  const usable = dims !== undefined && fits(dims.window, 16) && fits(dims.features, 16) && fits(dims.outputs, 8);
  const d: Dims = usable ? dims : { window: 4, features: 2, outputs: 1 };
  const plan = fc
    .record({
      autoregressive: fc.boolean(),
      horizon: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
      split: fc.option(fc.record({ train: fc.double({ min: 0.5, max: 0.8, noNaN: true }), validation: fc.double({ min: 0.05, max: 0.15, noNaN: true }) }), { nil: undefined, freq: 2 }),
      extra: fc.integer({ min: 0, max: 60 }),
      seed: fc.nat(),
      single: fc.boolean(),
      normalize: fc.nat(5),
    })
    .map((r) => {
      const features = COLUMN_NAMES.slice(0, d.features);
      const targets = r.autoregressive && d.outputs === 1 ? [features[0]!] : Array.from({ length: d.outputs }, (_, i) => (d.outputs === 1 ? 'y' : `y${i}`));
      const horizon = r.horizon ?? 1;
      const p: CsvPlan = { features, targets, horizon, split: r.split, rows: rowsFor(d.window, horizon, r.split, r.extra) };
      return { p, r };
    });
  const csvConfig = (p: CsvPlan, r: { single: boolean; normalize: number; horizon?: number | undefined }, over: Record<string, string> = {}): string => {
    const used = [...new Set([...p.features, ...p.targets])];
    const normalize = r.normalize === 1 ? "'none'" : r.normalize === 2 ? "'train'" : r.normalize === 3 ? obj([['mean', lit(used.map(() => 1))], ['std', lit(used.map(() => 2))]]) : undefined;
    const entries: [string, string][] = [
      ['csv', "'series.csv'"],
      ['features', p.features.length === 1 && r.single ? lit(p.features[0]) : lit(p.features)],
      ['target', p.targets.length === 1 && r.single ? lit(p.targets[0]) : lit(p.targets)],
      ...(r.horizon !== undefined ? [['horizon', lit(r.horizon)] as [string, string]] : []),
      ...(p.split ? [['split', lit(p.split)] as [string, string]] : []),
      ...(normalize ? [['normalize', normalize] as [string, string]] : []),
    ];
    for (const [k, v] of Object.entries(over)) {
      const at = entries.findIndex(([key]) => key === k);
      if (at >= 0) entries[at] = [k, v];
      else entries.push([k, v]);
    }
    return obj(entries);
  };
  const npyFiles = (seed: number, n: number, o: { windows?: Partial<{ descr: string; shape: number[]; nan: boolean; fortran: boolean; magic: string; version: number; truncate: number }>; targets1d?: boolean } = {}) => {
    const rand = prng(seed);
    const wShape = o.windows?.shape ?? [n, d.window, d.features];
    const count = wShape.reduce((a, b) => a * b, 1);
    const wValues = Array.from({ length: Math.min(count, 200_000) }, () => rand() * 4 - 2);
    if (o.windows?.nan) wValues[Math.floor(rand() * wValues.length)] = NaN;
    const tValues = Array.from({ length: n * d.outputs }, () => rand());
    const w = npy(o.windows?.descr ?? pick(['<f8', '<f4'], seed), wShape, wValues, { ...(o.windows?.fortran ? { fortran: true } : {}), ...(o.windows?.magic ? { magic: o.windows.magic } : {}), ...(o.windows?.version ? { version: o.windows.version } : {}), ...(o.windows?.truncate !== undefined ? { truncate: o.windows.truncate } : {}) });
    const t = npy('<f8', o.targets1d && d.outputs === 1 ? [n] : [n, d.outputs], tValues);
    return { 'windows.npy': b64(w), 'targets.npy': b64(t) };
  };
  const npyCode = (pf?: unknown) => obj([['npy', obj([['windows', "'windows.npy'"], ['targets', "'targets.npy'"]])], ...(pf !== undefined ? [['persistenceFeature', lit(pf)] as [string, string]] : [])]);
  if (!usable) return fc.constant(undefined);
  if (mode === 'valid') {
    return fc.option(
      fc.oneof(
        { arbitrary: plan.map(({ p, r }): Part => ({ code: csvConfig(p, r), errs: [], files: { 'series.csv': csvText(p, r.seed) } })), weight: 3 },
        {
          arbitrary: fc.tuple(fc.nat(), fc.integer({ min: 25, max: 60 }), fc.boolean(), fc.option(fc.nat(d.features - 1), { nil: undefined })).map(([seed, n, t1d, pf]): Part => ({ code: npyCode(pf), errs: [], binary: npyFiles(seed, n, { targets1d: t1d }) })),
          weight: 1,
        },
      ),
      { nil: undefined, freq: 5 },
    );
  }
  const configErr = (code: string, err: string): Part => bad(code, err);
  return fc.tuple(plan, fc.nat(), fc.nat()).map(([{ p, r }, which, b]) => {
    const files = { 'series.csv': csvText(p, r.seed) };
    const withFiles = (part: Part): Part => ({ ...part, files: { ...files, ...(part.files ?? {}) } });
    const fileErr = (text: string): Part => ({ code: csvConfig(p, r), errs: [], files: { 'series.csv': text }, buildErrs: ['KILN_E_DATA'] });
    const fileOdd = (text: string): Part => ({ code: csvConfig(p, r), errs: [], files: { 'series.csv': text }, buildWild: true });
    const header = [...new Set([...p.features, ...p.targets])].join(',');
    const variants: (() => Part)[] = [
      // Wrong in the config: both commands report it.
      () => configErr(lit(pick<unknown>([5, 'series.csv', null, [], {}], b)), 'KILN_E_TYPE'),
      () => configErr(obj([['csv', "'series.csv'"], ['npy', obj([['windows', "'w.npy'"], ['targets', "'t.npy'"]])], ['features', lit(p.features)], ['target', "'y'"]]), 'KILN_E_TYPE'),
      () => withFiles(configErr(csvConfig(p, r, { csv: pick(['42', "''", 'null'], b) }), 'KILN_E_TYPE')),
      () => withFiles(configErr(csvConfig(p, r, { features: pick(['[]', '[1]', 'null', '42'], b) }), 'KILN_E_TYPE')),
      () => withFiles(configErr(csvConfig(p, r, { features: lit([...p.features, 'extra_column']) }), 'KILN_E_DATA')),
      () => withFiles(configErr(csvConfig(p, r, { target: lit([...p.targets, 'y_extra']) }), 'KILN_E_DATA')),
      () => withFiles(configErr(csvConfig(p, r, { features: lit([p.features[0]!, ...p.features]) }), 'KILN_E_DATA')),
      () => withFiles(configErr(csvConfig(p, r, { horizon: pick(['0', '1.5', '-1', "'2'"], b) }), 'KILN_E_RANGE')),
      () => withFiles(configErr(csvConfig(p, r, { split: pick(['{ train: 0 }', '{ train: 1 }', '{ train: 0.9, validation: 0.1 }', '{ validation: -0.1 }', "{ train: '0.7' }"], b) }), 'KILN_E_RANGE')),
      () => withFiles(configErr(csvConfig(p, r, { split: '{ trian: 0.7 }' }), 'KILN_E_UNKNOWN_KEY')),
      () => withFiles(configErr(csvConfig(p, r, { split: pick(['0.7', "'train'", '[0.7, 0.15]'], b) }), 'KILN_E_TYPE')),
      () => withFiles(configErr(csvConfig(p, r, { normalize: pick(["'zscore'", '{ mean: [0] }', '{ mean: [0], std: [0] }', 'true'], b) }), 'KILN_E_TYPE')),
      () => withFiles(configErr(csvConfig(p, r, { columns: "['a']" }), 'KILN_E_UNKNOWN_KEY')),
      () => configErr(obj([['npy', pick(["'windows.npy'", "{ windows: 'windows.npy' }", '{ windows: 1, targets: 2 }'], b)]]), 'KILN_E_TYPE'),
      () => ({ ...configErr(npyCode(pick<unknown>([-1, d.features, 1.5, '0'], b)), 'KILN_E_RANGE'), binary: npyFiles(b, 30) }),
      // Wrong in the files: only kiln build reads them.
      () => ({ code: csvConfig(p, r, { csv: "'missing.csv'" }), errs: [], buildErrs: ['KILN_E_DATA'] }),
      () => fileErr(''),
      () => fileErr(`${header}\n`),
      () => fileErr(csvText({ ...p, rows: d.window + p.horizon }, r.seed)),
      () => fileErr(csvText(p, r.seed).replace(/\n[^\n]*\n/, `\n${'x,'.repeat(header.split(',').length - 1)}x\n`)),
      // A short row (a field dropped); a one-column series has no field to drop, so its row holds a word instead.
      () => fileErr(header.includes(',') ? csvText(p, r.seed).replace(/\n([^\n]*),[^,\n]*\n/, '\n$1\n') : csvText(p, r.seed).replace(/\n[^\n]*\n/, '\nn/a\n')),
      () => fileErr(csvText(p, r.seed).replace(/^[^\n]*/, (h) => h.replace(p.targets[0]!, `${p.targets[0]}_renamed`))),
      () => fileErr(csvText(p, r.seed).replace(/\n([^,\n]*)/, '\nNaN')),
      () => ({ code: npyCode(), errs: [], binary: npyFiles(b, 30, { windows: pick([{ magic: 'NOTNPY' }, { truncate: 9 }, { shape: [30, d.window + 1, d.features] }, { nan: true }, { descr: '<c16' }, { shape: [1_000_000_000, d.window, d.features] }, { shape: [3, d.window, d.features] }], b) }), buildErrs: ['KILN_E_DATA'] }),
      () => ({ code: npyCode(), errs: [], binary: { 'windows.npy': npyFiles(b, 30)['windows.npy'], 'targets.npy': b64(npy('<f8', [29, d.outputs + 1], Array.from({ length: 29 * (d.outputs + 1) }, () => 0))) }, buildErrs: ['KILN_E_DATA'] }),
      // Odd but maybe fine: kiln build may accept them or refuse them with KILN_E_DATA.
      () => fileOdd(csvText(p, r.seed, pick([{ crlf: true }, { bom: true }, { quoted: true }, { extra: true }, { constant: true }, { huge: true }], b))),
      () => ({ code: npyCode(), errs: [], binary: npyFiles(b, 30, { windows: pick([{ fortran: true }, { descr: '>f8' }, { descr: '<i4' }, { version: 2 }], b) }), buildWild: true }),
    ];
    return pick(variants, which)();
  });
};

// ───────────────────────────── config bodies ─────────────────────────────

interface Body extends Part {
  readonly model: ModelPart | undefined;
}

const FIELDS = ['device', 'clockMHz', 'budget', 'weights', 'weights-file', 'defaults', 'kinds', 'layers', 'data', 'quantization', 'accuracy', 'extra-key', 'model-missing', 'model-type'] as const;
type Field = (typeof FIELDS)[number];

/** A config object literal around `model`, with the fields in `broken` invalid and every other field valid. */
function body(model: ModelPart | undefined, broken: readonly Field[]): fc.Arbitrary<Body> {
  const mode = (f: Field): Mode => (broken.includes(f) ? 'invalid' : 'valid');
  const paths = model?.paths ?? [{ path: 'input', kind: 'input' as const }];
  return fc
    .record({
      device: deviceArb(mode('device')),
      clockMHz: clockArb(mode('clockMHz')),
      budget: budgetArb(mode('budget')),
      weights: broken.includes('weights-file') ? weightsFileArb : weightsArb(mode('weights')),
      data: dataArb(mode('data'), model?.dims),
      quantization: quantizationArb(mode('quantization')),
      accuracy: accuracyArb(mode('accuracy')),
      defaults: defaultsArb(mode('defaults')),
      kinds: kindsArb(mode('kinds')),
      layers: layersArb(mode('layers'), paths),
      extra: fc.tuple(fc.constantFrom(...UNKNOWN_TOP_KEYS), fc.constantFrom<unknown>(1, 'x', {}, [], null, true)),
      modelType: fc.constantFrom<readonly [string, string]>(['42', 'KILN_E_TYPE'], ["'transformer'", 'KILN_E_TYPE'], ['{}', 'KILN_E_TYPE'], ['null', 'KILN_E_TYPE'], ['[]', 'KILN_E_TYPE'], ['transformer', 'KILN_E_TYPE'], ['graph', 'KILN_E_TYPE'], ['{ kind: "kiln-model" }', 'KILN_E_TYPE']),
      shuffle: fc.nat(),
    })
    .map((r) => {
      const entries: [string, Part][] = [];
      if (r.device) entries.push([r.device.code === OMITTED ? '__omitted__' : 'device', r.device]);
      if (broken.includes('model-type')) entries.push(['model', bad(r.modelType[0], r.modelType[1])]);
      else if (!broken.includes('model-missing') && model) entries.push(['model', model]);
      else if (broken.includes('model-missing')) entries.push(['__omitted__', bad(OMITTED, 'KILN_E_MISSING')]);
      for (const k of ['clockMHz', 'budget', 'weights', 'defaults', 'kinds', 'layers', 'data', 'quantization', 'accuracy'] as const) {
        const p = r[k];
        if (p) entries.push([k, p]);
      }
      if (broken.includes('extra-key')) entries.push([r.extra[0], bad(lit(r.extra[1]), 'KILN_E_UNKNOWN_KEY')]);
      // Field order does not matter to kiln: rotate it sometimes.
      const rot = r.shuffle % 4 === 0 ? r.shuffle % Math.max(1, entries.length) : 0;
      const ordered = [...entries.slice(rot), ...entries.slice(0, rot)];
      const shown = ordered.filter(([k]) => k !== '__omitted__');
      const parts = ordered.map(([, p]) => p);
      return {
        code: obj(shown.map(([k, p]) => [k, p.code])),
        errs: parts.flatMap((p) => p.errs),
        wild: parts.some((p) => p.wild === true),
        files: Object.assign({}, ...parts.map((p) => p.files ?? {})) as Record<string, string>,
        binary: Object.assign({}, ...parts.map((p) => p.binary ?? {})) as Record<string, string>,
        buildErrs: parts.flatMap((p) => p.buildErrs ?? []),
        buildWild: parts.some((p) => p.buildWild === true),
        model,
      };
    });
}

function expectOf(b: Body): Record<Command, Verdict> {
  if (b.wild) return both(ANY);
  if (b.errs.length > 0) return both(errors(b.errs));
  // kiln estimate reads no weights or data files; kiln build reads them (unless the design is too large to build).
  const fileErrs = b.buildErrs ?? [];
  const unbuildable = b.model?.unbuildable === true;
  let build: Verdict = unbuildable ? errors(['KILN_E_UNSUPPORTED', ...fileErrs]) : b.model?.big ? { exits: [0, 1, 2], codes: ['KILN_E_UNSUPPORTED', ...fileErrs] } : VALID_BUILD;
  if (!unbuildable && !b.model?.big) {
    if (fileErrs.length > 0) build = errors(fileErrs);
    else if (b.buildWild) build = { exits: [0, 1, 2], codes: ['KILN_E_DATA', 'KILN_E_WEIGHTS'] };
  }
  return { estimate: OK, build };
}

// ───────────────────────────── modules ─────────────────────────────

type Flavour = 'mjs' | 'ts' | 'mts' | 'cjs' | 'esm-js';

interface Module {
  flavour: Flavour;
  /** How the config value is exported (index into the export styles). */
  style: number;
  delayMs: number;
  /** Log something from the config (it must go to stderr, never into --json output). */
  noise: number;
  helper: boolean;
}

const moduleArb: fc.Arbitrary<Module> = fc.record({
  flavour: fc.oneof(
    { arbitrary: fc.constant<Flavour>('mjs'), weight: 66 },
    { arbitrary: fc.constant<Flavour>('ts'), weight: 22 },
    { arbitrary: fc.constant<Flavour>('mts'), weight: 4 },
    { arbitrary: fc.constant<Flavour>('cjs'), weight: 5 },
    { arbitrary: fc.constant<Flavour>('esm-js'), weight: 3 },
  ),
  style: fc.nat(99),
  delayMs: fc.integer({ min: 0, max: 800 }),
  noise: fc.nat(19),
  helper: pct(25),
});

const FILE_OF: Record<Flavour, string> = { mjs: 'fpga.config.mjs', ts: 'fpga.config.ts', mts: 'fpga.config.mts', cjs: 'fpga.config.js', 'esm-js': 'fpga.config.js' };

/** The module text exporting `value` (an object literal's source) in one of the ways the README allows. */
function moduleSource(m: Module, value: string): string {
  const ts = m.flavour === 'ts' || m.flavour === 'mts';
  const lines: string[] = [];
  if (m.flavour === 'cjs') lines.push("const { defineConfig, transformer, graph } = require('kiln-fpga');");
  else if (m.style % 10 === 9) lines.push("import * as kiln from 'kiln-fpga';", 'const { defineConfig, transformer, graph } = kiln;');
  else lines.push(`import { defineConfig, transformer, graph${ts ? ', type KilnConfig' : ''} } from 'kiln-fpga';`);
  if (ts) lines.push('interface Note { readonly text: string }', "const note: Note = { text: 'generated by the kiln fuzzer' };", 'void note;');
  if (ts && m.helper) lines.push("import { helperWidth } from './helper';", 'void helperWidth;');
  if (m.noise === 0) lines.push("console.log('a config that prints to stdout');");
  if (m.noise === 1) lines.push('process.stdout.write(\'{"schema":"kiln-report","fits":true}\\n\');');
  if (m.noise === 2) lines.push("console.error('a config that prints to stderr');");
  const exp = (v: string) => (m.flavour === 'cjs' ? `module.exports = ${v};` : `export default ${v};`);
  const s = m.style;
  if (s < 30) lines.push(exp(`defineConfig(${value})`));
  else if (s < 50) lines.push(exp(value));
  else if (s < 60) lines.push(`const config${ts ? ': KilnConfig' : ''} = ${value}${ts ? ' as KilnConfig' : ''};`, exp('config'));
  else if (s < 70) lines.push(exp(`(env) => {\n  void env.command;\n  return ${value};\n}`));
  else if (s < 75) lines.push(exp(`async (env${ts ? ': { command: string }' : ''}) => (${value})`));
  else if (s < 80) lines.push(exp(`Promise.resolve(${value})`));
  else if (s < 85) lines.push(exp(`new Promise((resolve) => setTimeout(() => resolve(${value}), ${m.delayMs}))`));
  else if (s < 90) lines.push(exp(`() => Promise.resolve(${value})`));
  else lines.push(exp(`defineConfig((env) => (env.mode === '' ? null : ${value}))`));
  return lines.join('\n') + '\n';
}

// ───────────────────────────── whole cases ─────────────────────────────

const runsArb: fc.Arbitrary<RunSpec[]> = fc.tuple(pct(35), pct(75), fc.boolean()).map(([estJson, buildJson, estimateFirst]) => {
  const est: RunSpec = { command: 'estimate', json: estJson };
  const build: RunSpec = { command: 'build', json: buildJson };
  return estimateFirst ? [est, build] : [build, est];
});

/** A tiny valid config built first into build/ (for the "exit 2 leaves the folder as it was" check). */
const previousArb: fc.Arbitrary<string | undefined> = fc
  .tuple(pct(30), smallModel.filter((m) => m.unbuildable !== true), fc.constantFrom(...DEVICES))
  .map(([present, m, d]) => (present ? `import { transformer, graph } from 'kiln-fpga';\nexport default ${obj([['device', lit(d)], ['model', m.code]])};\n` : undefined));

interface Envelope {
  runs: RunSpec[];
  previous: string | undefined;
  configFlag: boolean;
  packageJson: number;
}
const envelopeArb: fc.Arbitrary<Envelope> = fc.record({ runs: runsArb, previous: previousArb, configFlag: pct(30), packageJson: fc.nat(3) });

function project(env: Envelope, file: string, source: string, flavour: Flavour | 'other', extra: Record<string, string> = {}, forceFlag = false): Pick<FuzzCase, 'files' | 'config' | 'configFlag' | 'runs' | 'previous'> {
  const files: Record<string, string> = { [file]: source, ...extra };
  if (flavour === 'esm-js') files['package.json'] = '{ "name": "fuzz-project", "private": true, "type": "module" }\n';
  else if (flavour === 'cjs') files['package.json'] = '{ "name": "fuzz-project", "private": true, "type": "commonjs" }\n';
  else if (env.packageJson === 0) files['package.json'] = '{ "name": "fuzz-project", "private": true }\n';
  else if (env.packageJson === 1 && !files['package.json']) files['package.json'] = '{ "name": "fuzz-project", "private": true, "type": "module" }\n';
  if (flavour === 'ts' || flavour === 'mts') files['helper.ts'] = 'export const helperWidth: number = 4;\n';
  return { files, config: file, configFlag: env.configFlag || forceFlag, runs: env.runs, ...(env.previous !== undefined ? { previous: env.previous } : {}) };
}

function configCase(family: string, model: fc.Arbitrary<ModelPart>, broken: fc.Arbitrary<readonly Field[]>): fc.Arbitrary<FuzzCase> {
  return fc
    .tuple(model, broken, moduleArb, envelopeArb)
    .chain(([m, br, mod, env]) => body(m, br).map((b) => ({ b, br, mod, env })))
    .map(({ b, br, mod, env }) => ({
      family: br.length > 0 ? `${family}:${br.join('+')}` : family,
      ...project(env, FILE_OF[mod.flavour], moduleSource(mod, b.code), mod.flavour, b.files ?? {}),
      ...(b.binary && Object.keys(b.binary).length > 0 ? { binary: b.binary } : {}),
      expect: expectOf(b),
    }));
}

const NO_FIELDS = fc.constant<readonly Field[]>([]);
const SOME_FIELDS = fc.subarray([...FIELDS], { minLength: 1, maxLength: 2 });

/** Every field valid. */
const validCase: fc.Arbitrary<FuzzCase> = fc.oneof(
  { arbitrary: configCase('valid/transformer', validTransformer, NO_FIELDS), weight: 1 },
  { arbitrary: configCase('valid/graph', validGraph(SMALL), NO_FIELDS), weight: 1 },
);

/** One or two top-level fields invalid, the model valid. */
const invalidFieldCase = configCase('invalid/field', smallModel, SOME_FIELDS);

/** An invalid model, every other field valid. */
const invalidModelCase: fc.Arbitrary<FuzzCase> = fc.oneof(invalidTransformer, invalidGraph).chain(({ family, model }) => configCase(`invalid/${family}`, fc.constant(model), NO_FIELDS));

const extremeCase: fc.Arbitrary<FuzzCase> = fc.oneof(
  extremeTransformer.chain(({ family, model }) => configCase(`extreme/${family}`, fc.constant(model), NO_FIELDS)),
  configCase('extreme/graph', validGraph(HUGE), NO_FIELDS),
);

const handmadeCase: fc.Arbitrary<FuzzCase> = handmadeModel.chain(({ family, model }) => configCase(`wild/${family}`, fc.constant(model), NO_FIELDS));

// ── hostile modules ──

interface Hostile {
  readonly name: string;
  /** Module source; `CONFIG` is replaced by a valid config object, `IMPORTS` by the kiln import. */
  readonly source: string;
  readonly expect: Verdict;
}

const TIMEOUT_MODULES: readonly Hostile[] = [
  { name: 'hang:promise', source: 'IMPORTS\nexport default new Promise(() => {});', expect: TIMEOUT },
  { name: 'hang:async-fn', source: 'IMPORTS\nexport default async () => new Promise(() => {});', expect: TIMEOUT },
  { name: 'hang:loop-top', source: 'IMPORTS\nwhile (true) {}\nexport default CONFIG;', expect: TIMEOUT },
  { name: 'hang:loop-fn', source: 'IMPORTS\nexport default (env) => {\n  while (true) {}\n  return CONFIG;\n};', expect: TIMEOUT },
  { name: 'hang:loop-defineConfig-fn', source: 'IMPORTS\nexport default defineConfig((env) => {\n  for (;;) {}\n});', expect: TIMEOUT },
  { name: 'hang:interval', source: 'IMPORTS\nsetInterval(() => {}, 5);\nexport default new Promise(() => {});', expect: TIMEOUT },
  { name: 'hang:getter', source: 'IMPORTS\nconst config = CONFIG;\nexport default { ...config, get device() { while (true) {} } };', expect: TIMEOUT },
  { name: 'hang:recipe', source: "IMPORTS\nexport default { device: 'xc7s15', model: graph({ window: 2, features: 2 }, (g, x) => { while (true) {} }) };", expect: TIMEOUT },
  { name: 'hang:thenable', source: 'IMPORTS\nexport default { then() {} };', expect: TIMEOUT },
  { name: 'hang:busy-promise', source: 'IMPORTS\nexport default new Promise((resolve) => { const t0 = Date.now(); while (Date.now() - t0 < 60_000) {} resolve(CONFIG); });', expect: TIMEOUT },
];

const SETTLING_MODULES: readonly Hostile[] = [
  { name: 'ok:interval-left-running', source: 'IMPORTS\nsetInterval(() => {}, 5);\nexport default CONFIG;', expect: OK },
  { name: 'ok:timeout-left-running', source: 'IMPORTS\nsetTimeout(() => {}, 600_000);\nexport default CONFIG;', expect: OK },
  { name: 'ok:delayed-promise', source: 'IMPORTS\nexport default new Promise((resolve) => setTimeout(() => resolve(CONFIG), 900));', expect: OK },
  { name: 'ok:fn-returning-promise', source: 'IMPORTS\nexport default (env) => new Promise((resolve) => setImmediate(() => resolve(CONFIG)));', expect: OK },
  { name: 'ok:thenable', source: 'IMPORTS\nexport default { then(resolve) { resolve(CONFIG); } };', expect: OK },
  { name: 'ok:process-exitCode', source: 'IMPORTS\nprocess.exitCode = 5;\nexport default CONFIG;', expect: OK },
  { name: 'ok:stdout-noise', source: "IMPORTS\nfor (let i = 0; i < 2000; i++) console.log('noise', i, '{\"schema\": \"kiln-report\"}');\nexport default CONFIG;", expect: OK },
  { name: 'ok:proxy', source: 'IMPORTS\nexport default new Proxy(CONFIG, {});', expect: OK },
  { name: 'ok:getters', source: 'IMPORTS\nconst c = CONFIG;\nexport default { get device() { return c.device; }, get model() { return c.model; } };', expect: OK },
  { name: 'ok:null-prototype', source: 'IMPORTS\nexport default Object.assign(Object.create(null), CONFIG);', expect: OK },
  { name: 'ok:frozen', source: 'IMPORTS\nexport default Object.freeze(CONFIG);', expect: OK },
  { name: 'ok:class-instance', source: 'IMPORTS\nconst c = CONFIG;\nclass Config { constructor() { Object.assign(this, c); } }\nexport default new Config();', expect: OK },
];

const THROWN = ["new Error('boom')", "'a string'", '{ code: 42 }', 'null', 'undefined', '42', "new TypeError('bad type')", 'Object.create(null)', "new Error('x'.repeat(100000))", 'Symbol("thrown")', "Object.assign(new Error('with cause'), { cause: new Error('inner') })"];

const THROW_MODULES: readonly Hostile[] = THROWN.flatMap((t, i): Hostile[] => [
  { name: `throw:top-${i}`, source: `IMPORTS\nthrow ${t};`, expect: errors(['KILN_E_CONFIG_LOAD']) },
  { name: `throw:fn-${i}`, source: `IMPORTS\nexport default (env) => { throw ${t}; };`, expect: errors(['KILN_E_CONFIG_LOAD']) },
  { name: `throw:async-${i}`, source: `IMPORTS\nexport default async () => { throw ${t}; };`, expect: errors(['KILN_E_CONFIG_LOAD']) },
  { name: `throw:reject-${i}`, source: `IMPORTS\nexport default Promise.reject(${t});`, expect: errors(['KILN_E_CONFIG_LOAD']) },
  { name: `throw:getter-${i}`, source: `IMPORTS\nconst c = CONFIG;\nexport default { ...c, get clockMHz() { throw ${t}; } };`, expect: errors(['KILN_E_CONFIG_LOAD']) },
  { name: `throw:recipe-${i}`, source: `IMPORTS\nexport default { device: 'xc7s15', model: graph({ window: 2, features: 2 }, () => { throw ${t}; }) };`, expect: errors(['KILN_E_CONFIG_LOAD']) },
]);

const OTHER_HOSTILE: readonly Hostile[] = [
  { name: 'exit:top-3', source: 'IMPORTS\nprocess.exit(3);\nexport default CONFIG;', expect: errors(['KILN_E_CONFIG_LOAD']) },
  { name: 'exit:top-0', source: 'IMPORTS\nprocess.exit(0);\nexport default CONFIG;', expect: errors(['KILN_E_CONFIG_LOAD']) },
  { name: 'exit:fn', source: 'IMPORTS\nexport default () => process.exit(3);', expect: errors(['KILN_E_CONFIG_LOAD']) },
  { name: 'exit:recipe', source: "IMPORTS\nexport default { device: 'xc7s15', model: graph({ window: 2, features: 2 }, () => process.exit(1)) };", expect: errors(['KILN_E_CONFIG_LOAD']) },
  { name: 'exit:later', source: 'IMPORTS\nsetTimeout(() => process.exit(7), 0);\nexport default new Promise(() => {});', expect: errors(['KILN_E_CONFIG_LOAD']) },
  { name: 'alloc:push-loop', source: 'IMPORTS\nconst a = [];\nwhile (true) a.push(new Array(1e6).fill(1.5));\nexport default CONFIG;', expect: errors(['KILN_E_CONFIG_LOAD', 'KILN_E_CONFIG_TIMEOUT']) },
  { name: 'alloc:string-doubling', source: "IMPORTS\nlet s = 'x';\nwhile (true) s += s;\nexport default CONFIG;", expect: errors(['KILN_E_CONFIG_LOAD', 'KILN_E_CONFIG_TIMEOUT']) },
  { name: 'alloc:object-loop', source: 'IMPORTS\nconst m = new Map();\nfor (let i = 0; ; i++) m.set(i, { i, s: String(i) });\nexport default CONFIG;', expect: errors(['KILN_E_CONFIG_LOAD', 'KILN_E_CONFIG_TIMEOUT']) },
  { name: 'alloc:filled-array', source: 'IMPORTS\nconst big = new Array(2 ** 28).fill(0);\nexport default CONFIG;', expect: errors(['KILN_E_CONFIG_LOAD', 'KILN_E_CONFIG_TIMEOUT']) },
  { name: 'alloc:holey-array', source: 'IMPORTS\nexport default new Array(2 ** 31);', expect: errors(['KILN_E_CONFIG_LOAD', 'KILN_E_CONFIG_TIMEOUT', 'KILN_E_CONFIG_SHAPE']) },
  { name: 'alloc:typed-array-export', source: 'IMPORTS\nexport default new Uint8Array(2 ** 30);', expect: errors(['KILN_E_CONFIG_LOAD', 'KILN_E_CONFIG_SHAPE']) },
  { name: 'alloc:array-buffers-held', source: 'IMPORTS\nconst held = [];\nfor (let i = 0; i < 16; i++) held.push(new Uint8Array(2 ** 26).fill(1));\nexport default CONFIG;', expect: ANY },
  { name: 'alloc:buffer-field', source: 'IMPORTS\nexport default { ...CONFIG, weights: { seed: 1, data: Buffer.alloc(2 ** 27) } };', expect: ANY },
  { name: 'alloc:big-array-field', source: 'IMPORTS\nexport default { ...CONFIG, layers: new Array(2e6).fill(0) };', expect: errors(['KILN_E_TYPE']) },
  { name: 'default:none', source: 'IMPORTS\nexport const config = CONFIG;', expect: errors(['KILN_E_CONFIG_LOAD'], 'no default export') },
  { name: 'default:none-plain', source: 'export const x = 1;', expect: errors(['KILN_E_CONFIG_LOAD'], 'no default export') },
  { name: 'default:empty-module', source: '// nothing here\n', expect: errors(['KILN_E_CONFIG_LOAD'], 'no default export') },
  { name: 'default:renamed', source: 'IMPORTS\nconst config = CONFIG;\nexport { config as defaults };', expect: errors(['KILN_E_CONFIG_LOAD'], 'no default export') },
  { name: 'syntax:unclosed', source: 'IMPORTS\nexport default {', expect: errors(['KILN_E_CONFIG_LOAD']) },
  { name: 'syntax:merge-marker', source: 'IMPORTS\n<<<<<<< HEAD\nexport default CONFIG;\n=======\n>>>>>>> other', expect: errors(['KILN_E_CONFIG_LOAD']) },
  { name: 'syntax:double-default', source: 'IMPORTS\nexport default default CONFIG;', expect: errors(['KILN_E_CONFIG_LOAD']) },
  { name: 'syntax:stray-paren', source: 'IMPORTS\nexport default CONFIG);', expect: errors(['KILN_E_CONFIG_LOAD']) },
  { name: 'syntax:two-defaults', source: 'IMPORTS\nexport default CONFIG;\nexport default CONFIG;', expect: errors(['KILN_E_CONFIG_LOAD']) },
  { name: 'syntax:import-meta', source: 'IMPORTS\nconst here = import.meta.url;\nexport default {;', expect: errors(['KILN_E_CONFIG_LOAD']) },
  // (The imported names are used: TypeScript drops imports it sees no value use of.)
  { name: 'import:missing-file', source: "IMPORTS\nimport { dims } from './dims.mjs';\nconsole.log(dims);\nexport default CONFIG;", expect: errors(['KILN_E_CONFIG_LOAD']) },
  { name: 'import:missing-package', source: "IMPORTS\nimport leftPad from 'definitely-not-installed-kiln-fuzz';\nconsole.log(leftPad);\nexport default CONFIG;", expect: errors(['KILN_E_CONFIG_LOAD']) },
  { name: 'import:missing-export', source: "import { transformerz } from 'kiln-fpga';\nexport default { device: 'xc7s15', model: transformerz({ window: 2, inputFeatures: 2, dModel: 2 }) };", expect: errors(['KILN_E_CONFIG_LOAD']) },
  { name: 'import:dynamic', source: "export default import('kiln-fpga').then(({ transformer }) => ({ device: 'xc7s15', model: transformer({ window: 2, inputFeatures: 2, dModel: 2 }) }));", expect: OK },
  { name: 'import:self', source: "IMPORTS\nimport self from './SELF';\nconsole.log(typeof self);\nexport default CONFIG;", expect: ANY },
  { name: 'globals:array-map', source: "IMPORTS\nArray.prototype.map = function () { throw new Error('tampered'); };\nexport default CONFIG;", expect: ANY },
  { name: 'globals:json', source: "IMPORTS\nJSON.stringify = () => { throw new Error('tampered'); };\nexport default CONFIG;", expect: ANY },
  { name: 'globals:object-then', source: 'IMPORTS\nconst c = CONFIG;\nObject.prototype.then = function () {};\nexport default c;', expect: ANY },
  { name: 'globals:promise-then', source: 'IMPORTS\nconst c = CONFIG;\nPromise.prototype.then = function () {};\nexport default c;', expect: ANY },
  { name: 'globals:object-keys', source: "IMPORTS\nconst c = CONFIG;\nObject.keys = () => ['device'];\nexport default c;", expect: ANY },
  { name: 'stray:microtask-spin', source: 'IMPORTS\nconst spin = () => Promise.resolve().then(spin);\nspin();\nexport default CONFIG;', expect: ANY },
  { name: 'stray:unhandled-rejection', source: "IMPORTS\nPromise.reject(new Error('later'));\nexport default CONFIG;", expect: ANY },
  { name: 'stray:late-throw', source: "IMPORTS\nsetTimeout(() => { throw new Error('late'); }, 0);\nexport default CONFIG;", expect: ANY },
  { name: 'stray:late-throw-pending', source: "IMPORTS\nsetTimeout(() => { throw new Error('late'); }, 0);\nexport default new Promise(() => {});", expect: errors(['KILN_E_CONFIG_LOAD']) },
];

const WEIRD_EXPORTS: readonly Hostile[] = [
  ...['42', "'xc7s15'", 'null', 'undefined', '[]', '[CONFIG]', 'true', 'Symbol("config")', '() => 42', '() => undefined', '() => () => CONFIG', 'new Map()', 'new Date(0)', '/config/', '12n'].map(
    (v, i): Hostile => ({ name: `export:${i}`, source: `IMPORTS\nexport default ${v};`, expect: errors(['KILN_E_CONFIG_SHAPE', 'KILN_E_CONFIG_LOAD', 'KILN_E_MISSING']) }),
  ),
  { name: 'export:class', source: 'IMPORTS\nexport default class Config {};', expect: errors(['KILN_E_CONFIG_SHAPE', 'KILN_E_CONFIG_LOAD']) },
  { name: 'cyclic:top', source: 'IMPORTS\nconst c = CONFIG;\nc.self = c;\nexport default c;', expect: errors(['KILN_E_UNKNOWN_KEY']) },
  { name: 'cyclic:defaults', source: 'IMPORTS\nconst d = { weightBits: 8 };\nd.again = d;\nexport default { ...CONFIG, defaults: d };', expect: errors(['KILN_E_UNKNOWN_KEY']) },
  { name: 'deep:1001', source: "IMPORTS\nlet deep = {};\nfor (let i = 0; i < 1001; i++) deep = { deep };\nexport default { ...CONFIG, kinds: deep };", expect: errors(['KILN_E_CONFIG_SHAPE', 'KILN_E_UNKNOWN_KIND']) },
  { name: 'deep:100000', source: "IMPORTS\nlet deep = {};\nfor (let i = 0; i < 100000; i++) deep = { deep };\nexport default { ...CONFIG, defaults: deep };", expect: errors(['KILN_E_CONFIG_SHAPE']) },
  { name: 'deep:array', source: "IMPORTS\nlet deep = [];\nfor (let i = 0; i < 50000; i++) deep = [deep];\nexport default { ...CONFIG, budget: deep };", expect: errors(['KILN_E_CONFIG_SHAPE', 'KILN_E_TYPE']) },
  { name: 'proxy:ownKeys-throws', source: "IMPORTS\nexport default new Proxy(CONFIG, { ownKeys() { throw new Error('trap'); } });", expect: errors(['KILN_E_CONFIG_LOAD']) },
  { name: 'proxy:get-throws', source: "IMPORTS\nexport default new Proxy(CONFIG, { get(t, k) { if (k === 'then') return undefined; throw new Error('trap ' + String(k)); } });", expect: errors(['KILN_E_CONFIG_LOAD']) },
  { name: 'proxy:model', source: "IMPORTS\nconst c = CONFIG;\nexport default { ...c, model: new Proxy(c.model, { get(t, k) { if (k === 'describe') throw new Error('no describe'); return t[k]; } }) };", expect: ANY },
  { name: 'proxy:revoked', source: 'IMPORTS\nconst { proxy, revoke } = Proxy.revocable({}, {});\nrevoke();\nexport default { ...CONFIG, defaults: proxy };', expect: errors(['KILN_E_CONFIG_LOAD', 'KILN_E_TYPE']) },
  { name: 'field:bigint-device', source: 'IMPORTS\nexport default { ...CONFIG, device: 15n };', expect: errors(['KILN_E_UNKNOWN_DEVICE']) },
  { name: 'field:bigint-clock', source: 'IMPORTS\nexport default { ...CONFIG, clockMHz: 100n };', expect: errors(['KILN_E_RANGE']) },
  { name: 'field:bigint-bits', source: 'IMPORTS\nexport default { ...CONFIG, defaults: { weightBits: 8n } };', expect: errors(['KILN_E_BITS']) },
  { name: 'field:bigint-budget', source: 'IMPORTS\nexport default { ...CONFIG, budget: 1n };', expect: errors(['KILN_E_TYPE', 'KILN_E_BUDGET']) },
  { name: 'field:bigint-seed', source: 'IMPORTS\nexport default { ...CONFIG, weights: { seed: 1n } };', expect: errors(['KILN_E_RANGE']) },
  { name: 'field:bigint-transformer', source: "IMPORTS\nexport default { device: 'xc7s15', model: transformer({ window: 8n, inputFeatures: 2, dModel: 4 }) };", expect: errors(['KILN_E_RANGE']) },
  { name: 'field:bigint-linear', source: "IMPORTS\nexport default { device: 'xc7s15', model: graph({ window: 2, features: 2 }, (g, x) => g.linear('fc', x, { out: 2n })) };", expect: errors(['KILN_E_RANGE']) },
  { name: 'field:symbol-device', source: "IMPORTS\nexport default { ...CONFIG, device: Symbol('xc7s15') };", expect: errors(['KILN_E_UNKNOWN_DEVICE']) },
  { name: 'field:symbol-buffer', source: "IMPORTS\nexport default { ...CONFIG, defaults: { buffer: Symbol('bram') } };", expect: errors(['KILN_E_STORAGE']) },
  { name: 'field:function-clock', source: 'IMPORTS\nexport default { ...CONFIG, clockMHz: () => 100 };', expect: errors(['KILN_E_RANGE']) },
  { name: 'field:boxed-device', source: "IMPORTS\nexport default { ...CONFIG, device: new String('xc7s15') };", expect: errors(['KILN_E_UNKNOWN_DEVICE']) },
  { name: 'field:boxed-clock', source: 'IMPORTS\nexport default { ...CONFIG, clockMHz: new Number(100) };', expect: errors(['KILN_E_RANGE']) },
  { name: 'field:date-clock', source: 'IMPORTS\nexport default { ...CONFIG, clockMHz: new Date(100) };', expect: errors(['KILN_E_RANGE']) },
  { name: 'field:map-defaults', source: "IMPORTS\nexport default { ...CONFIG, defaults: new Map([['weightBits', 4]]) };", expect: ANY },
  { name: 'field:typed-array-layers', source: 'IMPORTS\nexport default { ...CONFIG, layers: new Uint8Array(8) };', expect: ANY },
  { name: 'field:promise-device', source: "IMPORTS\nexport default { ...CONFIG, device: Promise.resolve('xc7s15') };", expect: errors(['KILN_E_UNKNOWN_DEVICE']) },
  { name: 'field:weakmap-kinds', source: 'IMPORTS\nexport default { ...CONFIG, kinds: new WeakMap() };', expect: ANY },
  { name: 'field:own-proto-key', source: "IMPORTS\nexport default { ...CONFIG, ['__proto__']: { device: 'xc7s6' } };", expect: ANY },
  { name: 'field:huge-device-string', source: "IMPORTS\nexport default { ...CONFIG, device: 'xc7s15'.repeat(200000) };", expect: errors(['KILN_E_UNKNOWN_DEVICE']) },
  { name: 'field:huge-key', source: "IMPORTS\nexport default { ...CONFIG, ['k'.repeat(1000000)]: 1 };", expect: errors(['KILN_E_UNKNOWN_KEY']) },
  ...[300, 100_000].map((n): Hostile => ({ name: `field:long-layer-name-${n}`, source: `IMPORTS\nconst name = 'l' + 'a'.repeat(${n});\nexport default { device: 'xc7s15', model: graph({ window: 2, features: 2 }, (g, x) => g.linear(name, x, { out: 2 })) };`, expect: ANY })),
  // (An array of ten million entries is refused by the config's data limit before it is copied, or as a type error.)
  { name: 'field:sparse-array-layers', source: 'IMPORTS\nconst a = [];\na[1e7] = 1;\nexport default { ...CONFIG, layers: a };', expect: errors(['KILN_E_TYPE', 'KILN_E_CONFIG_SHAPE']) },
];

const hostileArb = (list: readonly Hostile[], group: string): fc.Arbitrary<FuzzCase> =>
  fc.tuple(fc.constantFrom(...list), smallModel, fc.constantFrom(...DEVICES), envelopeArb, fc.constantFrom<Flavour>('mjs', 'mjs', 'mjs', 'ts')).map(([h, m, d, env, flavour]) => {
    const file = FILE_OF[flavour];
    const config = obj([['device', lit(d)], ['model', m.code]]);
    const imports = `import { defineConfig, transformer, graph } from 'kiln-fpga';`;
    const source = h.source.replaceAll('IMPORTS', imports).replaceAll('CONFIG', `(${config})`).replaceAll('SELF', file) + '\n';
    // A valid model that kiln build refuses (a buffer read twice) is still one estimate accepts.
    const unbuildable = m.unbuildable === true && h.expect === OK;
    return {
      family: `${group}/${h.name}`,
      ...project(env, file, source, flavour),
      expect: unbuildable ? { estimate: OK, build: errors(['KILN_E_UNSUPPORTED']) } : both(h.expect),
    };
  });

/** Offsets just after a `,`, `{` or `(` of a piece of code, outside its string literals. */
function structuralPositions(code: string): number[] {
  const out: number[] = [];
  let quote: string | undefined;
  for (let i = 0; i < code.length; i++) {
    const ch = code[i]!;
    if (quote) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = undefined;
    } else if (ch === "'" || ch === '"' || ch === '`') quote = ch;
    else if (ch === ',' || ch === '{' || ch === '(') out.push(i + 1);
  }
  return out.length > 0 ? out : [1];
}

/** Syntax errors: a valid config module cut off in the middle of its config, or with a stray token inserted. */
const syntaxCase: fc.Arbitrary<FuzzCase> = fc.tuple(smallModel, fc.constantFrom(...DEVICES), fc.nat(), fc.constantFrom('cut', 'token'), envelopeArb).map(([m, d, at, how, env]) => {
  const head = `import { defineConfig, transformer, graph } from 'kiln-fpga';\nexport default defineConfig(`;
  const config = obj([['device', lit(d)], ['model', m.code]]);
  let source: string;
  if (how === 'cut') {
    // Cut before the closing brace of the config object: the parenthesis of defineConfig( stays open.
    source = head + config.slice(0, at % config.length) + '\n';
  } else {
    // A stray token right after a comma or an opening brace (outside string literals).
    const spots = structuralPositions(config);
    const i = pick(spots, at);
    source = `${head}${config.slice(0, i)} @@ ${pick([')))', '{', '"', '`', 'export', '=>'], at)} ${config.slice(i)});\n`;
  }
  return { family: `hostile/syntax:${how}`, ...project(env, 'fpga.config.mjs', source, 'mjs'), expect: both(errors(['KILN_E_CONFIG_LOAD'])) };
});

/** JSON configs: a package.json "fpga" key, or --config naming a .json file. */
const jsonCase: fc.Arbitrary<FuzzCase> = fc
  .tuple(transformerOptions, fc.constantFrom(...DEVICES), fc.nat(7), fc.constantFrom('package-key', 'json-file', 'broken-package', 'broken-json'), envelopeArb, validSettingsValue(SETTINGS))
  .map(([o, d, which, where, env, defaults]) => {
    const good = { device: d, model: { transformer: o } };
    const variants: readonly [unknown, Verdict][] = [
      [good, OK],
      [{ ...good, clockMHz: 250 }, OK],
      [{ ...good, device: 'xc7s16' }, errors(['KILN_E_UNKNOWN_DEVICE'])],
      [{ ...good, clockMHz: '100' }, errors(['KILN_E_RANGE'])],
      [{ ...good, model: { transformer: { ...o, window: 0 } } }, errors(['KILN_E_RANGE'])],
      [{ ...good, model: 'transformer' }, errors(['KILN_E_TYPE'])],
      [{ ...good, layers: { 'encoder.0.ffn.fc11': { weightBits: 4 } } }, errors(['KILN_E_UNKNOWN_LAYER'])],
      [[good], errors(['KILN_E_CONFIG_SHAPE'])],
    ];
    const [value, expect] = pick(variants, which);
    const withDefaults = JSON.stringify(expect === OK ? { defaults, ...(value as object) } : value, null, 2);
    const mjs = `import { transformer } from 'kiln-fpga';\nexport default ${obj([['device', lit(d)], ['model', renderTransformer(o)]])};\n`;
    switch (where) {
      case 'package-key':
        return { family: 'json/package-key', ...project({ ...env, configFlag: false, packageJson: 9 }, 'package.json', `{ "name": "fuzz-project", "private": true, "fpga": ${withDefaults} }\n`, 'other'), expect: both(expect) };
      case 'json-file':
        return { family: 'json/file', ...project(env, 'kiln.json', withDefaults + '\n', 'other', {}, true), expect: both(expect) };
      case 'broken-package':
        // --config names a good file: package.json plays no part (README).
        return { family: 'json/broken-package-with-config', ...project({ ...env, packageJson: 9 }, 'fpga.config.mjs', mjs, 'mjs', { 'package.json': '{ "name": "fuzz", oops }' }, true), expect: both(OK) };
      case 'broken-json':
        return { family: 'json/broken-file', ...project(env, 'kiln.json', withDefaults.slice(0, Math.max(1, withDefaults.length - 3)) + '\n', 'other', {}, true), expect: both(errors(['KILN_E_CONFIG_LOAD'])) };
    }
  });

/** Many keys, long chains: a config that is large but not hostile must still answer within the limits. */
const stressCase: fc.Arbitrary<FuzzCase> = fc.tuple(fc.constantFrom('layer-keys', 'kind-keys', 'top-keys', 'long-chain'), fc.integer({ min: 100, max: 4000 }), envelopeArb).map(([what, n, env]) => {
  const imports = `import { defineConfig, transformer, graph } from 'kiln-fpga';\n`;
  const model = "transformer({ window: 4, inputFeatures: 2, dModel: 4 })";
  let source: string;
  let expect: Record<Command, Verdict>;
  switch (what) {
    case 'layer-keys': {
      const keys = Array.from({ length: n }, (_, i) => `    'encoder.0.ffn.fc${i + 3}': { weightBits: 4 },`).join('\n');
      source = `${imports}export default {\n  device: 'xc7s15',\n  model: ${model},\n  layers: {\n${keys}\n  },\n};\n`;
      expect = both(errors(['KILN_E_UNKNOWN_LAYER']));
      break;
    }
    case 'kind-keys': {
      const keys = Array.from({ length: n }, (_, i) => `    linear${i}: { weightBits: 4 },`).join('\n');
      source = `${imports}export default {\n  device: 'xc7s15',\n  model: ${model},\n  kinds: {\n${keys}\n  },\n};\n`;
      expect = both(errors(['KILN_E_UNKNOWN_KIND']));
      break;
    }
    case 'top-keys': {
      const keys = Array.from({ length: n }, (_, i) => `  device${i}: 'xc7s15',`).join('\n');
      source = `${imports}export default {\n  device: 'xc7s15',\n  model: ${model},\n${keys}\n};\n`;
      expect = both(errors(['KILN_E_UNKNOWN_KEY']));
      break;
    }
    default: {
      // A long chain of small layers: estimate must answer; a build may take longer than a small model's.
      const len = Math.min(n, 150);
      source = `${imports}export default {\n  device: 'xc7s100',\n  model: graph({ window: 2, features: 2 }, (g, x) => {\n    let h = x;\n    for (let i = 0; i < ${len}; i++) h = g.linear('l' + i, h, { out: 2 });\n    return h;\n  }),\n};\n`;
      expect = { estimate: OK, build: { exits: [0, 1, 2], codes: ['KILN_E_UNSUPPORTED'] } };
    }
  }
  return { family: `stress/${what}`, ...project(env, 'fpga.config.mjs', source, 'mjs'), expect };
});

// ───────────────────────────── the mix ─────────────────────────────

/**
 * Every case the fuzzer runs. About 40 % are valid configs (so builds are exercised), the rest invalid fields
 * and models, extreme sizes, hostile modules, odd exported values, JSON configs and large configs.
 */
export const fuzzCase: fc.Arbitrary<FuzzCase> = fc.oneof(
  { arbitrary: validCase, weight: 38 },
  { arbitrary: invalidFieldCase, weight: 18 },
  { arbitrary: invalidModelCase, weight: 14 },
  { arbitrary: extremeCase, weight: 5 },
  { arbitrary: hostileArb(SETTLING_MODULES, 'hostile'), weight: 3 },
  { arbitrary: hostileArb(TIMEOUT_MODULES, 'hostile'), weight: 3 },
  { arbitrary: hostileArb(THROW_MODULES, 'hostile'), weight: 3 },
  { arbitrary: hostileArb(OTHER_HOSTILE, 'hostile'), weight: 4 },
  { arbitrary: hostileArb(WEIRD_EXPORTS, 'weird'), weight: 4 },
  { arbitrary: syntaxCase, weight: 2 },
  { arbitrary: jsonCase, weight: 3 },
  { arbitrary: handmadeCase, weight: 2 },
  { arbitrary: stressCase, weight: 1 },
);

/** Mixes the run's seed and a case's index into the seed of that case (so any case can be regenerated alone). */
export function caseSeed(seed: number, index: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  h = Math.imul(h ^ (index + 0x7f4a7c15), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) | 0;
}

/** Case `index` of the run with `seed`: the same case every time, whatever the count. */
export function caseAt(seed: number, index: number): FuzzCase {
  return fc.sample(fuzzCase, { seed: caseSeed(seed, index), numRuns: 1 })[0]!;
}
