/**
 * The weights readers on well-formed files and on hostile ones: every lie a header can tell is an error naming
 * the problem (KILN_E_WEIGHTS), never a crash, an out-of-bounds read or a large allocation.
 */
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { isKilnError } from '../../src/dsl/diagnostics.js';
import { readOnnx, readSafetensors } from '../../src/params/index.js';

/** A safetensors file from a header object and a data section. */
function safetensors(header: unknown, data: Uint8Array, rawHeader?: string): Uint8Array {
  const text = new TextEncoder().encode(rawHeader ?? JSON.stringify(header));
  const out = new Uint8Array(8 + text.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  out.set(data, 8 + text.length);
  return out;
}

const f32 = (...v: number[]) => new Uint8Array(Float32Array.from(v).buffer);

function refusal(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    if (isKilnError(err)) return err.diagnostics.map((d) => `${d.code}: ${d.message}`).join('\n');
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('safetensors reader', () => {
  it('reads F32, F64, F16, BF16 and integer tensors, row-major, with metadata', () => {
    const f16 = new Uint8Array(new Uint16Array([0x3c00, 0xc000, 0x3555]).buffer); // 1, −2, ≈0.333
    const bf16 = new Uint8Array(new Uint16Array([0x3f80, 0xc040]).buffer); // 1, −3
    const f64 = new Uint8Array(Float64Array.of(0.1, -2.5).buffer);
    const i8 = Int8Array.of(-128, 5, 127);
    const data = new Uint8Array([...f32(1.5, -2, 3, 4), ...f64, ...f16, ...bf16, ...new Uint8Array(i8.buffer)]);
    const header = {
      __metadata__: { format: 'pt' },
      w: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] },
      d: { dtype: 'F64', shape: [2], data_offsets: [16, 32] },
      h: { dtype: 'F16', shape: [3], data_offsets: [32, 38] },
      b: { dtype: 'BF16', shape: [2], data_offsets: [38, 42] },
      q: { dtype: 'I8', shape: [3], data_offsets: [42, 45] },
    };
    const t = readSafetensors(safetensors(header, data), 'm.safetensors');
    expect(Array.from(t.get('w')!.data)).toEqual([1.5, -2, 3, 4]);
    expect(t.get('w')!.shape).toEqual([2, 2]);
    expect(Array.from(t.get('d')!.data)).toEqual([0.1, -2.5]);
    expect(t.get('h')!.data[0]).toBe(1);
    expect(t.get('h')!.data[1]).toBe(-2);
    expect(t.get('h')!.data[2]).toBeCloseTo(1 / 3, 3);
    expect(Array.from(t.get('b')!.data)).toEqual([1, -3]);
    expect(Array.from(t.get('q')!.data)).toEqual([-128, 5, 127]);
  });

  const valid = { w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } };
  const cases: [string, () => Uint8Array, RegExp][] = [
    ['an empty file', () => new Uint8Array(0), /0 bytes, fewer than the 8 of the header length/],
    ['a header length past the end', () => safetensors(valid, f32(1, 2)).subarray(0, 20), /runs past the end of the file.*truncated/],
    ['a header length of 2^60 (no allocation follows)', () => {
      const b = safetensors(valid, f32(1, 2));
      new DataView(b.buffer).setBigUint64(0, 1n << 60n, true);
      return b;
    }, /runs past the end/],
    ['a header that is not JSON', () => safetensors(null, f32(1, 2), '{"w": nope}'), /not valid UTF-8 JSON/],
    ['a header that does not start with {', () => safetensors(null, f32(1, 2), '["w"]'), /does not start with "\{"/],
    ['an unknown dtype', () => safetensors({ w: { dtype: 'C64', shape: [2], data_offsets: [0, 8] } }, f32(1, 2)), /dtype "C64"/],
    ['a negative dimension', () => safetensors({ w: { dtype: 'F32', shape: [-2], data_offsets: [0, 8] } }, f32(1, 2)), /shape \[-2\]/],
    ['a shape that lies about the size', () => safetensors({ w: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, f32(1, 2)), /spans 8 bytes, but 3 elements of F32 take 12/],
    ['offsets past the data (truncated data)', () => safetensors({ w: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, f32(1, 2)), /ends at byte 16 of the data, but the data has 8 bytes/],
    ['offsets begin after end', () => safetensors({ w: { dtype: 'F32', shape: [0], data_offsets: [8, 0] } }, f32(1, 2)), /begin after end/],
    ['overlapping tensors', () => safetensors({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, f32(1, 2)), /overlaps/],
    ['a hole in the data', () => safetensors({ a: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, f32(1, 2)), /bytes 0\.\.4 of the data belong to no tensor/],
    ['trailing bytes', () => safetensors({ a: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, f32(1, 2)), /bytes 4\.\.8 of the data belong to no tensor/],
    ['metadata that is not strings', () => safetensors({ __metadata__: { n: 1 }, ...valid }, f32(1, 2)), /"__metadata__" must map strings to strings/],
  ];
  for (const [name, file, message] of cases) {
    it(`refuses ${name}`, () => {
      expect(refusal(() => readSafetensors(file(), 'm.safetensors'))).toMatch(message);
    });
  }
});

describe('ONNX reader', () => {
  const { onnx } = createRequire(import.meta.url)('onnx-proto') as typeof import('onnx-proto');
  const model = (initializer: import('onnx-proto').onnx.ITensorProto[]) => onnx.ModelProto.encode({ irVersion: 7, graph: { name: 'g', initializer } }).finish();

  it('reads initializers from typed fields and from raw data', () => {
    const t = readOnnx(model([
      { name: 'fc.weight', dims: [2, 2], dataType: 1, floatData: [1, 2, 3, 4.5] },
      { name: 'fc.bias', dims: [2], dataType: 1, rawData: f32(0.25, -1) },
      { name: 'q', dims: [3], dataType: 6, int32Data: [-3, 0, 7] },
    ]), 'm.onnx');
    expect(Array.from(t.get('fc.weight')!.data)).toEqual([1, 2, 3, 4.5]);
    expect(t.get('fc.weight')!.shape).toEqual([2, 2]);
    expect(Array.from(t.get('fc.bias')!.data)).toEqual([0.25, -1]);
    expect(Array.from(t.get('q')!.data)).toEqual([-3, 0, 7]);
  });

  it('refuses bytes that are not an ONNX model, a size mismatch, external data and duplicate names', () => {
    expect(refusal(() => readOnnx(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x0f), 'm.onnx'))).toMatch(/not a valid ONNX model/);
    expect(refusal(() => readOnnx(model([{ name: 'w', dims: [3], dataType: 1, rawData: f32(1, 2) }]), 'm.onnx'))).toMatch(/8 bytes of raw data, but 3 elements of F32 take 12/);
    expect(refusal(() => readOnnx(model([{ name: 'w', dims: [2], dataType: 1, dataLocation: 1, externalData: [{ key: 'location', value: 'w.bin' }] }]), 'm.onnx'))).toMatch(/external file/);
    expect(refusal(() => readOnnx(model([{ name: 'w', dims: [1], dataType: 1, floatData: [1] }, { name: 'w', dims: [1], dataType: 1, floatData: [2] }]), 'm.onnx'))).toMatch(/two initializers are named 'w'/);
    expect(refusal(() => readOnnx(model([{ name: 'w', dims: [1], dataType: 8, stringData: [] }]), 'm.onnx'))).toMatch(/ONNX data type 8/);
  });
});
