/**
 * Collects fuzz results (test/fuzz/runner.ts) into counts, distributions and reproductions, for
 * bench/fuzz.ts (bench/results/fuzz.{md,json}) and the suite test's log.
 */
import { isValidCase } from './generators.js';
import { KNOWN_FAILURES } from './known-failures.js';
import { CATEGORIES, reproduction, type CaseResult, type Category, type Failure, type RunRecord } from './runner.js';

export interface Distribution {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface Example {
  case: number;
  family: string;
  run: string;
  message: string;
  observed: string;
  reproduction: string;
}

export interface Summary {
  cases: number;
  validCases: number;
  runs: number;
  families: Record<string, number>;
  /** By run label (`estimate`, `build --json`, `previous build`…): exit code → runs. */
  exitCodes: Record<string, Record<string, number>>;
  wallMs: Record<string, Distribution>;
  rssMB: Record<string, Distribution>;
  /** Runs over 5 s of wall time (all runs, and those whose config did not time out). */
  over5s: { all: number; withoutConfigTimeout: number };
  failures: Record<Category, { count: number; cases: number; known: number; examples: Example[] }>;
  known: { id: string; title: string; reproduction: string; runs: number; cases: number; examples: Example[] }[];
  /** Failing (not known) cases. */
  failingCases: number;
}

export function percentiles(xs: readonly number[]): Distribution {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => (s.length === 0 ? 0 : s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))]!);
  return { n: s.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: s.length === 0 ? 0 : s[s.length - 1]! };
}

const MAX_EXAMPLES = 10;

function observed(r: RunRecord | undefined): string {
  if (!r) return '';
  const exit = r.killed ? 'killed at the hard cap' : r.code !== null ? `exit ${r.code}` : `died of ${r.signal}`;
  const err = r.stderrHead.trim().split('\n').slice(0, 12).join('\n');
  const out = r.json ? `\nstdout: ${r.stdoutHead.slice(0, 600)}` : '';
  return `${exit}, ${(r.wallMs / 1000).toFixed(2)} s, ${r.rssMB ?? '?'} MB\nstderr:\n${err}${out}`;
}

export class Collector {
  readonly #results: CaseResult[] = [];
  readonly #wall = new Map<string, number[]>();
  readonly #rss = new Map<string, number[]>();
  readonly #exit = new Map<string, Map<string, number>>();
  readonly #families = new Map<string, number>();
  readonly #failures = new Map<Category, { count: number; cases: Set<number>; known: number; examples: Example[] }>();
  readonly #known = new Map<string, { runs: number; cases: Set<number>; examples: Example[] }>();
  #cases = 0;
  #valid = 0;
  #runs = 0;
  #over5 = 0;
  #over5NoTimeout = 0;
  #failingCases = 0;

  constructor(readonly configTimeoutS = 3) {}

  add(r: CaseResult): void {
    this.#cases++;
    if (r.fuzzCase.runs.length > 0 && isValidCase(r.fuzzCase)) this.#valid++;
    const group = r.fuzzCase.family.split(':')[0]!;
    this.#families.set(group, (this.#families.get(group) ?? 0) + 1);
    for (const run of r.runs) {
      this.#runs++;
      const cmd = run.label === 'previous build' ? 'previous build' : run.command;
      for (const key of ['all', cmd]) {
        push(this.#wall, key, run.wallMs);
        if (run.rssMB !== null) push(this.#rss, key, run.rssMB);
      }
      const timedOut = run.diagnostics.includes('KILN_E_CONFIG_TIMEOUT');
      if (!timedOut) push(this.#wall, 'all, config did not time out', run.wallMs);
      if (run.wallMs > 5000) {
        this.#over5++;
        if (!timedOut) this.#over5NoTimeout++;
      }
      const codes = this.#exit.get(run.label) ?? new Map<string, number>();
      const code = run.killed ? 'killed' : run.code !== null ? String(run.code) : String(run.signal);
      codes.set(code, (codes.get(code) ?? 0) + 1);
      this.#exit.set(run.label, codes);
    }
    let failing = false;
    for (const f of r.failures) {
      const slot = this.#failures.get(f.category) ?? { count: 0, cases: new Set<number>(), known: 0, examples: [] };
      this.#failures.set(f.category, slot);
      const example = (): Example => ({
        case: r.index,
        family: r.fuzzCase.family,
        run: f.run,
        message: f.message,
        observed: observed(r.runs.find((x) => x.label === f.run)),
        reproduction: reproduction(r.fuzzCase, f.run, this.configTimeoutS),
      });
      if (f.known !== undefined) {
        slot.known++;
        const k = this.#known.get(f.known) ?? { runs: 0, cases: new Set<number>(), examples: [] };
        this.#known.set(f.known, k);
        k.runs++;
        if (!k.cases.has(r.index) && k.examples.length < 3) k.examples.push(example());
        k.cases.add(r.index);
        continue;
      }
      failing = true;
      slot.count++;
      if (!slot.cases.has(r.index) && slot.examples.length < MAX_EXAMPLES) slot.examples.push(example());
      slot.cases.add(r.index);
    }
    if (failing) this.#failingCases++;
    this.#results.push(r);
    // Only the counts are needed later; the results of passing cases can go.
    if (!failing) this.#results.pop();
  }

  get failingCases(): number {
    return this.#failingCases;
  }

  get knownRuns(): number {
    return [...this.#known.values()].reduce((n, k) => n + k.runs, 0);
  }

  get cases(): number {
    return this.#cases;
  }

  get runs(): number {
    return this.#runs;
  }

  /** Exit codes over all runs (for progress lines). */
  exitTotals(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const m of this.#exit.values()) for (const [k, v] of m) out[k] = (out[k] ?? 0) + v;
    return out;
  }

  /** The failures that are not known bugs. */
  unknownFailures(): { index: number; family: string; failure: Failure }[] {
    return this.#results.flatMap((r) => r.failures.filter((f) => f.known === undefined).map((failure) => ({ index: r.index, family: r.fuzzCase.family, failure })));
  }

  summary(): Summary {
    const failures = Object.fromEntries(
      CATEGORIES.map((c) => {
        const s = this.#failures.get(c);
        return [c, { count: s?.count ?? 0, cases: s?.cases.size ?? 0, known: s?.known ?? 0, examples: s?.examples ?? [] }];
      }),
    ) as Summary['failures'];
    return {
      cases: this.#cases,
      validCases: this.#valid,
      runs: this.#runs,
      families: Object.fromEntries([...this.#families].sort((a, b) => b[1] - a[1])),
      exitCodes: Object.fromEntries([...this.#exit].sort().map(([label, m]) => [label, Object.fromEntries([...m].sort())])),
      wallMs: Object.fromEntries([...this.#wall].map(([k, v]) => [k, percentiles(v)])),
      rssMB: Object.fromEntries([...this.#rss].map(([k, v]) => [k, percentiles(v)])),
      over5s: { all: this.#over5, withoutConfigTimeout: this.#over5NoTimeout },
      failures,
      known: KNOWN_FAILURES.map((k) => {
        const seen = this.#known.get(k.id);
        return { id: k.id, title: k.title, reproduction: k.reproduction, runs: seen?.runs ?? 0, cases: seen?.cases.size ?? 0, examples: seen?.examples ?? [] };
      }),
      failingCases: this.#failingCases,
    };
  }
}

function push(m: Map<string, number[]>, k: string, v: number): void {
  const xs = m.get(k) ?? [];
  xs.push(v);
  m.set(k, xs);
}
