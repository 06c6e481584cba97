/**
 * Progress of the commands that run a tool per unit (`kiln sim`, `kiln synth`). On a terminal (and not under
 * --json): a live bar (cli-progress) with done/total, the unit running longest and for how long, the elapsed
 * time and the time remaining, the finished units' lines printed above it. Elsewhere: those lines only, plus a
 * line when a long unit starts (the whole-model simulation ran silently for minutes).
 *
 * The work of a unit is what its time scales with (simulated cycles for GHDL), so the time remaining is the
 * work left at the rate the finished units went.
 */
import cliProgress from 'cli-progress';
import type { Io } from './commands/_shared.js';

export interface UnitProgress {
  /** A unit starts; `work` is its share of the total, `note` what it is when it is worth a line of its own. */
  start(unit: string, work: number, note?: string): void;
  /** A unit finished; `line` is printed (above the bar on a terminal). */
  finish(unit: string, work: number, line: string): void;
  stop(): void;
}

export interface ProgressOptions {
  /** 'sim', 'synth': the bar's label. */
  label: string;
  units: number;
  /** The sum of every unit's work. */
  totalWork: number;
  /** Under --json: never a live bar. */
  json: boolean;
}

/** A unit taking at least this share of the total work gets a start line off a terminal. */
const LONG_UNIT_SHARE = 0.25;

export function createProgress(io: Io, o: ProgressOptions): UnitProgress {
  return io.isTTY === true && !o.json ? liveProgress(o) : plainProgress(io, o);
}

function plainProgress(io: Io, o: ProgressOptions): UnitProgress {
  return {
    start(unit, work, note) {
      if (o.units > 1 && work >= LONG_UNIT_SHARE * o.totalWork) io.stderr(`[${o.label}] started ${unit}${note ? ` (${note})` : ''}\n`);
    },
    finish(_unit, _work, line) {
      io.stderr(line + '\n');
    },
    stop() {},
  };
}

function liveProgress(o: ProgressOptions): UnitProgress {
  const started = Date.now();
  const running = new Map<string, number>();
  let done = 0;
  let workDone = 0;
  const multibar = new cliProgress.MultiBar(
    {
      stream: process.stderr,
      format: `[${o.label}] {bar} {done}/{units} | {current} | elapsed {elapsed} | remaining {remaining}`,
      barsize: 24,
      // the cursor stays: a Ctrl-C exits at once (src/util/interrupt.ts), with no chance to show it again
      hideCursor: false,
      clearOnComplete: true,
      autopadding: true,
      etaBuffer: 1,
    },
    cliProgress.Presets.shades_classic,
  );
  const bar = multibar.create(Math.max(1, o.totalWork), 0, payload());
  function payload() {
    const now = Date.now();
    const longest = [...running.entries()].sort((a, b) => a[1] - b[1])[0];
    const elapsedS = (now - started) / 1000;
    // the work left at the rate the finished units went (nothing is known before the first finishes)
    const remainingS = workDone > 0 ? ((o.totalWork - workDone) * elapsedS) / workDone : undefined;
    return {
      done,
      units: o.units,
      current: longest ? `${longest[0]} ${formatSeconds((now - longest[1]) / 1000)}` : '-',
      elapsed: formatSeconds(elapsedS),
      remaining: remainingS === undefined ? '?' : formatSeconds(remainingS),
    };
  }
  const timer = setInterval(() => bar.update(workDone, payload()), 1000);
  timer.unref();
  return {
    start(unit) {
      running.set(unit, Date.now());
      bar.update(workDone, payload());
    },
    finish(unit, work, line) {
      running.delete(unit);
      done++;
      workDone += work;
      multibar.log(line + '\n');
      bar.update(workDone, payload());
    },
    stop() {
      clearInterval(timer);
      // a redraw first: it writes the finished units' lines still waiting for one
      multibar.update();
      multibar.stop();
    },
  };
}

export function formatSeconds(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const t = Math.round(s);
  return t < 60 ? `${t} s` : t < 3600 ? `${Math.floor(t / 60)} min ${String(t % 60).padStart(2, '0')} s` : `${Math.floor(t / 3600)} h ${String(Math.floor((t % 3600) / 60)).padStart(2, '0')} min`;
}
