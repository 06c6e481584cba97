/** Ridge-regularised weighted least squares for calibration factors (small dense systems). */

/** Solves A x = b by Gaussian elimination with partial pivoting. */
export function solve(A: number[][], b: number[]): number[] {
  const n = b.length;
  const M = A.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r]![c]!) > Math.abs(M[p]![c]!)) p = r;
    [M[c], M[p]] = [M[p]!, M[c]!];
    const piv = M[c]![c]!;
    if (Math.abs(piv) < 1e-12) continue;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = M[r]![c]! / piv;
      for (let k = c; k <= n; k++) M[r]![k]! -= f * M[c]![k]!;
    }
  }
  return M.map((row, i) => (Math.abs(row[i]!) < 1e-12 ? 1 : row[n]! / row[i]!));
}

/**
 * Factors k minimising Σ_i ((fixed_i + Σ_g k_g·x_ig − y_i) / y_i)² + λ·Σ_g (k_g − 1)²: relative error
 * (or, with 'absolute', the error scaled by the mean target), pulled towards 1 (the structural model) so
 * groups with little data keep their reasoned value.
 */
export function fitFactors(x: number[][], fixed: number[], y: number[], lambda: number, error: 'relative' | 'absolute' = 'relative'): number[] {
  const g = x[0]?.length ?? 0;
  const A = Array.from({ length: g }, () => new Array<number>(g).fill(0));
  const b = new Array<number>(g).fill(0);
  const meanY = y.reduce((s, v) => s + v, 0) / Math.max(1, y.length);
  x.forEach((row, i) => {
    const w = 1 / Math.max(1, error === 'relative' ? y[i]! : meanY) ** 2;
    const t = y[i]! - fixed[i]!;
    for (let p = 0; p < g; p++) {
      b[p]! += w * row[p]! * t;
      for (let q = 0; q < g; q++) A[p]![q]! += w * row[p]! * row[q]!;
    }
  });
  for (let p = 0; p < g; p++) {
    A[p]![p]! += lambda;
    b[p]! += lambda;
  }
  return solve(A, b).map((k) => Math.max(0, k));
}
