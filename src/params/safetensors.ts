/**
 * The safetensors format, read as hostile input: an 8-byte little-endian header length N, N bytes of UTF-8 JSON
 * (starting with '{') mapping each tensor name to { dtype, shape, data_offsets: [begin, end] } (relative to the
 * data that follows) plus an optional "__metadata__" map of strings, then the data. Every number is checked
 * before it is used: the header length against the file, each range against the data, each range's length
 * against its dtype and shape, and the ranges against each other (they must tile the data: no overlap, no hole).
 * Nothing is allocated from a size the file states until that size is checked against the file's real size.
 */
import { fail } from '../dsl/diagnostics.js';
import { decode, DTYPES, elementCount, isDtype, type Tensor } from './tensors.js';

/** The reference implementation's limit on the JSON header. */
const MAX_HEADER_BYTES = 100 * 2 ** 20;

const bad = (file: string, message: string): never => fail('KILN_E_WEIGHTS', ['weights', 'file'], `${file} is not a valid safetensors file: ${message}`, 'check the file, or export it again with safetensors (PyTorch: safetensors.torch.save_file)');

export function readSafetensors(bytes: Uint8Array, file: string): Map<string, Tensor> {
  if (bytes.length < 8) bad(file, `it has ${bytes.length} bytes, fewer than the 8 of the header length`);
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (headerLength > BigInt(bytes.length - 8)) bad(file, `the header length (${headerLength} bytes) runs past the end of the file (${bytes.length} bytes): truncated?`);
  if (headerLength > BigInt(MAX_HEADER_BYTES)) bad(file, `the header length (${headerLength} bytes) is over the 100 MiB limit`);
  const n = Number(headerLength);
  let header: unknown;
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n));
    if (!text.startsWith('{')) bad(file, 'the header does not start with "{"');
    header = JSON.parse(text);
  } catch (err) {
    if ((err as { name?: string }).name === 'KilnError') throw err;
    bad(file, `the header is not valid UTF-8 JSON (${(err as Error).message})`);
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header)) bad(file, 'the header is not a JSON object');
  const data = bytes.subarray(8 + n);
  const ranges: { name: string; begin: number; end: number }[] = [];
  const entries: { name: string; dtype: keyof typeof DTYPES; shape: number[]; begin: number; count: number }[] = [];
  for (const [name, info] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (info === null || typeof info !== 'object' || Array.isArray(info) || !Object.values(info).every((v) => typeof v === 'string')) bad(file, '"__metadata__" must map strings to strings');
      continue;
    }
    if (info === null || typeof info !== 'object') bad(file, `tensor '${name}' has no {dtype, shape, data_offsets} entry`);
    const { dtype, shape, data_offsets: offsets } = info as Record<string, unknown>;
    if (!isDtype(dtype)) bad(file, `tensor '${name}' has dtype ${JSON.stringify(dtype)}; kiln reads ${Object.keys(DTYPES).join(', ')}`);
    const count = elementCount(shape);
    if (count === undefined) bad(file, `tensor '${name}' has shape ${JSON.stringify(shape)}, not a list of non-negative integers`);
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((o) => typeof o === 'number' && Number.isSafeInteger(o) && o >= 0)) bad(file, `tensor '${name}' has data_offsets ${JSON.stringify(offsets)}, not [begin, end]`);
    const [begin, end] = offsets as [number, number];
    if (begin > end) bad(file, `tensor '${name}' has data_offsets [${begin}, ${end}] with begin after end`);
    if (end > data.length) bad(file, `tensor '${name}' ends at byte ${end} of the data, but the data has ${data.length} bytes: truncated?`);
    const expected = count! * DTYPES[dtype as keyof typeof DTYPES].bytes;
    if (end - begin !== expected) bad(file, `tensor '${name}' spans ${end - begin} bytes, but ${count} elements of ${dtype} take ${expected}`);
    ranges.push({ name, begin, end });
    entries.push({ name, dtype: dtype as keyof typeof DTYPES, shape: shape as number[], begin, count: count! });
  }
  ranges.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  for (const r of ranges) {
    if (r.begin < covered) bad(file, `tensor '${r.name}' overlaps the tensor before it (bytes ${r.begin}..${r.end})`);
    if (r.begin > covered) bad(file, `bytes ${covered}..${r.begin} of the data belong to no tensor`);
    covered = r.end;
  }
  if (covered !== data.length) bad(file, `bytes ${covered}..${data.length} of the data belong to no tensor`);
  const tensors = new Map<string, Tensor>();
  for (const e of entries) tensors.set(e.name, { name: e.name, dtype: e.dtype, shape: e.shape, data: decode(data, e.begin, e.count, e.dtype, e.name, file) });
  return tensors;
}
