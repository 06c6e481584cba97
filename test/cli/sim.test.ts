/** `kiln sim` options and failure modes that do not depend on a simulation result. */
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSource, kiln, project } from '../helpers.js';
import { itGhdl } from '../hardware/_harness.js';

const small = configSource(`{ device: 'xc7s15', model: transformer({ window: 3, inputFeatures: 2, dModel: 4, ffnDim: 4 }) }`);

describe('kiln sim', () => {
  it('exits 2 with an install hint when GHDL is missing', async () => {
    const dir = project({ 'fpga.config.mjs': small });
    const saved = process.env.KILN_GHDL;
    process.env.KILN_GHDL = '/nonexistent/ghdl';
    try {
      const r = await kiln(['sim'], dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/\[KILN_E_TOOL\]: GHDL is not installed/);
      expect(r.stderr).toMatch(/apt-get install ghdl/);
    } finally {
      if (saved === undefined) delete process.env.KILN_GHDL;
      else process.env.KILN_GHDL = saved;
    }
  });

  it('names the nearest testbench for a misspelled --layer', async () => {
    const dir = project({ 'fpga.config.mjs': small });
    const r = await kiln(['sim', '--layer', 'encoder.0.ffn.fc3'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no layer 'encoder\.0\.ffn\.fc3' with a testbench/);
    expect(r.stderr).toMatch(/did you mean 'encoder\.0\.ffn\.fc(1|2)'\?/);
  });

  it('explains why a ReLU has no testbench of its own', async () => {
    const dir = project({ 'fpga.config.mjs': small });
    const r = await kiln(['sim', '--layer', 'encoder.0.ffn.relu'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/'encoder.0.ffn.relu' \(relu\) has no testbench of its own: it is applied on its producer's read path; the whole-model testbench 'transformer' covers it/);
  });

  it('rejects a bad --jobs value', async () => {
    const dir = project({ 'fpga.config.mjs': small });
    const r = await kiln(['sim', '--jobs', '0'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--jobs must be a positive integer/);
  });

  itGhdl('simulates one layer with --layer and reports JSON', async () => {
    const dir = project({ 'fpga.config.mjs': small });
    const r = await kiln(['sim', '--layer', 'encoder.0.attn.softmax', '--json'], dir);
    expect(r.code, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout) as { schema: string; results: { unit: string; status: string; cycles: number; expectedCycles: number }[] };
    expect(out.schema).toBe('kiln-sim');
    expect(out.results).toHaveLength(1);
    expect(out.results[0]).toMatchObject({ unit: 'encoder.0.attn.softmax', status: 'pass' });
    expect(out.results[0]!.cycles).toBe(out.results[0]!.expectedCycles);
  });

  it('rejects a bad --time-limit value', async () => {
    const dir = project({ 'fpga.config.mjs': small });
    for (const bad of ['0', '-3', 'soon']) {
      const r = await kiln(['sim', `--time-limit=${bad}`], dir);
      expect(r.code, bad).toBe(2);
      expect(r.stderr, bad).toMatch(/--time-limit must be a positive number of seconds/);
    }
  });

  itGhdl('a testbench that runs past --time-limit is stopped and reported naming the limit (exit 2)', async () => {
    const dir = project({ 'fpga.config.mjs': small });
    // a GHDL whose simulation never ends: analysis and elaboration are real, the run sleeps
    const fake = join(dir, 'slow-ghdl.sh');
    writeFileSync(fake, `#!/bin/sh\nif [ "$1" = "-r" ]; then exec sleep 60; fi\nexec ghdl "$@"\n`);
    chmodSync(fake, 0o755);
    const saved = process.env.KILN_GHDL;
    process.env.KILN_GHDL = fake;
    try {
      const started = Date.now();
      const r = await kiln(['sim', '--layer', 'encoder.0.attn.softmax', '--time-limit', '3', '--json'], dir);
      expect(r.code).toBe(2);
      expect(Date.now() - started).toBeLessThan(40_000);
      const out = JSON.parse(r.stdout) as { results: { status: string; message: string }[] };
      expect(out.results[0]).toMatchObject({ status: 'error', message: 'GHDL simulation ran past the time limit of 3 s and was stopped (raise it with --time-limit SECONDS)' });
    } finally {
      if (saved === undefined) delete process.env.KILN_GHDL;
      else process.env.KILN_GHDL = saved;
    }
  });

  itGhdl('an over-budget design: the verdict and exit 1 without simulating; --no-budget simulates it', async () => {
    const over = configSource(`{ device: 'xc7s6', budget: { lut: 0.05 }, model: transformer({ window: 3, inputFeatures: 2, dModel: 4, ffnDim: 4 }) }`);
    const dir = project({ 'fpga.config.mjs': over });
    const r = await kiln(['sim', '--json'], dir);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/kiln: not simulated: the design does not fit xc7s6 \(over on LUT.*\); --no-budget simulates it anyway/);
    expect(JSON.parse(r.stdout)).toMatchObject({ schema: 'kiln-sim', results: [], overBudget: expect.arrayContaining(['lut']) });
    const anyway = await kiln(['sim', '--no-budget', '--layer', 'encoder.0.attn.softmax'], dir);
    expect(anyway.stderr).toMatch(/\[1\/1\] PASS {2}encoder\.0\.attn\.softmax/);
    expect(anyway.code).toBe(0);
  });
});
