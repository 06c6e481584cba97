/**
 * Tensors read from a weights file, whatever its format: a name, the stored element type, a shape and the
 * values as doubles (every float dtype kiln accepts, and integers up to 2^53, are exact in a double).
 */
import { fail } from '../dsl/diagnostics.js';

/** Element types kiln reads, by their safetensors names. */
export const DTYPES = {
  F64: { bytes: 8, float: true },
  F32: { bytes: 4, float: true },
  F16: { bytes: 2, float: true },
  BF16: { bytes: 2, float: true },
  I64: { bytes: 8, float: false },
  I32: { bytes: 4, float: false },
  I16: { bytes: 2, float: false },
  I8: { bytes: 1, float: false },
  U8: { bytes: 1, float: false },
} as const;
export type Dtype = keyof typeof DTYPES;

export interface Tensor {
  readonly name: string;
  readonly dtype: Dtype;
  readonly shape: readonly number[];
  /** Row-major values. */
  readonly data: Float64Array;
}

/** Where the tensors came from, for messages and reports. */
export interface TensorFile {
  readonly path: string;
  readonly format: 'safetensors' | 'onnx';
  readonly tensors: ReadonlyMap<string, Tensor>;
  /** SHA-256 of the file's bytes. */
  readonly sha256: string;
}

export const isDtype = (s: unknown): s is Dtype => typeof s === 'string' && Object.hasOwn(DTYPES, s);

/** Decodes `count` little-endian elements of `dtype` from `bytes` at `offset` (bounds checked by the caller). */
export function decode(bytes: Uint8Array, offset: number, count: number, dtype: Dtype, tensor: string, file: string): Float64Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, count * DTYPES[dtype].bytes);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    switch (dtype) {
      case 'F64':
        out[i] = view.getFloat64(i * 8, true);
        break;
      case 'F32':
        out[i] = view.getFloat32(i * 4, true);
        break;
      case 'F16':
        out[i] = half(view.getUint16(i * 2, true));
        break;
      case 'BF16':
        out[i] = bfloat16(view.getUint16(i * 2, true));
        break;
      case 'I64': {
        const v = view.getBigInt64(i * 8, true);
        if (v > BigInt(Number.MAX_SAFE_INTEGER) || v < BigInt(Number.MIN_SAFE_INTEGER)) {
          fail('KILN_E_WEIGHTS', ['weights', 'file'], `tensor '${tensor}' in ${file}: element ${i} (${v}) is beyond 2^53 and cannot be a kiln parameter`);
        }
        out[i] = Number(v);
        break;
      }
      case 'I32':
        out[i] = view.getInt32(i * 4, true);
        break;
      case 'I16':
        out[i] = view.getInt16(i * 2, true);
        break;
      case 'I8':
        out[i] = view.getInt8(i);
        break;
      case 'U8':
        out[i] = view.getUint8(i);
        break;
    }
  }
  return out;
}

/** IEEE 754 binary16. */
function half(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** bfloat16: the top half of a binary32. */
function bfloat16(b: number): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setUint32(0, b << 16);
  return view.getFloat32(0);
}

/** Elements of a shape, or undefined when it is not a list of non-negative safe integers or overflows. */
export function elementCount(shape: unknown): number | undefined {
  if (!Array.isArray(shape)) return undefined;
  let n = 1;
  for (const d of shape) {
    if (typeof d !== 'number' || !Number.isSafeInteger(d) || d < 0) return undefined;
    n *= d;
    if (!Number.isSafeInteger(n)) return undefined;
  }
  return n;
}
