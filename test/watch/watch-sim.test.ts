/**
 * kiln watch --sim: after a save, GHDL re-runs only the testbenches of the rebuilt layers (the changed one and those
 * downstream, whose replayed activations changed) and the model's when the top level changed.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect } from 'vitest';
import { buildProject } from '../../src/build/index.js';
import { startWatch, type WatchEvent, type Watcher } from '../../src/watch/watcher.js';
import { itGhdl } from '../hardware/_harness.js';
import { project } from '../helpers.js';
import { config } from './_helpers.js';

const TINY = `transformer({ window: 3, inputFeatures: 2, dModel: 4, ffnDim: 4 })`;

const open: Watcher[] = [];
afterEach(async () => {
  for (const w of open.splice(0)) await w.close();
});

/** Resolves with the next event of a type, waiting as long as GHDL needs. */
function nextEvent<T extends WatchEvent['type']>(events: WatchEvent[], listeners: (() => void)[], type: T, from: number): Promise<{ event: Extract<WatchEvent, { type: T }>; index: number }> {
  return new Promise((resolve) => {
    const check = () => {
      const i = events.findIndex((e, k) => k >= from && e.type === type);
      if (i < 0) listeners.push(check);
      else resolve({ event: events[i] as Extract<WatchEvent, { type: T }>, index: i + 1 });
    };
    check();
  });
}

describe('kiln watch --sim', () => {
  itGhdl(
    'simulates only the changed layers, then the whole model when the top level changed',
    async () => {
      const dir = project({ 'fpga.config.ts': config('', TINY) });
      const first = await buildProject({ cwd: dir }); // up to date: the watch's first build has nothing to simulate
      // Testbenches downstream of attn.v replay activations recorded through it: their vectors change with it.
      const reach = new Set(['encoder.0.attn.v']);
      for (const l of first.design.layers) if (l.inputs.some((i) => reach.has(i.from))) reach.add(l.path);
      const afterV = first.design.layers.filter((l) => reach.has(l.path) && l.role === 'scheduled').map((l) => l.path);
      expect(afterV.slice(0, 3)).toEqual(['encoder.0.attn.v', 'encoder.0.attn.context', 'encoder.0.attn.out']);
      const events: WatchEvent[] = [];
      const listeners: (() => void)[] = [];
      const w = await startWatch({
        cwd: dir,
        sim: true,
        jobs: 2,
        onEvent: (e) => {
          events.push(e);
          for (const l of listeners.splice(0)) l();
        },
      });
      open.push(w);
      await w.ready;
      let at = (await nextEvent(events, listeners, 'watching', 0)).index;
      expect(events.some((e) => e.type === 'sim-start')).toBe(false);

      writeFileSync(join(dir, 'fpga.config.ts'), config(`layers: { 'encoder.0.attn.v': { weightBits: 5 } }`, TINY));
      const s1 = await nextEvent(events, listeners, 'sim-start', at);
      expect(s1.event.testbenches.map((t) => t.unit)).toEqual(afterV);
      const r1 = await nextEvent(events, listeners, 'sim-end', s1.index);
      expect(r1.event.results.map((r) => [r.unit, r.status])).toEqual(afterV.map((u) => [u, 'pass']));
      at = r1.index;

      writeFileSync(join(dir, 'fpga.config.ts'), config(`layers: { 'encoder.0.attn.v': { weightBits: 5, outputBits: 6 } }`, TINY));
      const s2 = await nextEvent(events, listeners, 'sim-start', at);
      expect(s2.event.testbenches.map((t) => t.unit)).toEqual([...afterV, 'transformer']);
      const r2 = await nextEvent(events, listeners, 'sim-end', s2.index);
      expect(r2.event.results.every((r) => r.status === 'pass'), JSON.stringify(r2.event.results)).toBe(true);
      expect(r2.event.results.find((r) => r.unit === 'transformer')!.cycles).toBe(r2.event.results.find((r) => r.unit === 'transformer')!.expectedCycles);
    },
    600_000,
  );
});
