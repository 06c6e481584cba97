#!/usr/bin/python3
"""Trains kiln's encoder-only forecasting Transformer on daily rural-background PM10 in northern Germany
(AirBase, via the R package spacetime; see DATA.md) and writes the files kiln imports:

  model.safetensors  the float32 weights, written by this script's own safetensors writer
  model.onnx         the same weights via torch.onnx.export (initializers named like the safetensors tensors)
  golden.json        32 normalized test windows and this model's float outputs for them (the float oracle)
  RESULTS.md         float model vs persistence, RMSE and MAE, validation and test, normalized and in ug/m3

The network is exactly kiln's `transformer()` float forward (src/dsl/transformer.ts and the `float` functions
in src/kinds/*/semantics.ts): input_linear -> + sinusoidal table -> N x (q, k, v -> per-head softmax(q k^T /
sqrt(d_head)) v -> attn.out -> add -> BatchNorm -> fc1 -> relu -> fc2 -> add -> BatchNorm) -> mean over time
-> output_linear. BatchNorm normalizes each d_model column over all rows of all samples; in eval mode it
uses running_mean / running_var with eps 1e-5.

Deterministic: fixed seeds, torch.use_deterministic_algorithms(True), one CPU thread.
Run with Debian's Python (python3-torch 1.13, python3-onnx): /usr/bin/python3 models/airbase-pm10/train.py

Other shapes (the deployability study, bench/deploy.ts), the same data, seed and recipe with a shorter patience,
writing only the weights:
  /usr/bin/python3 models/airbase-pm10/train.py --shape DMODEL,HEADS,LAYERS --out DIR [--max-epochs N --patience N]
"""
import copy
import csv
import json
import math
import os
import struct
import time

import numpy as np
import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))

# ---- configuration -----------------------------------------------------------------------------------
FEATURES = ['DEUB005', 'DENI060', 'DENI063', 'DENI059', 'DENI058', 'DEMV017', 'DEUB030', 'DEUB028']
TARGET = 'DEUB005'
OPTIONS = dict(window=24, inputFeatures=len(FEATURES), outputs=1, dModel=16, heads=1, ffnDim=64, encoderLayers=1)
SPLIT = (0.70, 0.15, 0.15)
SEED = 0
BATCH = 64
MAX_EPOCHS = 300
PATIENCE = 40
LR = 2e-3
WEIGHT_DECAY = 0.05
DROPOUT = 0.1          # training only (attention weights and FFN hidden); kiln's eval forward has none
GOLDEN_WINDOWS = 32
BN_EPS = 1e-5


# ---- data --------------------------------------------------------------------------------------------
def load_data():
    with open(os.path.join(HERE, 'data.csv'), newline='') as f:
        rows = list(csv.reader(f))
    header = rows[0]
    idx = [header.index(c) for c in FEATURES]
    values = np.array([[float(r[i]) for i in idx] for r in rows[1:]], dtype=np.float64)
    dates = [r[0] for r in rows[1:]]
    return dates, values


def split_bounds(n):
    n_train = int(n * SPLIT[0])
    n_val = int(n * SPLIT[1])
    return {'train': [0, n_train], 'validation': [n_train, n_train + n_val], 'test': [n_train + n_val, n]}


def windows(z, lo, hi, window, target_col):
    """Every window whose inputs and target lie inside [lo, hi): inputs rows s..s+window-1, target row s+window."""
    starts = np.arange(lo, hi - window)
    x = np.stack([z[s:s + window] for s in starts])
    y = z[starts + window, target_col][:, None]
    return starts, x, y


# ---- model -------------------------------------------------------------------------------------------
def sinusoidal_table(rows, cols):
    """kiln's src/kinds/posenc/semantics.ts sinusoidalTable, in float64."""
    t = np.zeros((rows, cols))
    for r in range(rows):
        for c in range(cols):
            angle = r / 10000 ** ((c - c % 2) / cols)
            t[r, c] = math.sin(angle) if c % 2 == 0 else math.cos(angle)
    return t


class RowBatchNorm(nn.BatchNorm1d):
    """BatchNorm over the d_model columns, statistics over all rows of all samples: [B, T, d] -> [B*T, d]."""

    def forward(self, x):
        b, t, d = x.shape
        return super().forward(x.reshape(b * t, d)).reshape(b, t, d)


class Attention(nn.Module):
    def __init__(self, d, heads, dropout):
        super().__init__()
        self.heads = heads
        self.q = nn.Linear(d, d)
        self.k = nn.Linear(d, d)
        self.v = nn.Linear(d, d)
        self.out = nn.Linear(d, d)
        self.drop = nn.Dropout(dropout)

    def forward(self, h):
        b, t, d = h.shape
        dh = d // self.heads
        # heads split columns: head j owns columns j*dh .. j*dh+dh-1
        q = self.q(h).reshape(b, t, self.heads, dh).transpose(1, 2)
        k = self.k(h).reshape(b, t, self.heads, dh).transpose(1, 2)
        v = self.v(h).reshape(b, t, self.heads, dh).transpose(1, 2)
        scores = torch.matmul(q, k.transpose(2, 3)) * (1.0 / math.sqrt(dh))
        weights = self.drop(torch.softmax(scores, dim=-1))
        context = torch.matmul(weights, v).transpose(1, 2).reshape(b, t, d)
        return self.out(context)


class FFN(nn.Module):
    def __init__(self, d, hidden, dropout):
        super().__init__()
        self.fc1 = nn.Linear(d, hidden)
        self.fc2 = nn.Linear(hidden, d)
        self.drop = nn.Dropout(dropout)

    def forward(self, x):
        return self.fc2(self.drop(torch.relu(self.fc1(x))))


class EncoderLayer(nn.Module):
    def __init__(self, d, heads, hidden, dropout):
        super().__init__()
        self.attn = Attention(d, heads, dropout)
        self.attn_norm = RowBatchNorm(d, eps=BN_EPS)
        self.ffn = FFN(d, hidden, dropout)
        self.ffn_norm = RowBatchNorm(d, eps=BN_EPS)

    def forward(self, h):
        a = self.attn_norm(h + self.attn(h))
        return self.ffn_norm(a + self.ffn(a))


class KilnTransformer(nn.Module):
    def __init__(self, window, inputFeatures, outputs, dModel, heads, ffnDim, encoderLayers, dropout=0.0):
        super().__init__()
        self.input_linear = nn.Linear(inputFeatures, dModel)
        # A constant, not a parameter or buffer: it is neither in the state_dict nor an ONNX initializer.
        self.pe_table = sinusoidal_table(window, dModel)
        self.encoder = nn.ModuleList(EncoderLayer(dModel, heads, ffnDim, dropout) for _ in range(encoderLayers))
        self.output_linear = nn.Linear(dModel, outputs)

    def forward(self, x):
        pe = torch.tensor(self.pe_table, dtype=x.dtype)
        h = self.input_linear(x) + pe
        for layer in self.encoder:
            h = layer(h)
        return self.output_linear(h.mean(dim=1))


def tensor_names(encoder_layers):
    """The kiln tensor names, in kiln's layer order."""
    names = ['input_linear.weight', 'input_linear.bias']
    for i in range(encoder_layers):
        p = f'encoder.{i}.'
        for lin in ('attn.q', 'attn.k', 'attn.v', 'attn.out'):
            names += [p + lin + '.weight', p + lin + '.bias']
        names += [p + 'attn_norm.' + s for s in ('weight', 'bias', 'running_mean', 'running_var')]
        for lin in ('ffn.fc1', 'ffn.fc2'):
            names += [p + lin + '.weight', p + lin + '.bias']
        names += [p + 'ffn_norm.' + s for s in ('weight', 'bias', 'running_mean', 'running_var')]
    return names + ['output_linear.weight', 'output_linear.bias']


# ---- safetensors (own writer and reader, following the format's specification) -------------------------
def write_safetensors(path, tensors, metadata):
    """tensors: list of (name, np.ndarray float32). Header: u64 LE length, UTF-8 JSON padded with spaces to a
    multiple of 8; data: each tensor little-endian, C-contiguous, back to back in the listed order."""
    header = {'__metadata__': {k: str(v) for k, v in metadata.items()}}
    blobs, offset = [], 0
    for name, arr in tensors:
        a = np.ascontiguousarray(arr, dtype='<f4')
        b = a.tobytes()
        header[name] = {'dtype': 'F32', 'shape': list(a.shape), 'data_offsets': [offset, offset + len(b)]}
        blobs.append(b)
        offset += len(b)
    h = json.dumps(header, separators=(',', ':')).encode('utf-8')
    h += b' ' * (-len(h) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def read_safetensors(path):
    raw = open(path, 'rb').read()
    (n,) = struct.unpack('<Q', raw[:8])
    assert 8 + n <= len(raw)
    header = json.loads(raw[8:8 + n].decode('utf-8'))
    meta = header.pop('__metadata__', {})
    data = raw[8 + n:]
    out, spans = {}, []
    for name, info in header.items():
        assert info['dtype'] == 'F32'
        b, e = info['data_offsets']
        assert 0 <= b <= e <= len(data) and e - b == 4 * int(np.prod(info['shape'], dtype=np.int64))
        spans.append((b, e))
        out[name] = np.frombuffer(data[b:e], dtype='<f4').reshape(info['shape'])
    spans.sort()
    assert all(spans[i][1] <= spans[i + 1][0] for i in range(len(spans) - 1)) and spans[-1][1] == len(data)
    return out, meta


# ---- ONNX --------------------------------------------------------------------------------------------
def export_onnx(model, path, names, window, features):
    import warnings
    import onnx
    dummy = torch.zeros(1, window, features)
    warnings.filterwarnings('ignore', category=torch.jit.TracerWarning)  # the constant table and 1/sqrt(d_head)
    torch.onnx.export(model, dummy, path, opset_version=13, do_constant_folding=False,
                      input_names=['window'], output_names=['forecast'],
                      dynamic_axes={'window': {0: 'batch'}, 'forecast': {0: 'batch'}},
                      export_params=True, keep_initializers_as_inputs=False)
    m = onnx.load(path)
    got = [i.name for i in m.graph.initializer]
    renamed = {}
    if sorted(got) != sorted(names):
        # Not expected with torch 1.13 and do_constant_folding=False; kept so a renaming torch fails loudly
        # below unless the tensors can be matched by value.
        sd = {k: v.detach().numpy() for k, v in model.state_dict().items()}
        from onnx import numpy_helper
        for init in m.graph.initializer:
            if init.name in names:
                continue
            val = numpy_helper.to_array(init)
            match = [k for k in names if sd[k].shape == val.shape and np.array_equal(sd[k], val)]
            if len(match) != 1:
                raise SystemExit(f'cannot name ONNX initializer {init.name} {val.shape}')
            renamed[init.name] = match[0]
        for node in m.graph.node:
            node.input[:] = [renamed.get(i, i) for i in node.input]
        for init in m.graph.initializer:
            init.name = renamed.get(init.name, init.name)
        onnx.save(m, path)
        got = [i.name for i in m.graph.initializer]
    onnx.checker.check_model(m)
    extra = sorted(set(got) - set(names))
    missing = sorted(set(names) - set(got))
    if extra or missing:
        raise SystemExit(f'ONNX initializers differ: extra {extra}, missing {missing}')
    return got, renamed


# ---- golden.json ---------------------------------------------------------------------------------------
def write_golden(path, golden):
    """JSON with one time step (or one output vector) per line; numbers are Python's shortest round-trip
    float64 repr, so reading them back gives the exact float64 values."""
    def dump(v):
        return json.dumps(v, separators=(', ', ': '))
    lines = ['{']
    items = list(golden.items())
    for i, (k, v) in enumerate(items):
        end = ',' if i < len(items) - 1 else ''
        if k == 'windows':
            ws = [' [\n' + ',\n'.join('   ' + dump(row) for row in w) + '\n  ]' for w in v]
            lines.append(f' {dump(k)}: [\n ' + ',\n '.join(ws) + f'\n ]{end}')
        elif k in ('outputs', 'targets'):
            lines.append(f' {dump(k)}: [\n' + ',\n'.join('  ' + dump(o) for o in v) + f'\n ]{end}')
        else:
            lines.append(f' {dump(k)}: {dump(v)}{end}')
    lines.append('}')
    text = '\n'.join(lines) + '\n'
    assert json.loads(text) == golden
    with open(path, 'w') as f:
        f.write(text)


# ---- metrics -----------------------------------------------------------------------------------------
def rmse(p, y):
    return float(np.sqrt(np.mean((p - y) ** 2)))


def mae(p, y):
    return float(np.mean(np.abs(p - y)))


def predict(model, x, dtype=torch.float32):
    with torch.no_grad():
        return model(torch.tensor(x, dtype=dtype)).numpy().astype(np.float64)


def fit(sets, options=None, max_epochs=MAX_EPOCHS, patience=PATIENCE):
    """AdamW on the MSE of the normalized target; keeps the weights of the best validation RMSE."""
    model = KilnTransformer(**(options or OPTIONS), dropout=DROPOUT)
    decay = [p for nm, p in model.named_parameters() if nm.endswith('weight') and 'norm' not in nm]
    no_decay = [p for nm, p in model.named_parameters() if not (nm.endswith('weight') and 'norm' not in nm)]
    opt = torch.optim.AdamW([{'params': decay, 'weight_decay': WEIGHT_DECAY},
                             {'params': no_decay, 'weight_decay': 0.0}], lr=LR)
    sched = torch.optim.lr_scheduler.ReduceLROnPlateau(opt, factor=0.5, patience=12)
    _, xtr, ytr = sets['train']
    xtr_t = torch.tensor(xtr, dtype=torch.float32)
    ytr_t = torch.tensor(ytr, dtype=torch.float32)
    _, xva, yva = sets['validation']
    gen = torch.Generator().manual_seed(SEED)
    best = (math.inf, -1, None)
    log = []
    for epoch in range(max_epochs):
        model.train()
        perm = torch.randperm(len(xtr_t), generator=gen)
        total = 0.0
        for i in range(0, len(perm), BATCH):
            idx = perm[i:i + BATCH]
            if len(idx) < 2:
                continue
            opt.zero_grad()
            loss = torch.mean((model(xtr_t[idx]) - ytr_t[idx]) ** 2)
            loss.backward()
            opt.step()
            total += float(loss) * len(idx)
        model.eval()
        val = rmse(predict(model, xva), yva)
        sched.step(val)
        log.append((epoch, total / len(perm), val))
        if val < best[0] - 1e-6:
            best = (val, epoch, copy.deepcopy(model.state_dict()))
        if epoch - best[1] >= patience:
            break
    model.load_state_dict(best[2])
    model.eval()
    return model, best, log


# ---- main --------------------------------------------------------------------------------------------
def main():
    t0 = time.time()
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)

    dates, values = load_data()
    n = len(values)
    bounds = split_bounds(n)
    tr = bounds['train']
    mean = values[tr[0]:tr[1]].mean(axis=0)
    std = values[tr[0]:tr[1]].std(axis=0)  # population std (ddof=0)
    z = (values - mean) / std
    tcol = FEATURES.index(TARGET)
    W = OPTIONS['window']
    sets = {k: windows(z, lo, hi, W, tcol) for k, (lo, hi) in bounds.items()}

    model, best, log = fit(sets)
    train_seconds = time.time() - t0
    print(f'trained {len(log)} epochs, best epoch {best[1]} (validation RMSE {best[0]:.4f}), {train_seconds:.1f}s')

    # ---- evaluation (float32 PyTorch, eval mode) ----
    results = {}
    for split in ('train', 'validation', 'test'):
        starts, x, y = sets[split]
        p = predict(model, x)
        last = x[:, -1, tcol:tcol + 1]
        results[split] = {
            'windows': len(starts),
            'model': {'rmse': rmse(p, y), 'mae': mae(p, y)},
            'persistence': {'rmse': rmse(last, y), 'mae': mae(last, y)},
            'train_mean': {'rmse': rmse(np.zeros_like(y), y), 'mae': mae(np.zeros_like(y), y)},
        }
        r = results[split]
        print(f"{split:10s} model RMSE {r['model']['rmse']:.4f} MAE {r['model']['mae']:.4f} | persistence RMSE "
              f"{r['persistence']['rmse']:.4f} MAE {r['persistence']['mae']:.4f}")

    # ---- weights ----
    names = tensor_names(OPTIONS['encoderLayers'])
    sd = model.state_dict()
    assert set(names) == {k for k in sd if not k.endswith('num_batches_tracked')}, 'state_dict names differ'
    tensors = [(k, sd[k].detach().numpy().astype(np.float32)) for k in names]
    meta = {
        'format': 'pt',
        'producer': 'kiln models/airbase-pm10/train.py',
        'kiln.transformer': json.dumps(OPTIONS, separators=(',', ':')),
        'dataset': 'AirBase rural background PM10, Germany (R package spacetime, data set air)',
        'features': ','.join(FEATURES),
        'target': TARGET,
        'normalization.mean': json.dumps(mean.tolist()),
        'normalization.std': json.dumps(std.tolist()),
    }
    st_path = os.path.join(HERE, 'model.safetensors')
    write_safetensors(st_path, tensors, meta)
    back, _ = read_safetensors(st_path)
    assert list(back) == names and all(np.array_equal(back[k], a) for k, a in tensors)

    onnx_path = os.path.join(HERE, 'model.onnx')
    onnx_names, renamed = export_onnx(model, onnx_path, names, W, len(FEATURES))

    # ---- golden float oracle: 32 test windows, evenly spaced over the test split ----
    starts, x, y = sets['test']
    pick = np.unique(np.round(np.linspace(0, len(starts) - 1, GOLDEN_WINDOWS)).astype(int))
    model64 = copy.deepcopy(model).double().eval()  # the same float32 weights, evaluated in float64
    gx = x[pick]
    out64 = predict(model64, gx, torch.float64)
    out32 = predict(model, gx)
    rel32 = float(np.max(np.abs(out32 - out64) / np.maximum(np.abs(out64), 1e-12)))
    golden = {
        'window': W,
        'features': FEATURES,
        'target': TARGET,
        'normalization': {'mean': mean.tolist(), 'std': std.tolist()},
        'splits': bounds,
        'transformer': OPTIONS,
        'windowStartRows': [int(s) for s in starts[pick]],
        'windows': gx.tolist(),
        'outputs': out64.tolist(),
        'targets': y[pick].tolist(),
    }
    write_golden(os.path.join(HERE, 'golden.json'), golden)

    total_seconds = time.time() - t0
    write_results(results, bounds, dates, mean, std, tcol, best, len(log),
                  onnx_names, renamed, rel32)
    print(f'golden: {len(pick)} windows; float32 vs float64 PyTorch max rel diff {rel32:.2e}')
    print(f'done in {total_seconds:.1f}s')


def write_results(results, bounds, dates, mean, std, tcol, best, epochs, onnx_names, renamed,
                  rel32):
    sd_t, mu_t = std[tcol], mean[tcol]
    L = ['# Results: kiln transformer on AirBase PM10 (next-day DEUB005)', '',
         'Written by `train.py`; do not edit by hand.', '',
         f'- Shape: `transformer({json.dumps(OPTIONS)})`',
         f'- Target: {TARGET} daily mean PM10 of the day after the window (normalized: (x - {mu_t:.4f}) / {sd_t:.4f} ug/m3)',
         '- Splits (0-based data rows of data.csv, header not counted, half-open): ' + ', '.join(
             f"{k} [{lo}, {hi}) ({dates[lo]} .. {dates[hi - 1]}, {hi - lo} days)" for k, (lo, hi) in bounds.items()),
         '- A window belongs to a split when its 24 input rows and its target row all lie inside the split.',
         f'- Training: {epochs} epochs (early stopping, patience {PATIENCE}), best validation epoch {best[1]}; '
         f'AdamW lr {LR}, weight decay {WEIGHT_DECAY} (linear weights), dropout {DROPOUT} (training only), batch {BATCH}, seed {SEED}.',
         f'- Golden outputs: PyTorch eval forward in float64 on the stored float32 weights; the float32 forward '
         f'differs from them by at most {rel32:.1e} relative.', '',
         '| split | windows | model RMSE | persistence RMSE | RMSE vs persistence | model MAE | persistence MAE | train-mean RMSE |',
         '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |']
    for split in ('validation', 'test', 'train'):
        r = results[split]
        m, p, c = r['model'], r['persistence'], r['train_mean']
        L.append(f"| {split} (normalized) | {r['windows']} | {m['rmse']:.4f} | {p['rmse']:.4f} | "
                 f"{100 * (m['rmse'] / p['rmse'] - 1):+.1f}% | {m['mae']:.4f} | {p['mae']:.4f} | {c['rmse']:.4f} |")
        L.append(f"| {split} (ug/m3) | {r['windows']} | {m['rmse'] * sd_t:.3f} | {p['rmse'] * sd_t:.3f} | "
                 f"{100 * (m['rmse'] / p['rmse'] - 1):+.1f}% | {m['mae'] * sd_t:.3f} | {p['mae'] * sd_t:.3f} | {c['rmse'] * sd_t:.3f} |")
    L += ['', 'Persistence: the forecast is the last value of the target in the window. Train-mean: the forecast '
          'is 0 (the train-split mean).', '',
          '## Tensors (safetensors order; the ONNX initializers carry the same names)', '']
    L += [f'- `{n}`' for n in tensor_names(OPTIONS['encoderLayers'])]
    L += ['', f"ONNX initializers renamed after export: {renamed if renamed else 'none (torch kept the parameter names)'}.", '']
    with open(os.path.join(HERE, 'RESULTS.md'), 'w') as f:
        f.write('\n'.join(L))


def train_shape(shape, out, max_epochs, patience):
    """One shape of the deployability grid: train it and write DIR/model.safetensors (and a line of results)."""
    d_model, heads, layers = (int(v) for v in shape.split(','))
    options = dict(OPTIONS, dModel=d_model, heads=heads, encoderLayers=layers, ffnDim=4 * d_model)
    t0 = time.time()
    torch.manual_seed(SEED)
    np.random.seed(SEED)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    _, values = load_data()
    bounds = split_bounds(len(values))
    tr = bounds['train']
    mean = values[tr[0]:tr[1]].mean(axis=0)
    std = values[tr[0]:tr[1]].std(axis=0)
    z = (values - mean) / std
    tcol = FEATURES.index(TARGET)
    sets = {k: windows(z, lo, hi, options['window'], tcol) for k, (lo, hi) in bounds.items()}
    model, best, log = fit(sets, options, max_epochs, patience)
    names = tensor_names(layers)
    sd = model.state_dict()
    tensors = [(k, sd[k].detach().numpy().astype(np.float32)) for k in names]
    meta = {
        'format': 'pt',
        'producer': 'kiln models/airbase-pm10/train.py --shape',
        'kiln.transformer': json.dumps(options, separators=(',', ':')),
        'features': ','.join(FEATURES),
        'target': TARGET,
        'normalization.mean': json.dumps(mean.tolist()),
        'normalization.std': json.dumps(std.tolist()),
    }
    os.makedirs(out, exist_ok=True)
    write_safetensors(os.path.join(out, 'model.safetensors'), tensors, meta)
    _, xte, yte = sets['test']
    result = {'shape': options, 'epochs': len(log), 'bestEpoch': best[1], 'validationRmse': best[0],
              'testRmse': rmse(predict(model, xte), yte), 'seconds': round(time.time() - t0, 1)}
    with open(os.path.join(out, 'training.json'), 'w') as f:
        json.dump(result, f, indent=1)
    print(json.dumps(result))


if __name__ == '__main__':
    import argparse
    parser = argparse.ArgumentParser()
    parser.add_argument('--shape', help='DMODEL,HEADS,LAYERS: train that shape only (FFN 4 x DMODEL)')
    parser.add_argument('--out', help='folder for the shape\'s model.safetensors')
    parser.add_argument('--max-epochs', type=int, default=100)
    parser.add_argument('--patience', type=int, default=15)
    args = parser.parse_args()
    if args.shape:
        train_shape(args.shape, args.out, args.max_epochs, args.patience)
    else:
        main()
