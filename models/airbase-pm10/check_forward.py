#!/usr/bin/python3
"""Checks train.py's PyTorch network against an independent, literal numpy (float64) transcription of kiln's
float forward (the `float` functions of src/kinds/{linear,posenc,matmul,softmax,add,batchnorm,relu,avgpool}/
semantics.ts, wired as in src/dsl/transformer.ts), loop for loop where it matters.

It reads model.safetensors with its own reader (not train.py's), recomputes golden.json's outputs, compares
them with the outputs stored there (PyTorch, float64) and with PyTorch's float32 forward, checks that the
golden windows are the normalized rows of data.csv, and that model.onnx's initializers hold the same names
and values as the safetensors file.

Usage: /usr/bin/python3 models/airbase-pm10/check_forward.py [DIR]   (DIR defaults to this folder)
Exit 1 when anything disagrees by more than 1e-6 relative.
"""
import csv
import json
import math
import os
import struct
import sys

import numpy as np

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
BATCHNORM_EPS = 1e-5


def read_safetensors(path):
    raw = open(path, 'rb').read()
    n = struct.unpack('<Q', raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    meta = header.pop('__metadata__', {})
    base = 8 + n
    out = {}
    for name, t in header.items():
        if t['dtype'] != 'F32':
            raise ValueError(f'{name}: dtype {t["dtype"]}')
        b, e = t['data_offsets']
        count = 1
        for s in t['shape']:
            count *= s
        if e - b != 4 * count or base + e > len(raw):
            raise ValueError(f'{name}: bad offsets')
        out[name] = np.frombuffer(raw[base + b:base + e], dtype='<f4').astype(np.float64).reshape(t['shape'])
    return out, meta


# ---- kiln's float kinds, one function each (x: [rows, cols] for one sample) ----------------------------
def linear(x, w, b):
    # y[r][o] = b[o] + sum_i x[r][i] * w[o][i]   (w is [out, in])
    return x @ w.T + b


def sinusoidal_table(rows, cols):
    t = np.zeros((rows, cols))
    for r in range(rows):
        for c in range(cols):
            angle = r / 10000 ** ((c - c % 2) / cols)
            t[r, c] = math.sin(angle) if c % 2 == 0 else math.cos(angle)
    return t


def matmul_scores(q, k, heads):
    rows, width = q.shape
    dh = width // heads
    out = np.zeros((heads, rows, k.shape[0]))
    for h in range(heads):
        for i in range(rows):
            for j in range(k.shape[0]):
                acc = 0.0
                for kk in range(dh):
                    acc += q[i, h * dh + kk] * k[j, h * dh + kk]
                out[h, i, j] = acc * (1 / math.sqrt(dh))
    return out


def softmax(s):
    # over the last axis, max-subtracted, as kiln's softmax float()
    out = np.empty_like(s)
    for idx in np.ndindex(*s.shape[:-1]):
        row = s[idx]
        mx = max(row)
        e = [math.exp(v - mx) for v in row]
        tot = sum(e)
        out[idx] = [v / tot for v in e]
    return out


def matmul_context(a, v, heads):
    heads_, rows, L = a.shape
    width = v.shape[1]
    dc = width // heads
    out = np.zeros((rows, width))
    for i in range(rows):
        for h in range(heads):
            for c in range(dc):
                acc = 0.0
                for kk in range(L):
                    acc += a[h, i, kk] * v[kk, h * dc + c]
                out[i, h * dc + c] = acc
    return out


def batchnorm(x, gamma, beta, mean, var):
    scale = gamma / np.sqrt(var + BATCHNORM_EPS)
    shift = beta - scale * mean
    return x * scale + shift


def kiln_forward(p, x, window, dModel, heads, encoderLayers, **_):
    h = linear(x, p['input_linear.weight'], p['input_linear.bias']) + sinusoidal_table(window, dModel)
    for i in range(encoderLayers):
        e = f'encoder.{i}.'
        q = linear(h, p[e + 'attn.q.weight'], p[e + 'attn.q.bias'])
        k = linear(h, p[e + 'attn.k.weight'], p[e + 'attn.k.bias'])
        v = linear(h, p[e + 'attn.v.weight'], p[e + 'attn.v.bias'])
        ctx = matmul_context(softmax(matmul_scores(q, k, heads)), v, heads)
        attn = linear(ctx, p[e + 'attn.out.weight'], p[e + 'attn.out.bias'])
        n = e + 'attn_norm.'
        a = batchnorm(h + attn, p[n + 'weight'], p[n + 'bias'], p[n + 'running_mean'], p[n + 'running_var'])
        f = linear(np.maximum(0, linear(a, p[e + 'ffn.fc1.weight'], p[e + 'ffn.fc1.bias'])),
                   p[e + 'ffn.fc2.weight'], p[e + 'ffn.fc2.bias'])
        n = e + 'ffn_norm.'
        h = batchnorm(a + f, p[n + 'weight'], p[n + 'bias'], p[n + 'running_mean'], p[n + 'running_var'])
    pooled = h.sum(axis=0) / window
    return linear(pooled[None, :], p['output_linear.weight'], p['output_linear.bias'])[0]


def rel(a, b):
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-12)))


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else HERE
    golden = json.load(open(os.path.join(d, 'golden.json')))
    params, meta = read_safetensors(os.path.join(d, 'model.safetensors'))
    opts = golden['transformer']
    xs = np.array(golden['windows'], dtype=np.float64)
    ours = np.array([kiln_forward(params, x, **opts) for x in xs])
    stored = np.array(golden['outputs'], dtype=np.float64)
    ok = True
    r = rel(ours, stored)
    print(f'numpy kiln forward vs golden outputs: max rel diff {r:.2e} over {len(xs)} windows')
    ok &= r < 1e-6

    try:
        import torch
        sys.path.insert(0, HERE)
        import train
        model = train.KilnTransformer(**opts).eval()
        model.load_state_dict({k: torch.tensor(v, dtype=torch.float32) for k, v in params.items()}, strict=False)
        with torch.no_grad():
            t32 = model(torch.tensor(xs, dtype=torch.float32)).numpy().astype(np.float64)
        r32 = rel(t32, ours)
        print(f'PyTorch float32 forward vs numpy kiln forward: max rel diff {r32:.2e}')
        ok &= r32 < 1e-4
    except ImportError as e:
        print(f'(PyTorch comparison skipped: {e})')

    data_csv = os.path.join(d, 'data.csv')
    if 'windowStartRows' in golden and os.path.exists(data_csv):
        rows = list(csv.reader(open(data_csv, newline='')))
        cols = [rows[0].index(c) for c in golden['features']]
        vals = np.array([[float(r[c]) for c in cols] for r in rows[1:]])
        z = (vals - np.array(golden['normalization']['mean'])) / np.array(golden['normalization']['std'])
        dz = max(float(np.max(np.abs(z[s:s + golden['window']] - x))) for s, x in zip(golden['windowStartRows'], xs))
        print(f'golden windows vs normalized data.csv rows: max abs diff {dz:.2e}')
        ok &= dz < 1e-12
        lo, hi = golden['splits']['test']
        ok &= all(lo <= s and s + golden['window'] < hi for s in golden['windowStartRows'])

    onnx_path = os.path.join(d, 'model.onnx')
    if os.path.exists(onnx_path):
        import onnx
        from onnx import numpy_helper
        m = onnx.load(onnx_path)
        inits = {i.name: numpy_helper.to_array(i) for i in m.graph.initializer}
        same_names = sorted(inits) == sorted(params)
        same_vals = same_names and all(inits[k].shape == params[k].shape and np.array_equal(inits[k].astype(np.float64), params[k]) for k in params)
        print(f'ONNX initializers: {len(inits)}, same names {same_names}, same shapes and values {same_vals}')
        ok &= same_vals
    print('OK' if ok else 'MISMATCH')
    sys.exit(0 if ok else 1)


if __name__ == '__main__':
    main()
