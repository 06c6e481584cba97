#!/usr/bin/python3
"""A second kiln transformer of another shape, written with numpy alone following the safetensors
specification, to test that a file kiln did not write imports and builds.

Shape: transformer({ window: 12, inputFeatures: 3, outputs: 2, dModel: 8, heads: 2, ffnDim: 16,
encoderLayers: 2 }). Weights are random (seeded numpy), not trained: linear weights and biases uniform in
+-1/sqrt(fan_in) like PyTorch's nn.Linear, BatchNorm gamma in [0.5, 1.5] and beta in [-0.2, 0.2]. Each
BatchNorm's running_mean / running_var are then set to the mean and (biased) variance of its own input over
256 random calibration windows, layer by layer, so activations stay in a sensible range.

The file differs on purpose from train.py's: tensors are stored in name order (not layer order), the header
is padded with spaces to a multiple of 8 bytes, and the metadata holds the kiln options.

golden.json: 8 windows of standard-normal inputs (a seeded numpy generator) and the float64 outputs of the
numpy kiln forward in ../airbase-pm10/check_forward.py; when PyTorch is available they are also checked
against train.py's PyTorch network. model.onnx (optional extra) is the same weights exported through that
PyTorch network; its initializers carry the safetensors names.

Usage: /usr/bin/python3 models/other-shape/make.py
"""
import json
import math
import os
import sys

import numpy as np

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', 'airbase-pm10'))
import check_forward as ref  # noqa: E402  (the numpy transcription of kiln's float forward)

OPTIONS = dict(window=12, inputFeatures=3, outputs=2, dModel=8, heads=2, ffnDim=16, encoderLayers=2)
SEED = 20240611
CALIBRATION_WINDOWS = 256
GOLDEN_WINDOWS = 8


def linear_init(rng, out_f, in_f):
    bound = 1 / math.sqrt(in_f)
    return rng.uniform(-bound, bound, (out_f, in_f)), rng.uniform(-bound, bound, out_f)


def make_params(rng):
    o = OPTIONS
    d, p = o['dModel'], {}

    def lin(name, out_f, in_f):
        p[name + '.weight'], p[name + '.bias'] = linear_init(rng, out_f, in_f)

    lin('input_linear', d, o['inputFeatures'])
    for i in range(o['encoderLayers']):
        e = f'encoder.{i}.'
        for name in ('attn.q', 'attn.k', 'attn.v', 'attn.out'):
            lin(e + name, d, d)
        for norm in ('attn_norm', 'ffn_norm'):
            p[e + norm + '.weight'] = rng.uniform(0.5, 1.5, d)
            p[e + norm + '.bias'] = rng.uniform(-0.2, 0.2, d)
        lin(e + 'ffn.fc1', o['ffnDim'], d)
        lin(e + 'ffn.fc2', d, o['ffnDim'])
    lin('output_linear', o['outputs'], d)
    # round every parameter to float32 now, so statistics and outputs are computed from the stored values
    return {k: v.astype(np.float32).astype(np.float64) for k, v in p.items()}


def calibrate_batchnorm(p, xs):
    """Sets running_mean / running_var of each BatchNorm, in execution order, to the column mean and biased
    variance of its input over all rows of all calibration windows (what kiln's float forward records when a
    model has no statistics). Layers not yet calibrated hold stand-ins (0, 1) that cannot affect earlier ones."""
    o = OPTIONS
    norms = [f'encoder.{i}.{n}.' for i in range(o['encoderLayers']) for n in ('attn_norm', 'ffn_norm')]
    for n in norms:
        p[n + 'running_mean'] = np.zeros(o['dModel'])
        p[n + 'running_var'] = np.ones(o['dModel'])
    orig = ref.batchnorm
    for n in norms:
        captured = []

        def capture(x, gamma, beta, mean, var, _n=n, _c=captured):
            if mean is p[_n + 'running_mean']:
                _c.append(x.copy())
            return orig(x, gamma, beta, mean, var)

        ref.batchnorm = capture
        try:
            for x in xs:
                ref.kiln_forward(p, x, **o)
        finally:
            ref.batchnorm = orig
        rows = np.concatenate(captured, axis=0)
        assert rows.shape == (len(xs) * o['window'], o['dModel'])
        p[n + 'running_mean'] = rows.mean(axis=0).astype(np.float32).astype(np.float64)
        p[n + 'running_var'] = rows.var(axis=0).astype(np.float32).astype(np.float64)
    return p


def write_safetensors_np(path, tensors, metadata):
    names = sorted(tensors)
    header, offset = {}, 0
    for name in names:
        n = tensors[name].astype('<f4').nbytes
        header[name] = {'dtype': 'F32', 'shape': list(tensors[name].shape), 'data_offsets': [offset, offset + n]}
        offset += n
    header['__metadata__'] = metadata
    h = json.dumps(header).encode('utf-8')
    h += b' ' * ((8 - len(h) % 8) % 8)
    body = b''.join(np.ascontiguousarray(tensors[name], dtype='<f4').tobytes() for name in names)
    assert len(body) == offset
    with open(path, 'wb') as f:
        f.write(np.array([len(h)], dtype='<u8').tobytes() + h + body)


def main():
    rng = np.random.default_rng(SEED)
    o = OPTIONS
    p = make_params(rng)
    calib = rng.standard_normal((CALIBRATION_WINDOWS, o['window'], o['inputFeatures']))
    p = calibrate_batchnorm(p, calib)
    expected = {'input_linear.weight', 'input_linear.bias', 'output_linear.weight', 'output_linear.bias'}
    for i in range(o['encoderLayers']):
        e = f'encoder.{i}.'
        expected |= {e + n + s for n in ('attn.q', 'attn.k', 'attn.v', 'attn.out', 'ffn.fc1', 'ffn.fc2') for s in ('.weight', '.bias')}
        expected |= {e + n + s for n in ('attn_norm', 'ffn_norm') for s in ('.weight', '.bias', '.running_mean', '.running_var')}
    assert set(p) == expected, sorted(set(p) ^ expected)  # every kiln tensor, nothing else

    tensors = {k: v.astype(np.float32) for k, v in p.items()}
    path = os.path.join(HERE, 'model.safetensors')
    write_safetensors_np(path, tensors, {
        'producer': 'kiln models/other-shape/make.py (numpy, random weights)',
        'kiln.transformer': json.dumps(o, separators=(',', ':')),
        'seed': str(SEED),
    })
    back, _ = ref.read_safetensors(path)
    assert set(back) == set(p) and all(np.array_equal(back[k], p[k]) for k in p)

    xs = rng.standard_normal((GOLDEN_WINDOWS, o['window'], o['inputFeatures']))
    outs = np.array([ref.kiln_forward(back, x, **o) for x in xs])
    golden = {
        'window': o['window'],
        'features': [f'x{i}' for i in range(o['inputFeatures'])],
        'target': None,
        'transformer': o,
        'note': 'random weights and standard-normal inputs, no data set; outputs from the numpy kiln forward in float64',
        'windows': xs.tolist(),
        'outputs': outs.tolist(),
    }
    text = json.dumps(golden)
    with open(os.path.join(HERE, 'golden.json'), 'w') as f:
        f.write(text.replace('], [[', '],\n [[') + '\n')
    assert json.load(open(os.path.join(HERE, 'golden.json'))) == golden
    print(f'wrote model.safetensors ({os.path.getsize(path)} bytes, {len(p)} tensors) and golden.json')
    print('outputs:', np.round(outs, 4).tolist())

    try:
        import torch
        import train
    except ImportError as e:
        print(f'(PyTorch cross-check and ONNX skipped: {e})')
        return
    torch.set_num_threads(1)
    model = train.KilnTransformer(**o).eval()
    missing, unexpected = model.load_state_dict({k: torch.tensor(v) for k, v in tensors.items()}, strict=False)
    assert not unexpected and all(k.endswith('num_batches_tracked') for k in missing), (missing, unexpected)
    with torch.no_grad():
        t64 = train.copy.deepcopy(model).double()(torch.tensor(xs)).numpy()
    r = ref.rel(t64, outs)
    print(f'PyTorch float64 forward vs numpy kiln forward: max rel diff {r:.2e}')
    assert r < 1e-9
    names, renamed = train.export_onnx(model, os.path.join(HERE, 'model.onnx'), sorted(p), o['window'], o['inputFeatures'])
    print(f'wrote model.onnx, initializers renamed: {renamed or "none"}')


if __name__ == '__main__':
    main()
