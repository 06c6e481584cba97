/**
 * The initializers of an ONNX model (its weights), read with the ONNX protobuf schema (`onnx-proto`, generated
 * from onnx.proto by protobufjs): no hand-written wire parser. Tensors with external data are refused: kiln
 * reads one self-contained file.
 */
import { createRequire } from 'node:module';
import { fail } from '../dsl/diagnostics.js';
import { decode, DTYPES, elementCount, type Dtype, type Tensor } from './tensors.js';

type Onnx = typeof import('onnx-proto').onnx;
let onnx: Onnx | undefined;

/** ONNX TensorProto.DataType → the element type kiln reads (others are refused). */
const ONNX_DTYPES: Partial<Record<number, Dtype>> = { 1: 'F32', 2: 'U8', 3: 'I8', 5: 'I16', 6: 'I32', 7: 'I64', 10: 'F16', 11: 'F64', 16: 'BF16' };

const bad = (file: string, message: string): never => fail('KILN_E_WEIGHTS', ['weights', 'file'], `${file}: ${message}`, 'export the model again (torch.onnx.export) with its weights inside the file');

export function readOnnx(bytes: Uint8Array, file: string): Map<string, Tensor> {
  // onnx-proto is CommonJS; loaded on first use so configs without ONNX weights never pay for it.
  onnx ??= (createRequire(import.meta.url)('onnx-proto') as typeof import('onnx-proto')).onnx;
  let model: import('onnx-proto').onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (err) {
    return bad(file, `not a valid ONNX model (${(err as Error).message})`);
  }
  const initializers = model.graph?.initializer ?? [];
  if (!model.graph) bad(file, 'the ONNX model has no graph');
  const tensors = new Map<string, Tensor>();
  for (const t of initializers) {
    const name = t.name ?? '';
    if (!name) bad(file, 'an initializer has no name');
    if (tensors.has(name)) bad(file, `two initializers are named '${name}'`);
    if (t.dataLocation === 1 || (t.externalData?.length ?? 0) > 0) bad(file, `initializer '${name}' keeps its data in an external file`);
    const dtype = ONNX_DTYPES[t.dataType ?? 0];
    if (!dtype) bad(file, `initializer '${name}' has ONNX data type ${t.dataType}; kiln reads ${Object.values(ONNX_DTYPES).join(', ')}`);
    const shape = (t.dims ?? []).map((d) => Number(d));
    const count = elementCount(shape);
    if (count === undefined) bad(file, `initializer '${name}' has dims ${JSON.stringify(shape)}`);
    tensors.set(name, { name, dtype: dtype!, shape, data: values(t, dtype!, count!, name, file) });
  }
  return tensors;
}

/** An initializer's values: from raw_data (little-endian) or from the typed repeated field of its type. */
function values(t: import('onnx-proto').onnx.ITensorProto, dtype: Dtype, count: number, name: string, file: string): Float64Array {
  const raw = t.rawData;
  if (raw && raw.length > 0) {
    if (raw.length !== count * DTYPES[dtype].bytes) bad(file, `initializer '${name}' has ${raw.length} bytes of raw data, but ${count} elements of ${dtype} take ${count * DTYPES[dtype].bytes}`);
    return decode(raw, 0, count, dtype, name, file);
  }
  // Typed fields: float_data (FLOAT), double_data (DOUBLE), int64_data (INT64), int32_data (the rest, incl. the
  // 16-bit patterns of FLOAT16/BFLOAT16).
  const field: ArrayLike<number | { toNumber(): number }> | null | undefined = dtype === 'F32' ? t.floatData : dtype === 'F64' ? t.doubleData : dtype === 'I64' ? t.int64Data : t.int32Data;
  const list = field ?? [];
  if (list.length !== count) bad(file, `initializer '${name}' has ${list.length} values, but its dims make ${count}`);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const v = list[i]!;
    out[i] = typeof v === 'number' ? v : v.toNumber();
  }
  if (dtype === 'F16' || dtype === 'BF16') {
    const bytes = new Uint8Array(count * 2);
    const view = new DataView(bytes.buffer);
    for (let i = 0; i < count; i++) view.setUint16(i * 2, out[i]!, true);
    return decode(bytes, 0, count, dtype, name, file);
  }
  return out;
}
