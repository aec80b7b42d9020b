import shader from '../../shaders/matmul.wgsl';
import subgroupShader from '../../shaders/matmul_subgroup.wgsl';
import matvecShader from '../../shaders/matvec.wgsl';
import matvecScalarShader from '../../shaders/matvec_scalar.wgsl';
import type { Engine } from '../gpu/engine.js';
import { linearGrid, type Program } from '../gpu/kernel.js';
import type { Tensor } from '../gpu/tensor.js';
import { bindingRowChunk, expectShape, grid64 } from './common.js';

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
 * matmulKernel() returns the kernel that runs it.
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

  // An A (and so a C) larger than one storage binding runs as one dispatch per block of rows, over
  // row views of A, C and the gate whose byte offsets stay aligned for binding.
  // NOTE: only plain, unbatched products are split. With transA a row block of C is a column block
  // of A, which no view can bind. There, and for batches or a B larger than one binding, the
  // dispatch fails with a message to process fewer rows at a time.
  const chunk = batch === 1 && !options.transA ? bindingRowChunk(engine, 'matmul', m, [k, n]) : m;
  for (let start = 0; start < m; start += chunk) {
    const rows = Math.min(chunk, m - start);
    if (rows === m) {
      recordProduct(program, a, b, c, { m, n, k, batch }, options);
    } else {
      const gate = options.gate?.rowsView(start, rows);
      recordProduct(program, a.rowsView(start, rows), b, c.rowsView(start, rows), { m: rows, n, k, batch }, { ...options, gate });
    }
  }
}

interface ProductShape {
  m: number;
  n: number;
  k: number;
  batch: number;
}

/** A kernel that matmul() can run a product on; matmulKernel() returns the one it picks. */
export type MatmulKernel = 'tiled' | 'subgroup' | 'matvec' | 'matvec-scalar';

/**
 * Returns the kernel that matmul() picks for op(A) of M x K times op(B) of K x N on `engine`:
 * - 'matvec' for N = 1 when A is not transposed and K is a multiple of 4 (vec4 loads), and
 *   'matvec-scalar' for other N = 1 products;
 * - 'subgroup' when the engine has subgroups of 4 or 8 invocations and K and N (and M with transA)
 *   are multiples of 4;
 * - 'tiled' otherwise.
 */
export function matmulKernel(engine: Engine, m: number, n: number, k: number, options: Pick<MatmulOptions, 'transA'> = {}): MatmulKernel {
  if (n === 1) return !options.transA && k % 4 === 0 ? 'matvec' : 'matvec-scalar';
  const size = engine.subgroupSize;
  if ((size === 4 || size === 8) && n % 4 === 0 && k % 4 === 0 && (!options.transA || m % 4 === 0)) return 'subgroup';
  return 'tiled';
}

function recordProduct(program: Program, a: Tensor, b: Tensor, c: Tensor, shape: ProductShape, options: MatmulOptions): void {
  const kernel = matmulKernel(c.engine, shape.m, shape.n, shape.k, options);
  if (kernel === 'matvec' || kernel === 'matvec-scalar') {
    recordMatvec(program, a, b, c, shape, options, kernel === 'matvec');
  } else if (kernel === 'subgroup') {
    recordSubgroupProduct(program, a, b, c, shape, options);
  } else {
    recordTiledProduct(program, a, b, c, shape, options);
  }
}

function recordTiledProduct(program: Program, a: Tensor, b: Tensor, c: Tensor, shape: ProductShape, options: MatmulOptions): void {
  const { m, n, k, batch } = shape;
  const engine = c.engine;
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

/**
 * Records the N = 1 product with one invocation per output row, from vec4 loads when `vectorised`
 * (A not transposed and K a multiple of 4, so every row and batch item starts 16-byte aligned).
 */
function recordMatvec(program: Program, a: Tensor, b: Tensor, c: Tensor, shape: ProductShape, options: MatmulOptions, vectorised: boolean): void {
  const { m, k, batch } = shape;
  const engine = c.engine;
  const width = vectorised ? 4 : 1;
  const placeholder = engine.placeholder;
  const constants: Record<string, number> = {
    HAS_BIAS: options.bias ? 1 : 0,
    HAS_GATE: options.gate ? 1 : 0,
    ACTIVATION: activationCode[options.activation ?? 'identity'],
  };
  if (!vectorised) constants.TRANS_A = options.transA ? 1 : 0;
  program.dispatch(
    engine.kernel(vectorised ? matvecShader : matvecScalarShader),
    { a, b, bias: options.bias ?? placeholder, gate: options.gate ?? placeholder, c },
    grid64(engine, batch * m),
    [
      ['u32', m],
      ['u32', k],
      ['u32', batch],
      ['u32', (m * k) / width],
      ['u32', options.broadcastB ? 0 : k / width],
    ],
    constants,
  );
}

/** Records the product on matmul_subgroup.wgsl: one subgroup per tile of SG rows and 4 * SG columns. */
function recordSubgroupProduct(program: Program, a: Tensor, b: Tensor, c: Tensor, shape: ProductShape, options: MatmulOptions): void {
  const { m, n, k, batch } = shape;
  const engine = c.engine;
  const size = engine.subgroupSize!;
  const tiles = batch * Math.ceil(m / size) * Math.ceil(n / 4 / size);
  const placeholder = engine.placeholder;
  program.dispatch(
    engine.kernel(subgroupShader),
    { a, b, bias: options.bias ?? placeholder, gate: options.gate ?? placeholder, c },
    linearGrid(tiles, engine.limits.maxComputeWorkgroupsPerDimension),
    [
      ['u32', m],
      ['u32', n],
      ['u32', k],
      ['u32', batch],
      ['u32', (m * k) / 4],
      ['u32', options.broadcastB ? 0 : (k * n) / 4],
      ['u32', (m * n) / 4],
    ],
    {
      SG: size,
      TRANS_A: options.transA ? 1 : 0,
      TRANS_B: options.transB ? 1 : 0,
      HAS_BIAS: options.bias ? 1 : 0,
      HAS_GATE: options.gate ? 1 : 0,
      ACTIVATION: activationCode[options.activation ?? 'identity'],
    },
  );
}
