/**
 * Reads a weights file (safetensors or ONNX, by extension) into tensors. The file's own size bounds every
 * allocation; a file too large for kiln's small models is refused before it is read.
 */
import { readFileSync, statSync } from 'node:fs';
import { extname } from 'node:path';
import { fail } from '../dsl/diagnostics.js';
import { hashContent } from '../util/hash.js';
import { readOnnx } from './onnx.js';
import { readSafetensors } from './safetensors.js';
import type { TensorFile } from './tensors.js';

/** kiln's models have at most a million parameters (src/ir/capability.ts): 64 MiB holds them in any dtype. */
export const MAX_WEIGHTS_BYTES = 64 * 2 ** 20;

export function loadTensorFile(path: string, shown: string = path): TensorFile {
  const ext = extname(path).toLowerCase();
  const format = ext === '.safetensors' ? 'safetensors' : ext === '.onnx' ? 'onnx' : undefined;
  if (!format) fail('KILN_E_WEIGHTS', ['weights', 'file'], `${shown}: kiln reads weights from .safetensors or .onnx files`, 'export the trained model with safetensors.torch.save_file or torch.onnx.export');
  let size: number;
  try {
    const s = statSync(path);
    if (!s.isFile()) fail('KILN_E_WEIGHTS', ['weights', 'file'], `${shown} is not a file`);
    size = s.size;
  } catch (err) {
    if ((err as { name?: string }).name === 'KilnError') throw err;
    return fail('KILN_E_WEIGHTS', ['weights', 'file'], `cannot read the weights file ${shown}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'it does not exist' : (err as Error).message}`, 'weights.file is relative to the config file');
  }
  if (size === 0) fail('KILN_E_WEIGHTS', ['weights', 'file'], `the weights file ${shown} is empty`);
  if (size > MAX_WEIGHTS_BYTES) fail('KILN_E_WEIGHTS', ['weights', 'file'], `the weights file ${shown} has ${size} bytes, more than kiln's models can hold (${MAX_WEIGHTS_BYTES})`);
  const bytes = readFileSync(path);
  const tensors = format === 'safetensors' ? readSafetensors(bytes, shown) : readOnnx(bytes, shown);
  return { path: shown, format: format!, tensors, sha256: hashContent(bytes) };
}
