/**
 * NumPy's .npy format (versions 1 to 3): the magic "\x93NUMPY", a version, a header length, a Python-literal
 * header {'descr': '<f4', 'fortran_order': False, 'shape': (…)}, then the array in C order. Read as hostile input:
 * the shape must match the data's size before anything is allocated from it.
 */
import { fail } from '../dsl/diagnostics.js';

export interface NpyArray {
  readonly shape: readonly number[];
  readonly data: Float64Array;
}

const TYPES: Record<string, { bytes: number; read: (v: DataView, at: number, little: boolean) => number }> = {
  f8: { bytes: 8, read: (v, at, le) => v.getFloat64(at, le) },
  f4: { bytes: 4, read: (v, at, le) => v.getFloat32(at, le) },
  i8: { bytes: 8, read: (v, at, le) => Number(v.getBigInt64(at, le)) },
  i4: { bytes: 4, read: (v, at, le) => v.getInt32(at, le) },
  i2: { bytes: 2, read: (v, at, le) => v.getInt16(at, le) },
  i1: { bytes: 1, read: (v, at) => v.getInt8(at) },
  u1: { bytes: 1, read: (v, at) => v.getUint8(at) },
};

export function readNpy(bytes: Uint8Array, file: string, field: readonly (string | number)[]): NpyArray {
  const bad = (message: string): never => fail('KILN_E_DATA', field, `${file} is not a usable .npy array: ${message}`, 'save it with numpy.save(path, array.astype("float32"))');
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (bytes.length < 10 || !magic.every((b, i) => bytes[i] === b)) bad('it does not start with the .npy magic');
  const major = bytes[6]!;
  if (major < 1 || major > 3) bad(`format version ${major} is not 1, 2 or 3`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const lenBytes = major === 1 ? 2 : 4;
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = 8 + lenBytes;
  if (start + headerLength > bytes.length) bad('its header runs past the end of the file: truncated?');
  const header = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(bytes.subarray(start, start + headerLength));
  const descr = /'descr'\s*:\s*'([<>|=])([fiu]\d)'/.exec(header);
  if (!descr || !TYPES[descr[2]!]) bad(`its element type ${/'descr'\s*:\s*'([^']*)'/.exec(header)?.[1] ?? '(none)'} is not one kiln reads (f8, f4, i8, i4, i2, i1, u1)`);
  if (/'fortran_order'\s*:\s*True/.test(header)) bad('it is in Fortran order; save a C-ordered array (numpy.ascontiguousarray)');
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (shapeText === undefined) bad('its header has no shape');
  const shape = shapeText!.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  if (!shape.every((d) => Number.isSafeInteger(d) && d >= 0)) bad(`its shape (${shapeText}) is not a tuple of sizes`);
  const type = TYPES[descr![2]!]!;
  const count = shape.reduce((a, b) => a * b, 1);
  const dataStart = start + headerLength;
  if (!Number.isSafeInteger(count) || count * type.bytes !== bytes.length - dataStart) bad(`its shape (${shape.join(', ')}) needs ${count * type.bytes} bytes of data, the file has ${bytes.length - dataStart}`);
  const little = descr![1] !== '>';
  const data = new Float64Array(count);
  for (let i = 0; i < count; i++) data[i] = type.read(view, dataStart + i * type.bytes, little);
  return { shape, data };
}
