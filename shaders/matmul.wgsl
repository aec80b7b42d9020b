// Batched matrix product with fused bias, activation and gate:
//   C[z] = activation(op(A[z]) * op(B[z]) + bias) * select(0, 1, gate[z] > 0)
// op(A) is M x K (A is stored K x M when TRANS_A), op(B) is K x N (B is stored N x K when TRANS_B).
// bias has N values and broadcasts over rows; gate is M x N. All matrices are row-major and
// contiguous; batch item z starts at z * stride_* (a stride of 0 broadcasts one matrix).
//
// Each invocation computes a 4x8 block of C (4x4 when WIDE is false) in registers from scalar
// loads, so a workgroup of 8x8 invocations covers a 32x64 (32x32) tile. There is no workgroup
// memory and no barrier, because barriers are expensive on software adapters (SwiftShader,
// lavapipe). Rows and columns past the edge are clamped on load and skipped on store, so the inner
// loop has no bounds checks.
//
// Workgroups are numbered linearly over (batch item, tile row, tile column) and the host folds that
// count into a 2-D grid, so no grid dimension passes the 65,535 limit whatever M, N and the batch.

// #include "lib/activation.wgsl"

override TRANS_A: bool = false;
override TRANS_B: bool = false;
override HAS_BIAS: bool = false;
override HAS_GATE: bool = false;
// 8 output columns per invocation instead of 4. Wide outputs run faster with it (fewer loads of A
// per multiply-add); narrow ones (N <= 4) would waste half of every tile.
override WIDE: bool = true;

struct Params {
  m: u32,
  n: u32,
  k: u32,
  batch: u32,
  stride_a: u32,
  stride_b: u32,
  stride_c: u32,
}

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read> gate: array<f32>;
@group(0) @binding(4) var<storage, read_write> c: array<f32>;
@group(0) @binding(5) var<uniform> params: Params;

// Loads op(B)[i, cols] for four (clamped) output columns.
fn load_b(base_b: u32, cols: vec4<u32>, i: u32) -> vec4<f32> {
  let k = params.k;
  if (TRANS_B) {
    return vec4<f32>(b[base_b + cols.x * k + i], b[base_b + cols.y * k + i], b[base_b + cols.z * k + i], b[base_b + cols.w * k + i]);
  }
  let row = base_b + i * params.n;
  return vec4<f32>(b[row + cols.x], b[row + cols.y], b[row + cols.z], b[row + cols.w]);
}

@compute @workgroup_size(8, 8, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let m = params.m;
  let n = params.n;
  let k = params.k;
  let tile_cols = select(32u, 64u, WIDE);
  let tiles_n = (n + tile_cols - 1u) / tile_cols;
  let tiles_item = tiles_n * ((m + 31u) / 32u);
  let tile = wid.x + wid.y * groups.x;
  let z = tile / tiles_item;
  let tile_row = (tile % tiles_item) / tiles_n;
  let tile_col = tile % tiles_n;
  let row0 = tile_row * 32u + lid.y * 4u;
  let col0 = tile_col * tile_cols + lid.x * select(4u, 8u, WIDE);
  if (z >= params.batch || row0 >= m || col0 >= n) {
    return;
  }
  let base_a = z * params.stride_a;
  let base_b = z * params.stride_b;
  let base_c = z * params.stride_c;

  // Clamped indices keep every load in bounds; results for clamped rows and columns are dropped.
  let r = vec4<u32>(min(row0, m - 1u), min(row0 + 1u, m - 1u), min(row0 + 2u, m - 1u), min(row0 + 3u, m - 1u));
  let q = vec4<u32>(min(col0, n - 1u), min(col0 + 1u, n - 1u), min(col0 + 2u, n - 1u), min(col0 + 3u, n - 1u));
  let p = vec4<u32>(min(col0 + 4u, n - 1u), min(col0 + 5u, n - 1u), min(col0 + 6u, n - 1u), min(col0 + 7u, n - 1u));

  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  var acc4 = vec4<f32>(0.0);
  var acc5 = vec4<f32>(0.0);
  var acc6 = vec4<f32>(0.0);
  var acc7 = vec4<f32>(0.0);
  for (var i = 0u; i < k; i++) {
    var av: vec4<f32>;
    if (TRANS_A) {
      let at = base_a + i * m;
      av = vec4<f32>(a[at + r.x], a[at + r.y], a[at + r.z], a[at + r.w]);
    } else {
      av = vec4<f32>(a[base_a + r.x * k + i], a[base_a + r.y * k + i], a[base_a + r.z * k + i], a[base_a + r.w * k + i]);
    }
    let bv = load_b(base_b, q, i);
    acc0 += av.x * bv;
    acc1 += av.y * bv;
    acc2 += av.z * bv;
    acc3 += av.w * bv;
    if (WIDE) {
      let bw = load_b(base_b, p, i);
      acc4 += av.x * bw;
      acc5 += av.y * bw;
      acc6 += av.z * bw;
      acc7 += av.w * bw;
    }
  }

  var bias_v = vec4<f32>(0.0);
  var bias_w = vec4<f32>(0.0);
  if (HAS_BIAS) {
    bias_v = vec4<f32>(bias[q.x], bias[q.y], bias[q.z], bias[q.w]);
    bias_w = vec4<f32>(bias[p.x], bias[p.y], bias[p.z], bias[p.w]);
  }
  var rows = array<vec4<f32>, 8>(acc0 + bias_v, acc1 + bias_v, acc2 + bias_v, acc3 + bias_v, acc4 + bias_w, acc5 + bias_w, acc6 + bias_w, acc7 + bias_w);
  for (var i = 0u; i < 4u; i++) {
    let row = row0 + i;
    if (row >= m) {
      break;
    }
    for (var j = 0u; j < select(4u, 8u, WIDE); j++) {
      let col = col0 + j;
      if (col >= n) {
        break;
      }
      let at = base_c + row * n + col;
      var value = activate(rows[i + 4u * (j / 4u)][j % 4u]);
      if (HAS_GATE && gate[at] <= 0.0) {
        value = 0.0;
      }
      c[at] = value;
    }
  }
}
