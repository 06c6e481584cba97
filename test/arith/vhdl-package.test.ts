/**
 * The VHDL package kiln_arith against the TypeScript model (src/arith), in GHDL:
 *  - the package source, on a few thousand vectors computed by `requantize` in TypeScript;
 *  - the package after `ghdl --synth` (a VHDL netlist simulated on vectors per configuration), which catches
 *    constructs that synthesize differently from how they simulate (e.g. narrowing resize on signed);
 *  - the Verilog netlist accepted by yosys without latches.
 * Without ghdl these tests are skipped locally and fail in CI (CI=true), where ghdl must be installed.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { intRange, requantize } from '../../src/arith/index.js';
import { ARITH_PACKAGE_NAME, emitArithPackage } from '../../src/engines/_shared/arith-package.js';
import { ghdlAvailable, ghdlVersion, runGhdl, synthGhdl, type GhdlRunResult } from '../../src/toolchain/ghdl.js';
import { NETLIST_TB, SOURCE_TB, WRAPPER } from './testbenches.js';
import { generateVectors, minSignedWidth, prng, splitP, vectorFile } from './vectors.js';

const IN_CI = process.env.CI === 'true';
const HAVE_GHDL = ghdlAvailable();
const HAVE_YOSYS = spawnSync('yosys', ['-V'], { stdio: 'ignore' }).status === 0;
const VECTOR_COUNT = 4000;

if (!HAVE_GHDL && !IN_CI) {
  console.warn('kiln_arith VHDL tests SKIPPED: ghdl is not installed (apt-get install ghdl); CI requires it.');
}

const output = (r: GhdlRunResult) => `${r.stdout}\n${r.stderr}`;

describe('kiln_arith package text', () => {
  const text = emitArithPackage();

  it('is one VHDL-2008 package using only ieee.std_logic_1164 and ieee.numeric_std', () => {
    expect(ARITH_PACKAGE_NAME).toBe('kiln_arith');
    expect(text).toMatch(/^-- kiln_arith: /);
    expect(text).toContain('mirrors src/arith');
    expect(text.match(/^\s*library\s+\w+/gim)).toEqual(['library ieee']);
    expect(text.match(/^\s*use\s+[\w.]+/gim)).toEqual(['use ieee.std_logic_1164.all', 'use ieee.numeric_std.all']);
    expect(text).not.toMatch(/std_logic_arith|std_logic_signed|std_logic_unsigned|synopsys/i);
    expect(text.match(/^package\s+kiln_arith\s+is/gim)).toHaveLength(1);
    expect(text).toMatch(/^package body kiln_arith is/m);
  });

  it('declares the functions with the agreed signatures', () => {
    expect(text).toContain('function round_shift(x : signed; n : natural) return signed;');
    expect(text).toContain('function saturate(x : signed; bits : positive) return signed;');
    expect(text).toContain('function requantize(p : signed; n : natural; zero_point : integer; bits : positive) return signed;');
    expect(text).toContain('function clamp_relu(x : signed; zero_point : integer) return signed;');
  });

  it('has no real arithmetic, only statically bounded loops, no ascending ranges, and only widening resizes', () => {
    const code = text.replace(/--.*$/gm, '');
    expect(code).not.toMatch(/\breal\b|math_real|\bwhile\b|\bto\b(?!_)(?! BW - 1 loop)/i);
    // the one loop, in multiply_lut, runs over the bits of its operand: static bounds
    expect(code.match(/\bfor\b[^\n]*\bloop\b/g)).toEqual(['for i in 0 to BW - 1 loop']);
    // every resize target is a width at least the source's: resize(xv, XW + 1), resize(xv, bits) under XW <= bits,
    // resize(round_shift(p, n), SW) with SW > p'length + 1
    expect(code.match(/resize\([^;]*/g)).toEqual([
      'resize(xv, XW + 1)',
      'resize(xv, bits)',
      'resize(round_shift(p, n), SW) + to_signed(zero_point, SW)',
      'resize(av, AW + BW), i)',
      'resize(av, AW + BW), i)',
    ]);
    // argument checks are hidden from synthesis (GHDL 2.0 would emit $fatal into Verilog)
    const asserts = code.match(/\bassert\b/g) ?? [];
    const hidden = text.match(/-- pragma translate_off[\s\S]*?-- pragma translate_on/g) ?? [];
    expect(hidden.join('').match(/\bassert\b/g)?.length).toBe(asserts.length);
  });
});

describe('GHDL runner and ghdl presence', () => {
  it.runIf(!HAVE_GHDL && IN_CI)('ghdl must be installed in CI (apt-get install ghdl)', () => {
    expect.fail('ghdl is not on PATH; CI must install it (apt-get install ghdl)');
  });

  it.skipIf(!HAVE_GHDL)('reports the ghdl version', () => {
    expect(ghdlVersion()).toMatch(/^GHDL \d+\.\d+/);
  });
});

describe.skipIf(!HAVE_GHDL)('kiln_arith in GHDL equals src/arith (skipped without ghdl)', () => {
  let dir = '';
  let pkg = '';
  let tb = '';
  const vectors = generateVectors(VECTOR_COUNT);

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'kiln-arith-'));
    pkg = join(dir, 'kiln_arith.vhd');
    tb = join(dir, 'tb_kiln_arith.vhd');
    writeFileSync(pkg, emitArithPackage());
    writeFileSync(tb, SOURCE_TB);
  });
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it(`agrees on ${VECTOR_COUNT} vectors (ties, saturation at both ends, n = 0..62, widths 2..16, p up to 48 bits)`, async () => {
    const file = join(dir, 'vectors.txt');
    writeFileSync(file, vectorFile(vectors));
    const r = await runGhdl({ workDir: join(dir, 'work'), files: [pkg, tb], top: 'tb_kiln_arith', generics: { G_VECTORS: file } });
    expect(r.ok, output(r)).toBe(true);
    expect(r.exitCode).toBe(0);
    expect(output(r)).toContain(`kiln_arith: ${VECTOR_COUNT} vectors, 0 mismatches`);
  });

  it('fails (non-zero exit) when one expected value is wrong', async () => {
    const i = 1234;
    const v = vectors[i]!;
    const { max } = intRange(v.bits);
    const bad = [...vectors];
    bad[i] = { ...v, expected: v.expected === max ? v.expected - 1 : v.expected + 1 };
    const file = join(dir, 'vectors-corrupt.txt');
    writeFileSync(file, vectorFile(bad));
    const r = await runGhdl({ workDir: join(dir, 'work-corrupt'), files: [pkg, tb], top: 'tb_kiln_arith', generics: { G_VECTORS: file } });
    expect(r.ok).toBe(false);
    expect(r.phase).toBe('run');
    expect(r.exitCode).not.toBe(0);
    expect(output(r)).toContain(`kiln_arith mismatch: vector ${i + 1}:`);
    expect(output(r)).not.toContain('0 mismatches');
  });

  // Synthesized configurations: widths of p, shift, output width (n = 0, n = P_BITS, n > P_BITS, 2-bit output).
  const configs = [
    { P_BITS: 48, N: 30, BITS: 8 },
    { P_BITS: 24, N: 0, BITS: 16 },
    { P_BITS: 12, N: 14, BITS: 4 },
    { P_BITS: 20, N: 20, BITS: 16 },
    { P_BITS: 33, N: 12, BITS: 2 },
  ] as const;

  it.each(configs)('the synthesized netlist agrees too (P_BITS $P_BITS, N $N, BITS $BITS)', async (cfg) => {
    const sub = join(dir, `synth-${cfg.P_BITS}-${cfg.N}-${cfg.BITS}`);
    const wrapper = join(dir, 'kiln_arith_rq.vhd');
    writeFileSync(wrapper, WRAPPER);
    const s = await synthGhdl({ workDir: join(sub, 'src'), files: [pkg, wrapper], top: 'kiln_arith_rq', generics: cfg });
    expect(s.ok, s.stderr).toBe(true);
    expect(s.netlist).toMatch(/entity kiln_arith_rq is/);
    // p and zero points around the saturation thresholds and at random, for this configuration
    const r = prng(cfg.P_BITS * 1000 + cfg.N * 10 + cfg.BITS);
    const { min, max } = intRange(cfg.BITS);
    const lines: string[] = [];
    const pMin = -(1n << BigInt(cfg.P_BITS - 1));
    const pMax = (1n << BigInt(cfg.P_BITS - 1)) - 1n;
    for (let k = 0; k < 300; k++) {
      const zp = k % 7 === 0 ? min : k % 7 === 1 ? max : r.int(min, max);
      let p: bigint;
      if (k % 3 === 0) p = r.signed(r.int(1, cfg.P_BITS));
      else {
        const t = BigInt(r.pick([max, max + 1, min, min - 1, 0, r.int(min, max)]) - zp);
        p = (t << BigInt(cfg.N)) + (cfg.N === 0 ? 0n : r.bits(cfg.N) - (1n << BigInt(cfg.N - 1)));
      }
      if (k < 4) p = [pMin, pMax, 0n, -1n][k]!;
      if (p < pMin || p > pMax || minSignedWidth(p) > cfg.P_BITS) continue;
      const { hi, lo } = splitP(p);
      lines.push(`${hi} ${lo} ${zp} ${requantize(p, { m: 1, n: cfg.N }, zp, cfg.BITS)}`);
    }
    const netlist = join(sub, 'netlist.vhd');
    const tbNet = join(sub, 'tb_netlist.vhd');
    const file = join(sub, 'vectors.txt');
    writeFileSync(netlist, s.netlist);
    writeFileSync(tbNet, NETLIST_TB);
    writeFileSync(file, lines.join('\n') + '\n');
    const run = await runGhdl({
      workDir: join(sub, 'net'),
      files: [pkg, netlist, tbNet],
      top: 'tb_kiln_arith_netlist',
      generics: { G_VECTORS: file, ...cfg },
    });
    expect(run.ok, output(run)).toBe(true);
    expect(output(run)).toContain(`kiln_arith netlist: ${lines.length} vectors, 0 mismatches`);
  });

  it.runIf(!HAVE_YOSYS && IN_CI)('yosys must be installed in CI (apt-get install yosys)', () => {
    expect.fail('yosys is not on PATH; CI must install it (apt-get install yosys)');
  });

  it.skipIf(!HAVE_YOSYS)('synthesizes to Verilog that yosys reads, with no latches (skipped without yosys)', async () => {
    const sub = join(dir, 'yosys');
    const wrapper = join(dir, 'kiln_arith_rq.vhd');
    writeFileSync(wrapper, WRAPPER);
    const s = await synthGhdl({ workDir: sub, files: [pkg, wrapper], top: 'kiln_arith_rq', generics: { P_BITS: 34, N: 20, BITS: 8 }, out: 'verilog' });
    expect(s.ok, s.stderr).toBe(true);
    expect(s.netlist).not.toContain('$fatal');
    const v = join(sub, 'kiln_arith_rq.v');
    writeFileSync(v, s.netlist);
    const y = spawnSync(
      'yosys',
      ['-q', '-p', `read_verilog ${v}; hierarchy -top kiln_arith_rq; proc; flatten; opt; check -assert; select -assert-none t:$dlatch t:$adlatch t:$dlatchsr t:$_DLATCH_*`],
      { encoding: 'utf8', timeout: 60_000 },
    );
    expect(y.status, `${y.stdout}\n${y.stderr}`).toBe(0);
  });
});
