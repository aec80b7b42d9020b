// Plain float64 CPU versions of the matrix kernels, written from their definitions, that the kernel
// and engine tests compare the GPU results against.
import type { Activation, MatmulOptions } from '../src/kernels/matmul.js';

function activate(x: number, activation: Activation): number {
  if (activation === 'relu') return Math.max(x, 0);
  if (activation === 'sigmoid') return 1 / (1 + Math.exp(-x));
  if (activation === 'tanh') return Math.tanh(x);
  return x;
}

export interface MatmulCase {
  m: number;
  n: number;
  k: number;
  batch?: number;
  options: Omit<MatmulOptions, 'bias' | 'gate' | 'batch'> & { bias?: boolean; gate?: boolean };
}

export function matmulReference(a: Float32Array, b: Float32Array, bias: Float32Array | null, gate: Float32Array | null, c: MatmulCase): Float64Array {
  const { m, n, k } = c;
  const batch = c.batch ?? 1;
  const out = new Float64Array(batch * m * n);
  for (let z = 0; z < batch; z++) {
    const baseB = c.options.broadcastB ? 0 : z * k * n;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let p = 0; p < k; p++) {
          const av = c.options.transA ? a[z * m * k + p * m + i] : a[z * m * k + i * k + p];
          const bv = c.options.transB ? b[baseB + j * k + p] : b[baseB + p * n + j];
          sum += av * bv;
        }
        if (bias) sum += bias[j];
        let value = activate(sum, c.options.activation ?? 'identity');
        if (gate && gate[z * m * n + i * n + j] <= 0) value = 0;
        out[z * m * n + i * n + j] = value;
      }
    }
  }
  return out;
}

export function distanceReference(x: Float32Array, y: Float32Array, w: Float32Array, m: number, n: number, d: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let c = 0; c < d; c++) sum += w[c] * (x[i * d + c] - y[j * d + c]) ** 2;
      out[i * n + j] = sum;
    }
  }
  return out;
}
