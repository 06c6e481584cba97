/**
 * Proof that a synthesized netlist is faithful: the repaired GHDL Verilog of a layer is simulated with
 * Icarus Verilog on the same vectors as the VHDL testbench, and must reproduce every expected output and
 * the same cycle count. (GHDL's VHDL testbench proves the VHDL; this proves what yosys is given.)
 */
import { spawn, spawnSync } from 'node:child_process';
import { onInterrupt } from '../util/interrupt.js';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestbenchEntry } from '../emitters/vhdl/index.js';
import { addressBits } from '../devices/mapping.js';
import type { LayerNode } from '../ir/types.js';
import { ToolMissingError } from '../toolchain/ghdl.js';

const IVERILOG_HINT = 'install it with `apt-get install iverilog` on Debian/Ubuntu';

let probed: string | undefined | null = null;
export function iverilogVersion(): string | undefined {
  if (probed === null) {
    const r = spawnSync('iverilog', ['-V'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    probed = r.error === undefined ? (r.stdout || r.stderr).split('\n')[0]?.trim() : undefined;
  }
  return probed;
}

/** Decimal vector file (with '#' comments) → $readmemh file of 32-bit two's complement words. */
function toHex(decimalFile: string, hexFile: string): number {
  const values = readFileSync(decimalFile, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'))
    .map(Number);
  writeFileSync(hexFile, values.map((v) => (v >>> 0).toString(16).padStart(8, '0')).join('\n') + '\n');
  return values.length;
}

export function verilogTestbench(node: LayerNode, tb: TestbenchEntry): string {
  const e = node.name;
  const ports = node.inputs.map((inp, p) => ({ p, aw: addressBits(inp.elements), bits: inp.bits, n: inp.elements }));
  const out = node.output;
  return `\`timescale 1ns/1ps
// Netlist check of '${node.path}': same vectors and expected cycles as its VHDL testbench.
module ${e}_vtb;
  reg clk = 0;
  always #5 clk = ~clk;
  reg enable = 0;
  wire done;
${ports.map(({ p, aw, bits, n }) => `  wire [${aw - 1}:0] x${p}_addr;\n  reg [${bits - 1}:0] x${p}_data = 0;\n  reg [31:0] X${p} [0:${n - 1}];`).join('\n')}
  reg [${addressBits(out.elements) - 1}:0] y_addr = 0;
  wire [${out.bits - 1}:0] y_data;
  reg [31:0] EXPECTED [0:${out.elements - 1}];
  integer cycles, i, mismatches, reported;

  ${e} dut (.clk(clk), .enable(enable), .done(done),${ports.map(({ p }) => ` .x${p}_addr(x${p}_addr), .x${p}_data(x${p}_data),`).join('')} .y_addr(y_addr), .y_data(y_data));

${ports.map(({ p, bits }) => `  always @(posedge clk) x${p}_data <= X${p}[x${p}_addr][${bits - 1}:0];`).join('\n')}

  initial begin
${ports.map(({ p }) => `    $readmemh("x${p}.hex", X${p});`).join('\n')}
    $readmemh("y.hex", EXPECTED);
    cycles = 0; mismatches = 0; reported = 0;
    @(negedge clk) enable = 1;
    while (done !== 1'b1) begin
      @(negedge clk);
      cycles = cycles + 1;
      if (cycles > ${2 * tb.expectedCycles + 100}) begin
        $display("KILN_TIMEOUT");
        $finish;
      end
    end
    $display("KILN_CYCLES %0d", cycles);
    for (i = 0; i < ${out.elements}; i = i + 1) begin
      y_addr = i;
      @(negedge clk);
      if (y_data !== EXPECTED[i][${out.bits - 1}:0]) begin
        mismatches = mismatches + 1;
        if (reported < 10) begin
          $display("KILN_MISMATCH index %0d expected %0d got %0d", i, $signed(EXPECTED[i][${out.bits - 1}:0]), $signed(y_data));
          reported = reported + 1;
        end
      end
    end
    if (mismatches > 0) $display("KILN_RESULT FAIL %0d of ${out.elements} outputs differ", mismatches);
    else $display("KILN_RESULT PASS ${out.elements} outputs");
    $finish;
  end
endmodule
`;
}

export interface NetlistSimResult {
  ok: boolean;
  cycles?: number;
  mismatches: number;
  message?: string;
}

/** Compiles netlist + testbench with iverilog in `dir` and runs it. */
export async function simulateNetlist(dir: string, netlistFile: string, node: LayerNode, tb: TestbenchEntry, outDir: string): Promise<NetlistSimResult> {
  if (iverilogVersion() === undefined) throw new ToolMissingError('iverilog', IVERILOG_HINT);
  node.inputs.forEach((_, p) => toHex(join(outDir, tb.vectors[`X${p}_FILE`]!), join(dir, `x${p}.hex`)));
  toHex(join(outDir, tb.vectors.Y_FILE!), join(dir, 'y.hex'));
  writeFileSync(join(dir, 'netlist_tb.v'), verilogTestbench(node, tb));
  const compile = await run('iverilog', ['-g2012', '-o', 'netlist.vvp', '-s', `${node.name}_vtb`, netlistFile, 'netlist_tb.v'], dir);
  if (compile.code !== 0) return { ok: false, mismatches: 0, message: `iverilog could not compile the netlist: ${compile.out.trim().split('\n')[0]}` };
  const sim = await run('vvp', ['-n', 'netlist.vvp'], dir);
  const cycles = /KILN_CYCLES (\d+)/.exec(sim.out);
  const failed = /KILN_RESULT FAIL (\d+)/.exec(sim.out);
  const passed = /KILN_RESULT PASS/.test(sim.out);
  const result: NetlistSimResult = { ok: passed, mismatches: failed ? Number(failed[1]) : 0, ...(cycles ? { cycles: Number(cycles[1]) } : {}) };
  if (!passed) return { ...result, ok: false, message: failed ? `${failed[1]} outputs of the netlist differ from the reference` : `netlist simulation failed: ${sim.out.trim().split('\n').at(-1)}` };
  if (result.cycles !== tb.expectedCycles) return { ...result, ok: false, message: `netlist took ${result.cycles} cycles, expected ${tb.expectedCycles}` };
  return result;
}

function run(cmd: string, args: string[], cwd: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (out += d));
    const stop = onInterrupt(() => child.kill('SIGKILL'));
    child.on('error', (err) => {
      stop();
      reject(err);
    });
    child.on('close', (code) => {
      stop();
      resolve({ code, out });
    });
  });
}
