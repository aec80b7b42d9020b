// Times the matrix-product variants that bench/NOTES.md records, on Dawn in Node, one dispatch per
// repeat. Variants run in interleaved rounds and each reports its minimum time over all rounds,
// because other work on a shared machine inflates single runs. Each result is checked on 5 rows
// against a float64 product.
//
//   node bench/matmul_variants.mjs [--rounds 5] [--matvec] [variant ...]
//
// Without --matvec it times M x K * K x N products of 1024x1024x1024 and 4096x256x256; with it,
// 65536x256 * 256x1. The subgroup variants need an adapter with the 'subgroups' feature and a fixed
// subgroup size of 8 (lavapipe); the others run anywhere.
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { create, globals } from 'webgpu';

const { values: args, positionals } = parseArgs({ options: { rounds: { type: 'string' }, matvec: { type: 'boolean' } }, allowPositionals: true });
const rounds = Number(args.rounds ?? 5);

Object.assign(globalThis, globals);
// Dawn's GPU object must stay referenced while the device is in use, or Node may collect it.
const gpu = create([]);
const adapter = await gpu.requestAdapter();
const device = await adapter.requestDevice({
  requiredFeatures: adapter.features.has('subgroups') ? ['subgroups'] : [],
  requiredLimits: { maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize, maxBufferSize: adapter.limits.maxBufferSize },
});
device.addEventListener('uncapturederror', (event) => {
  console.error(`WebGPU error: ${event.error.message}`);
  process.exit(1);
});

function storage(data, size) {
  const buffer = device.createBuffer({ size: Math.max(16, size ?? data.byteLength), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
  if (data) device.queue.writeBuffer(buffer, 0, data);
  return buffer;
}

function uniform(words) {
  const data = new Uint32Array(Math.ceil(words.length / 4) * 4);
  data.set(words);
  const buffer = device.createBuffer({ size: data.byteLength, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(buffer, 0, data);
  return buffer;
}

async function readBack(buffer, size) {
  const staging = device.createBuffer({ size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
  const encoder = device.createCommandEncoder();
  encoder.copyBufferToBuffer(buffer, 0, staging, 0, size);
  device.queue.submit([encoder.finish()]);
  await staging.mapAsync(GPUMapMode.READ);
  const values = new Float32Array(staging.getMappedRange().slice(0));
  staging.destroy();
  return values;
}

/** Compiles `code` with a layout of the given binding types, in binding order. */
function pipeline(code, types) {
  const layout = device.createBindGroupLayout({ entries: types.map((type, binding) => ({ binding, visibility: GPUShaderStage.COMPUTE, buffer: { type } })) });
  const module = device.createShaderModule({ code });
  return device.createComputePipeline({ layout: device.createPipelineLayout({ bindGroupLayouts: [layout] }), compute: { module, entryPoint: 'main' } });
}

/** Returns the fastest of `count` dispatches in milliseconds, each waited for. */
async function fastest(compiled, buffers, grid, count) {
  const bindGroup = device.createBindGroup({ layout: compiled.getBindGroupLayout(0), entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })) });
  let best = Infinity;
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const encoder = device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(compiled);
    pass.setBindGroup(0, bindGroup);
    pass.dispatchWorkgroups(...grid);
    pass.end();
    device.queue.submit([encoder.finish()]);
    await device.queue.onSubmittedWorkDone();
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

function randomValues(length, seed) {
  const out = new Float32Array(length);
  let state = seed;
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    out[i] = (state / 2 ** 32) * 2 - 1;
  }
  return out;
}

// --- Matrix-product variants: A (M x K), B (K x N), C (M x N), params (m, n, k). ---

const productTypes = ['read-only-storage', 'read-only-storage', 'storage', 'uniform'];
const header = (aType, bType) => `
@group(0) @binding(0) var<storage, read> a: array<${aType}>;
@group(0) @binding(1) var<storage, read> b: array<${bType}>;
@group(0) @binding(2) var<storage, read_write> c: array<f32>;
struct Params { m: u32, n: u32, k: u32 }
@group(0) @binding(3) var<uniform> params: Params;
`;
const entry = (size) => `@compute @workgroup_size(${size}, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let m = params.m;
  let n = params.n;
  let k = params.k;
  let tile = wid.x + wid.y * groups.x;`;

/** Builds a variant with scalar loads and 4 rows x 8 columns per invocation (rows r, columns q and p, clamped). */
function scalarTile4x8(size, rowOf, colOf, tilesN) {
  return header('f32', 'f32') + entry(size) + `
  let tiles_n = ${tilesN};
  let row0 = ${rowOf};
  let col0 = ${colOf};
  if (row0 >= m || col0 >= n) { return; }
  let r = vec4<u32>(min(row0, m - 1u), min(row0 + 1u, m - 1u), min(row0 + 2u, m - 1u), min(row0 + 3u, m - 1u));
  let q = vec4<u32>(min(col0, n - 1u), min(col0 + 1u, n - 1u), min(col0 + 2u, n - 1u), min(col0 + 3u, n - 1u));
  let p = vec4<u32>(min(col0 + 4u, n - 1u), min(col0 + 5u, n - 1u), min(col0 + 6u, n - 1u), min(col0 + 7u, n - 1u));
  var acc0 = vec4<f32>(0.0); var acc1 = vec4<f32>(0.0); var acc2 = vec4<f32>(0.0); var acc3 = vec4<f32>(0.0);
  var acc4 = vec4<f32>(0.0); var acc5 = vec4<f32>(0.0); var acc6 = vec4<f32>(0.0); var acc7 = vec4<f32>(0.0);
  for (var i = 0u; i < k; i++) {
    let av = vec4<f32>(a[r.x * k + i], a[r.y * k + i], a[r.z * k + i], a[r.w * k + i]);
    let row = i * n;
    let bv = vec4<f32>(b[row + q.x], b[row + q.y], b[row + q.z], b[row + q.w]);
    let bw = vec4<f32>(b[row + p.x], b[row + p.y], b[row + p.z], b[row + p.w]);
    acc0 += av.x * bv; acc1 += av.y * bv; acc2 += av.z * bv; acc3 += av.w * bv;
    acc4 += av.x * bw; acc5 += av.y * bw; acc6 += av.z * bw; acc7 += av.w * bw;
  }
  // Accumulators stay in registers during the loop; only this epilogue indexes them dynamically.
  var tile_rows = array<vec4<f32>, 8>(acc0, acc1, acc2, acc3, acc4, acc5, acc6, acc7);
  for (var i = 0u; i < 4u; i++) {
    for (var j = 0u; j < 8u; j++) {
      if (row0 + i < m && col0 + j < n) { c[(row0 + i) * n + col0 + j] = tile_rows[i + 4u * (j / 4u)][j % 4u]; }
    }
  }
}`;
}

/** Builds a variant with lanes over vec4 columns of B and `rows` rows per workgroup, from the workgroup id only. */
function vec4B(rows, size, unrollK) {
  const accumulators = Array.from({ length: rows }, (_, i) => `var acc${i} = vec4<f32>(0.0);`).join('\n  ');
  const rowBases = Array.from({ length: rows }, (_, i) => `let r${i} = min(row0 + ${i}u, m - 1u) * ${unrollK ? 'k4' : 'k'};`).join('\n  ');
  const step = unrollK
    ? `for (var i4 = 0u; i4 < k4; i4++) {
    let first = i4 * 4u * n4 + col4;
    let b0 = b[first];
    let b1 = b[first + n4];
    let b2 = b[first + 2u * n4];
    let b3 = b[first + 3u * n4];
    ${Array.from({ length: rows }, (_, i) => `let a${i} = a[r${i} + i4]; acc${i} += a${i}.x * b0 + a${i}.y * b1 + a${i}.z * b2 + a${i}.w * b3;`).join('\n    ')}
  }`
    : `for (var i = 0u; i < k; i++) {
    let bv = b[i * n4 + col4];
    ${Array.from({ length: rows }, (_, i) => `acc${i} += a[r${i} + i] * bv;`).join('\n    ')}
  }`;
  const stores = Array.from({ length: rows }, (_, i) => `if (row0 + ${i}u < m) { let at = (row0 + ${i}u) * n + col4 * 4u; c[at] = acc${i}.x; c[at + 1u] = acc${i}.y; c[at + 2u] = acc${i}.z; c[at + 3u] = acc${i}.w; }`).join('\n  ');
  return header(unrollK ? 'vec4<f32>' : 'f32', 'vec4<f32>') + entry(size) + `
  let n4 = n / 4u;
  let k4 = k / 4u;
  let tiles_n = (n4 + ${size - 1}u) / ${size}u;
  let row0 = (tile / tiles_n) * ${rows}u;
  let col4 = (tile % tiles_n) * ${size}u + lid.x;
  if (row0 >= m || col4 >= n4) { return; }
  ${rowBases}
  ${accumulators}
  ${step}
  ${stores}
}`;
}

/** Builds a variant with lanes over rows (`rows` each, vec4 loads of A along K) and `cols` columns per workgroup. */
function vec4A(rows, cols, size) {
  const accumulators = [];
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols / 4; j++) accumulators.push(`var acc${i}_${j} = vec4<f32>(0.0);`);
  let body = Array.from({ length: rows }, (_, i) => `let a${i} = a[min(row0 + ${i}u, m - 1u) * k4 + i4];`).join('\n    ');
  for (let step = 0; step < 4; step++) {
    for (let j = 0; j < cols / 4; j++) body += `\n    let b${step}_${j} = b[(i4 * 4u + ${step}u) * n4 + c4 + ${j}u];`;
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols / 4; j++) body += `\n    acc${i}_${j} += a${i}.${'xyzw'[step]} * b${step}_${j};`;
  }
  let stores = '';
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols / 4; j++) {
      stores += `\n  if (row0 + ${i}u < m) { let at = (row0 + ${i}u) * n + (c4 + ${j}u) * 4u; c[at] = acc${i}_${j}.x; c[at + 1u] = acc${i}_${j}.y; c[at + 2u] = acc${i}_${j}.z; c[at + 3u] = acc${i}_${j}.w; }`;
    }
  }
  return header('vec4<f32>', 'vec4<f32>') + entry(size) + `
  let n4 = n / 4u;
  let k4 = k / 4u;
  let tiles_n = n4 / ${cols / 4}u;
  let row0 = (tile / tiles_n) * ${rows * size}u + lid.x * ${rows}u;
  let c4 = (tile % tiles_n) * ${cols / 4}u;
  if (row0 >= m) { return; }
  ${accumulators.join('\n  ')}
  for (var i4 = 0u; i4 < k4; i4++) {
    ${body}
  }${stores}
}`;
}

/**
 * Builds a variant where a subgroup of 8 lanes (one per workgroup, or 8 per workgroup of 64)
 * computes `rows` rows x 8 * 4 * `vectors` columns. Lane l loads row row0 + l of A as vec4s along K
 * and its own vec4s of B, and subgroupBroadcast hands every lane each row's A value.
 */
function subgroupTile(size, rows, vectors, unrollK) {
  const accumulators = [];
  for (let j = 0; j < rows; j++) for (let v = 0; v < vectors; v++) accumulators.push(`var acc${j}_${v} = vec4<f32>(0.0);`);
  let body = '';
  for (let h = 0; h < unrollK / 4; h++) body += `let av${h} = a[a_row + i4 + ${h}u];\n    `;
  for (let step = 0; step < unrollK; step++) {
    body += `{\n      let kr = (i4 * 4u + ${step}u) * n4 + col4;\n`;
    for (let v = 0; v < vectors; v++) body += `      let bv${v} = b[kr + ${v * 8}u];\n`;
    body += `      let x = av${step >> 2}.${'xyzw'[step & 3]};\n`;
    for (let j = 0; j < rows; j++) {
      body += `      { let s = subgroupBroadcast(x, ${j}u);`;
      for (let v = 0; v < vectors; v++) body += ` acc${j}_${v} += s * bv${v};`;
      body += ' }\n';
    }
    body += '    }\n    ';
  }
  let stores = '';
  for (let j = 0; j < rows; j++) {
    for (let v = 0; v < vectors; v++) {
      stores += `\n  if (row0 + ${j}u < m && c4 + ${v * 8}u < n4) { let at = (row0 + ${j}u) * n + (c4 + ${v * 8}u) * 4u; c[at] = acc${j}_${v}.x; c[at + 1u] = acc${j}_${v}.y; c[at + 2u] = acc${j}_${v}.z; c[at + 3u] = acc${j}_${v}.w; }`;
    }
  }
  const tileCols4 = 8 * vectors;
  return 'enable subgroups;\n' + header('vec4<f32>', 'vec4<f32>') + `@compute @workgroup_size(${size}, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) index: u32, @builtin(subgroup_invocation_id) lane: u32, @builtin(num_workgroups) groups: vec3<u32>) {
  let m = params.m;
  let n = params.n;
  let k = params.k;
  let n4 = n / 4u;
  let k4 = k / 4u;
  let tiles_n = (n4 + ${tileCols4 - 1}u) / ${tileCols4}u;
  let tile = (wid.x + wid.y * groups.x) * ${size / 8}u + index / 8u;
  let row0 = (tile / tiles_n) * ${rows}u;
  let c4 = (tile % tiles_n) * ${tileCols4}u + lane;
  let col4 = min(c4, n4 - 1u);
  let a_row = min(row0 + lane % ${rows}u, m - 1u) * k4;
  ${accumulators.join(' ')}
  for (var i4 = 0u; i4 < k4; i4 += ${unrollK / 4}u) {
    ${body}
  }${stores}
}`;
}

/** Returns the source of the kept kernel, shaders/matmul_subgroup.wgsl, with its include expanded. */
function keptSubgroupKernel() {
  const root = new URL('../', import.meta.url);
  const activation = readFileSync(new URL('shaders/lib/activation.wgsl', root), 'utf8');
  return readFileSync(new URL('shaders/matmul_subgroup.wgsl', root), 'utf8').replace('// #include "lib/activation.wgsl"', activation);
}

const productVariants = {
  'tiled-4x8': { code: scalarTile4x8(64, '(tile / tiles_n) * 32u + lid.y * 4u', '(tile % tiles_n) * 64u + lid.x * 8u', '(n + 63u) / 64u').replace('@workgroup_size(64, 1, 1)', '@workgroup_size(8, 8, 1)'), grid: (m, n) => Math.ceil(m / 32) * Math.ceil(n / 64) },
  'rows-shared-4x8': { code: scalarTile4x8(32, '(tile / tiles_n) * 4u', '(tile % tiles_n) * 256u + lid.x * 8u', '(n + 255u) / 256u'), grid: (m, n) => Math.ceil(m / 4) * Math.ceil(n / 256) },
  'lanes-rows-4x8': { code: scalarTile4x8(64, '(tile / tiles_n) * 256u + lid.x * 4u', '(tile % tiles_n) * 8u', '(n + 7u) / 8u'), grid: (m, n) => Math.ceil(m / 256) * Math.ceil(n / 8) },
  'vec4b-8rows-wg64': { code: vec4B(8, 64, false), grid: (m, n) => Math.ceil(m / 8) * Math.ceil(n / 256) },
  'vec4b-16rows-wg64': { code: vec4B(16, 64, false), grid: (m, n) => Math.ceil(m / 16) * Math.ceil(n / 256) },
  'vec4b-8rows-wg32': { code: vec4B(8, 32, false), grid: (m, n) => Math.ceil(m / 8) * Math.ceil(n / 128) },
  'vec4ab-8rows-wg64': { code: vec4B(8, 64, true), grid: (m, n) => Math.ceil(m / 8) * Math.ceil(n / 256) },
  'vec4ab-16rows-wg64': { code: vec4B(16, 64, true), grid: (m, n) => Math.ceil(m / 16) * Math.ceil(n / 256) },
  'vec4a-4x8': { code: vec4A(4, 8, 64), grid: (m, n) => Math.ceil(m / 256) * (n / 8) },
  'vec4a-8x4': { code: vec4A(8, 4, 64), grid: (m, n) => Math.ceil(m / 512) * (n / 4) },
  'vec4a-4x4': { code: vec4A(4, 4, 64), grid: (m, n) => Math.ceil(m / 256) * (n / 4) },
  'subgroup-wg64': { code: subgroupTile(64, 8, 1, 4), grid: (m, n) => Math.ceil((Math.ceil(m / 8) * Math.ceil(n / 32)) / 8) },
  'subgroup-wg8': { code: subgroupTile(8, 8, 1, 4), grid: (m, n) => Math.ceil(m / 8) * Math.ceil(n / 32) },
  'subgroup-k8': { code: subgroupTile(8, 8, 1, 8), grid: (m, n) => Math.ceil(m / 8) * Math.ceil(n / 32) },
  'subgroup-8x8': { code: subgroupTile(8, 8, 2, 4), grid: (m, n) => Math.ceil(m / 8) * Math.ceil(n / 64) },
  'subgroup-4x8': { code: subgroupTile(8, 4, 2, 4), grid: (m, n) => Math.ceil(m / 4) * Math.ceil(n / 64) },
  kept: { code: keptSubgroupKernel(), kept: true, grid: (m, n) => Math.ceil(m / 8) * Math.ceil(n / 32) },
};

// --- Matrix-vector variants: A (M x K), x (K), y (M), params (m, k). ---

const matvecHeader = (type) => `
@group(0) @binding(0) var<storage, read> a: array<${type}>;
@group(0) @binding(1) var<storage, read> x: array<${type}>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
struct Params { m: u32, k: u32 }
@group(0) @binding(3) var<uniform> params: Params;
`;

/** Builds a matrix-vector variant with vec4 loads and `rows` rows per invocation, K optionally unrolled by 2. */
function vec4Rows(size, rows, unroll2) {
  const sums = Array.from({ length: rows }, (_, i) => `var s${i} = vec4<f32>(0.0);`).join(' ');
  const loop = unroll2
    ? `var t = vec4<f32>(0.0);
  var i = 0u;
  for (; i + 1u < k4; i += 2u) { s0 += a[base + i] * x[i]; t += a[base + i + 1u] * x[i + 1u]; }
  if (i < k4) { s0 += a[base + i] * x[i]; }
  s0 += t;`
    : `for (var i = 0u; i < k4; i++) { let xv = x[i]; ${Array.from({ length: rows }, (_, r) => `s${r} += a[base + ${r}u * k4 + i] * xv;`).join(' ')} }`;
  const stores = Array.from({ length: rows }, (_, r) => `y[row + ${r}u] = dot(s${r}, vec4<f32>(1.0));`).join(' ');
  return matvecHeader('vec4<f32>') + `@compute @workgroup_size(${size}) fn main(@builtin(global_invocation_id) g: vec3<u32>) {
  let row = g.x * ${rows}u;
  if (row >= params.m) { return; }
  let k4 = params.k / 4u;
  let base = row * k4;
  ${sums}
  ${loop}
  ${stores}
}`;
}

const matvecVariants = {
  'scalar-row': {
    code: matvecHeader('f32') + `@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) g: vec3<u32>) {
  let row = g.x;
  if (row >= params.m) { return; }
  var s = 0.0;
  for (var i = 0u; i < params.k; i++) { s += a[row * params.k + i] * x[i]; }
  y[row] = s;
}`,
    grid: (m) => m / 64,
  },
  'scalar4-row': {
    code: matvecHeader('f32') + `@compute @workgroup_size(64) fn main(@builtin(global_invocation_id) g: vec3<u32>) {
  let row = g.x;
  if (row >= params.m) { return; }
  let base = row * params.k;
  var s = vec4<f32>(0.0);
  var i = 0u;
  for (; i + 3u < params.k; i += 4u) { s += vec4<f32>(a[base + i], a[base + i + 1u], a[base + i + 2u], a[base + i + 3u]) * vec4<f32>(x[i], x[i + 1u], x[i + 2u], x[i + 3u]); }
  var t = s.x + s.y + s.z + s.w;
  for (; i < params.k; i++) { t += a[base + i] * x[i]; }
  y[row] = t;
}`,
    grid: (m) => m / 64,
  },
  'vec4-row-wg64': { code: vec4Rows(64, 1, false), grid: (m) => m / 64, kept: true },
  'vec4-row-wg32': { code: vec4Rows(32, 1, false), grid: (m) => m / 32 },
  'vec4-row-wg256': { code: vec4Rows(256, 1, false), grid: (m) => m / 256 },
  'vec4-2rows': { code: vec4Rows(64, 2, false), grid: (m) => m / 128 },
  'vec4-4rows': { code: vec4Rows(64, 4, false), grid: (m) => m / 256 },
  'vec4-row-unroll2': { code: vec4Rows(64, 1, true), grid: (m) => m / 64 },
  'subgroup-add': {
    code: 'enable subgroups;\n' + matvecHeader('vec4<f32>') + `@compute @workgroup_size(64) fn main(@builtin(workgroup_id) w: vec3<u32>, @builtin(subgroup_invocation_id) lane: u32, @builtin(subgroup_size) size: u32, @builtin(local_invocation_index) index: u32) {
  let k4 = params.k / 4u;
  let row = w.x * (64u / size) + index / size;
  var s = vec4<f32>(0.0);
  for (var i = lane; i < k4; i += size) { s += a[row * k4 + i] * x[i]; }
  let total = subgroupAdd(s.x + s.y + s.z + s.w);
  if (lane == 0u && row < params.m) { y[row] = total; }
}`,
    grid: (m) => m / 8,
  },
};

async function timeProducts(names) {
  for (const [m, k, n] of [
    [1024, 1024, 1024],
    [4096, 256, 256],
  ]) {
    const aData = randomValues(m * k, 1);
    const bData = randomValues(k * n, 2);
    const a = storage(aData);
    const b = storage(bData);
    const c = storage(null, m * n * 4);
    const rows = [0, 1, 37, Math.floor(m / 2) + 3, m - 1];
    const expected = rows.map((r) => Float64Array.from({ length: n }, (_, j) => {
      let sum = 0;
      for (let p = 0; p < k; p++) sum += aData[r * k + p] * bData[p * n + j];
      return sum;
    }));
    // The kept kernel also binds bias and gate (unused here) and takes batch and strides.
    const runs = names.map((name) => {
      const variant = productVariants[name];
      if (variant.kept) {
        const types = ['read-only-storage', 'read-only-storage', 'read-only-storage', 'read-only-storage', 'storage', 'uniform'];
        return { name, compiled: pipeline(variant.code, types), buffers: [a, b, storage(new Float32Array(4)), storage(new Float32Array(4)), c, uniform([m, n, k, 1, 0, 0, 0])], grid: variant.grid(m, n) };
      }
      return { name, compiled: pipeline(variant.code, productTypes), buffers: [a, b, c, uniform([m, n, k])], grid: variant.grid(m, n) };
    });
    const best = new Map(runs.map((run) => [run.name, Infinity]));
    for (let round = 0; round < rounds; round++) {
      for (const run of runs) best.set(run.name, Math.min(best.get(run.name), await fastest(run.compiled, run.buffers, [run.grid, 1, 1], 3)));
    }
    for (const run of runs) {
      await fastest(run.compiled, run.buffers, [run.grid, 1, 1], 1);
      const got = await readBack(c, m * n * 4);
      let error = 0;
      rows.forEach((r, i) => expected[i].forEach((value, j) => (error = Math.max(error, Math.abs(got[r * n + j] - value)))));
      const ms = best.get(run.name);
      console.log(`${m}x${k}x${n}`.padEnd(15), run.name.padEnd(20), `${ms.toFixed(2)} ms`.padStart(11), `${((2 * m * n * k) / ms / 1e6).toFixed(2)} GFLOP/s`.padStart(15), error > 1e-3 ? `WRONG (max error ${error})` : '');
    }
  }
}

async function timeMatvec(names) {
  const [m, k] = [65536, 256];
  const aData = randomValues(m * k, 1);
  const xData = randomValues(k, 2);
  const expected = Float64Array.from({ length: m }, (_, r) => {
    let sum = 0;
    for (let p = 0; p < k; p++) sum += aData[r * k + p] * xData[p];
    return sum;
  });
  const buffers = [storage(aData), storage(xData), storage(null, m * 4), uniform([m, k])];
  const runs = names.map((name) => ({ name, compiled: pipeline(matvecVariants[name].code, productTypes), grid: matvecVariants[name].grid(m) }));
  const best = new Map(names.map((name) => [name, Infinity]));
  for (let round = 0; round < rounds; round++) {
    for (const run of runs) best.set(run.name, Math.min(best.get(run.name), await fastest(run.compiled, buffers, [run.grid, 1, 1], 3)));
  }
  for (const run of runs) {
    await fastest(run.compiled, buffers, [run.grid, 1, 1], 1);
    const got = await readBack(buffers[2], m * 4);
    let error = 0;
    for (let r = 0; r < m; r++) error = Math.max(error, Math.abs(got[r] - expected[r]));
    console.log(`${m}x${k}x1`.padEnd(15), run.name.padEnd(20), `${best.get(run.name).toFixed(2)} ms`.padStart(11), error > 1e-3 ? `WRONG (max error ${error})` : '');
  }
}

const table = args.matvec ? matvecVariants : productVariants;
const names = positionals.length > 0 ? positionals : Object.keys(table);
for (const name of names) {
  if (!(name in table)) {
    console.error(`unknown variant '${name}'; expected one of ${Object.keys(table).join(', ')}`);
    process.exit(1);
  }
}
await (args.matvec ? timeMatvec(names) : timeProducts(names));
process.exit(0);
