import shader from '../../shaders/matmul.wgsl';
import { linearGrid, type Program } from '../gpu/kernel.js';
import type { Tensor } from '../gpu/tensor.js';
import { expectShape } from './common.js';

export type Activation = 'identity' | 'relu' | 'sigmoid' | 'tanh';
const activationCode: Record<Activation, number> = { identity: 0, relu: 1, sigmoid: 2, tanh: 3 };

export interface MatmulOptions {
  /** Use A transposed: A is stored K x M. */
  transA?: boolean;
  /** Use B transposed: B is stored N x K. */
  transB?: boolean;
  /** N values added to every row before the activation. */
  bias?: Tensor;
  activation?: Activation;
  /** M x N; output values where gate <= 0 become 0 (the ReLU derivative in backward passes). */
  gate?: Tensor;
  /** Number of independent products; A, B and C then stack `batch` matrices along their rows. */
  batch?: number;
  /** Reuse one B for every batch item. */
  broadcastB?: boolean;
}

/**
 * Records c = activation(op(a) op(b) + bias) * [gate > 0].
 *   a: (batch*M) x K, or (batch*K) x M with transA
 *   b: (batch*K) x N, or (batch*N) x K with transB (one K x N matrix with broadcastB)
 *   c: (batch*M) x N
 */
export function matmul(program: Program, a: Tensor, b: Tensor, c: Tensor, options: MatmulOptions = {}): void {
  const engine = c.engine;
  const batch = options.batch ?? 1;
  const m = options.transA ? a.cols : a.rows / batch;
  const k = options.transA ? a.rows / batch : a.cols;
  const bItems = options.broadcastB ? 1 : batch;
  const kb = options.transB ? b.cols : b.rows / bItems;
  const n = options.transB ? b.rows / bItems : b.cols;
  if (!Number.isInteger(m) || !Number.isInteger(k) || !Number.isInteger(n)) {
    throw new RangeError(`matmul: operand rows are not divisible by batch ${batch}`);
  }
  if (kb !== k) throw new RangeError(`matmul: inner dimensions differ (${k} and ${kb})`);
  expectShape('matmul output', c, batch * m, n);
  if (options.bias && options.bias.length !== n) throw new RangeError(`matmul: bias must have ${n} values, got ${options.bias.length}`);
  if (options.gate) expectShape('matmul gate', options.gate, batch * m, n);
  if (m === 0 || n === 0) return;

  // The 4x8 tile wins on lavapipe for wide outputs. Outputs of 4 columns or fewer use 4x4 tiles, so
  // that no invocation computes columns past the edge; bench/NOTES.md has the timings.
  const wide = n > 4;
  const tiles = batch * Math.ceil(m / 32) * Math.ceil(n / (wide ? 64 : 32));
  const placeholder = engine.placeholder;
  program.dispatch(
    engine.kernel(shader),
    { a, b, bias: options.bias ?? placeholder, gate: options.gate ?? placeholder, c },
    linearGrid(tiles, engine.limits.maxComputeWorkgroupsPerDimension),
    [
      ['u32', m],
      ['u32', n],
      ['u32', k],
      ['u32', batch],
      ['u32', m * k],
      ['u32', options.broadcastB ? 0 : k * n],
      ['u32', m * n],
    ],
    {
      TRANS_A: options.transA ? 1 : 0,
      TRANS_B: options.transB ? 1 : 0,
      HAS_BIAS: options.bias ? 1 : 0,
      HAS_GATE: options.gate ? 1 : 0,
      ACTIVATION: activationCode[options.activation ?? 'identity'],
      WIDE: wide ? 1 : 0,
    },
  );
}
