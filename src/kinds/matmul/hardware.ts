/**
 * Attention matmuls on the MAC engine: like a linear layer whose second operand is a buffer instead of a ROM.
 * `scores` strides both operands by rows (A·Bᵀ), `context` strides the second by columns (A·B); each head reads
 * its column slice.
 */
import type { EngineBinding } from '../../engines/index.js';
import { affine, A_PORT0, B_PORT1 } from '../../engines/mac/index.js';
import { scaled } from '../_shared/mac.js';
import type { KindNode } from '../types.js';
import type { MatmulDims } from './rules.js';
import type { MatmulParams } from './semantics.js';

export const hardware: EngineBinding<KindNode<'matmul', MatmulDims>, MatmulParams> = {
  engine: 'mac',
  plan: (node) => {
    const d = node.dims;
    const width = node.inputs[1]!.shape[1]!;
    return d.mode === 'scores'
      ? {
          // loops h, i, j; q[i][h·dh + k], k[j][h·dh + k]
          loops: [d.heads, d.rows, d.cols],
          terms: d.inner,
          ports: [affine([d.inner, width, 0], 1), affine([d.inner, 0, width], 1)],
          roms: {},
          a: A_PORT0,
          b: B_PORT1,
          scale: true,
        }
      : {
          // loops i, h, c; a[h][i][k], v[k][h·dh + c]
          loops: [d.rows, d.heads, d.cols],
          terms: d.inner,
          ports: [affine([d.inner, d.rows * d.inner, 0], 1), affine([0, d.cols, 1], width)],
          roms: {},
          a: A_PORT0,
          b: B_PORT1,
          scale: true,
        };
  },
  constants: (_node, p) => scaled(p.mult),
};
