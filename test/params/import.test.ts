/**
 * Importing trained models through the CLI: a file written independently of kiln (numpy, following the
 * safetensors specification) for a transformer of another shape imports and builds, and every bad input of issue
 * 11 (item 8) is a clear error, exit 2, nothing written: missing, empty and truncated weights files, a header that
 * lies, NaN weights, a wrong shape or dtype, a missing tensor, and bad data (CSV columns, cells, length; .npy rank).
 */
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSource, kiln, project, ROOT } from '../helpers.js';

const OTHER = `transformer({ window: 12, inputFeatures: 3, outputs: 2, dModel: 8, heads: 2, ffnDim: 16, encoderLayers: 2 })`;
const otherWeights = () => readFileSync(join(ROOT, 'models', 'other-shape', 'model.safetensors'));

/** A project with the other-shape model, its weights (possibly altered) and an optional data file. */
function otherProject(weights: Uint8Array | string, extra = '', files: Record<string, string> = {}): string {
  const dir = project({ 'fpga.config.mjs': configSource(`{ device: 'xc7s50', model: ${OTHER}, weights: { file: 'model.safetensors' }${extra} }`), ...files });
  if (typeof weights !== 'string') writeFileSync(join(dir, 'model.safetensors'), weights);
  return dir;
}

/** The safetensors file with its header edited (its length field kept consistent). */
function withHeader(bytes: Uint8Array, edit: (h: Record<string, { dtype: string; shape: number[]; data_offsets: number[] }>) => void): Uint8Array {
  const n = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(0, true));
  const header = JSON.parse(Buffer.from(bytes.subarray(8, 8 + n)).toString('utf8'));
  edit(header);
  const text = Buffer.from(JSON.stringify(header));
  const out = Buffer.alloc(8 + text.length + bytes.length - 8 - n);
  out.writeBigUInt64LE(BigInt(text.length), 0);
  text.copy(out, 8);
  Buffer.from(bytes.subarray(8 + n)).copy(out, 8 + text.length);
  return out;
}

async function refused(dir: string, message: RegExp, code = 'KILN_E_WEIGHTS'): Promise<void> {
  const r = await kiln(['build'], dir);
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr).toMatch(new RegExp(`\\[${code}\\]`));
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/internal error|KILN_E_INTERNAL/);
  expect(existsSync(join(dir, 'build'))).toBe(false);
}

describe('importing a model written independently of kiln', () => {
  it('imports and builds the other-shape safetensors file (numpy-written), and its ONNX twin', async () => {
    const dir = otherProject(otherWeights());
    const r = await kiln(['build', '--json'], dir);
    expect(r.code, r.stderr).toBe(0);
    const report = JSON.parse(r.stdout) as { weights: { source: string; format: string; sha256: string } };
    expect(report.weights).toMatchObject({ source: 'file', format: 'safetensors' });
    const onnx = project({ 'fpga.config.mjs': configSource(`{ device: 'xc7s50', model: ${OTHER}, weights: { file: 'model.onnx' } }`) });
    copyFileSync(join(ROOT, 'models', 'other-shape', 'model.onnx'), join(onnx, 'model.onnx'));
    expect((await kiln(['build'], onnx)).code).toBe(0);
  });

  it('refuses a truncated copy with exit 2', async () => {
    const bytes = otherWeights();
    await refused(otherProject(bytes.subarray(0, bytes.length - 100)), /model\.safetensors is not a valid safetensors file: tensor '.*' ends at byte \d+ of the data.*truncated/);
  });
});

describe('bad weights', () => {
  it('a missing file', async () => refused(otherProject('none'), /cannot read the weights file model\.safetensors: it does not exist/));
  it('an empty file', async () => refused(otherProject(new Uint8Array(0)), /the weights file model\.safetensors is empty/));
  it('a header that lies about a size', async () => refused(otherProject(withHeader(otherWeights(), (h) => void (h['output_linear.bias']!.shape = [3]))), /tensor 'output_linear\.bias' spans 8 bytes, but 3 elements of F32 take 12/));
  it('a header that lies about offsets', async () =>
    refused(otherProject(withHeader(otherWeights(), (h) => void (h['output_linear.bias']!.data_offsets = [0, 8]))), /overlaps|belong to no tensor/));
  it('NaN weights, with their index', async () => {
    const bytes = Buffer.from(otherWeights());
    const n = Number(bytes.readBigUInt64LE(0));
    const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8'));
    const [begin] = header['encoder.1.ffn.fc1.weight'].data_offsets as number[];
    bytes.writeFloatLE(NaN, 8 + n + begin! + 4 * 9); // element 9 of [16, 8]: row 1, column 1
    await refused(otherProject(bytes), /tensor 'encoder\.1\.ffn\.fc1\.weight' for layer 'encoder\.1\.ffn\.fc1' holds NaN at index 9 \(\[1, 1\]\)/);
  });
  it('a wrong shape, naming the tensor, the layer and both shapes', async () => {
    const dir = project({ 'fpga.config.mjs': configSource(`{ device: 'xc7s50', model: ${OTHER.replace('ffnDim: 16', 'ffnDim: 32')}, weights: { file: 'model.safetensors' } }`) });
    writeFileSync(join(dir, 'model.safetensors'), otherWeights());
    await refused(dir, /tensor 'encoder\.0\.ffn\.fc1\.weight' for layer 'encoder\.0\.ffn\.fc1' has shape \[16, 8\] in model\.safetensors; the layer needs \[32, 8\]/);
  });
  it('a tensor the file does not have', async () => {
    const dir = project({ 'fpga.config.mjs': configSource(`{ device: 'xc7s50', model: ${OTHER}, weights: { file: 'model.safetensors', map: { 'encoder.0.attn.q': 'encoder.0.attn.query' } } }`) });
    writeFileSync(join(dir, 'model.safetensors'), otherWeights());
    await refused(dir, /tensor 'encoder\.0\.attn\.query\.weight' for layer 'encoder\.0\.attn\.q' \(linear, weight of shape \[8, 8\]\) is not in model\.safetensors/);
  });
  it('a dtype that is not a float', async () => {
    const bytes = withHeader(otherWeights(), (h) => void (h['output_linear.bias']!.dtype = 'I32'));
    await refused(otherProject(bytes), /tensor 'output_linear\.bias' for layer 'output_linear' holds I32 integers; this parameter must be a float/);
  });
});
