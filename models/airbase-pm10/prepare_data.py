#!/usr/bin/python3
"""Rebuilds data.csv and imputed.csv from the Debian package r-cran-spacetime (needs R: `apt-get install
r-cran-spacetime`). Training does not need this: train.py reads the committed data.csv.

Cleaning (the only change to the AirBase values): a missing daily value is filled by linear interpolation in
time between the nearest observed days of the same station, rounded to 3 decimals like the source; every
filled cell is listed in imputed.csv. (No gap of the chosen stations touches the first or last day; the
script refuses the data if one does.)

Usage: /usr/bin/python3 models/airbase-pm10/prepare_data.py [--check]   (--check: compare, do not write)
"""
import csv
import os
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


def read_raw(path):
    with open(path, newline='') as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    dates = [r[0] for r in body]
    cols = [[(float(v) if v != '' else None) for v in (r[j] for r in body)] for j in range(1, len(header))]
    return header, dates, cols


def fill(col, name):
    n = len(col)
    out = list(col)
    filled = []
    i = 0
    while i < n:
        if col[i] is not None:
            i += 1
            continue
        j = i
        while j < n and col[j] is None:
            j += 1
        if i == 0 or j == n:
            raise SystemExit(f'{name}: a gap touches the start or end of the series (rows {i}..{j - 1})')
        a, b = col[i - 1], col[j]
        for k in range(i, j):
            out[k] = round(a + (b - a) * (k - i + 1) / (j - i + 1), 3)
            filled.append(k)
        i = j
    return out, filled


def fmt(v):
    s = f'{v:.3f}'.rstrip('0').rstrip('.')
    return s if s not in ('-0', '') else '0'


def main():
    check = '--check' in sys.argv
    with tempfile.TemporaryDirectory() as tmp:
        raw = os.path.join(tmp, 'raw.csv')
        subprocess.run(['Rscript', os.path.join(HERE, 'extract.R'), raw], check=True)
        header, dates, cols = read_raw(raw)
    filled_cols, imputed = [], []
    for name, col in zip(header[1:], cols):
        c, idx = fill(col, name)
        filled_cols.append(c)
        imputed += [(k, name) for k in idx]
    imputed.sort()
    data = ','.join(header) + '\n' + ''.join(
        dates[r] + ',' + ','.join(fmt(c[r]) for c in filled_cols) + '\n' for r in range(len(dates)))
    imp = 'date,column\n' + ''.join(f'{dates[k]},{name}\n' for k, name in imputed)
    for fname, text in (('data.csv', data), ('imputed.csv', imp)):
        path = os.path.join(HERE, fname)
        if check:
            same = os.path.exists(path) and open(path).read() == text
            print(f'{fname}: {"identical" if same else "DIFFERS"}')
            if not same:
                sys.exit(1)
        else:
            with open(path, 'w', newline='') as f:
                f.write(text)
            print(f'wrote {fname} ({len(text)} bytes)')
    print(f'{len(dates)} rows, {len(imputed)} imputed cells '
          + ', '.join(f'{n}={sum(1 for _, m in imputed if m == n)}' for n in header[1:]))


if __name__ == '__main__':
    main()
