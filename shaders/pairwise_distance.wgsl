// Weighted squared Euclidean distances between two row blocks:
//   D[i, j] = sum_c weight[c] * (x[i, c] - y[j, c])^2
// x is M x D, y is N x D, weight has D values, D is M x N; row-major.
// One-hot columns of a nominal attribute carry weight 1/2, so two rows that differ in that
// attribute are at distance 1 from it: one kernel serves mixed Euclidean and Hamming distance.
// Each invocation computes a 4x4 block in registers; indices past the edge are clamped on load.
// A workgroup of 8x8 invocations covers a 32x32 tile. Workgroups are numbered linearly over the
// tiles, row by row, and the host folds that count into a 2-D grid, so no grid dimension passes the
// 65,535 limit whatever M and N.

struct Params {
  m: u32,
  n: u32,
  dims: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> y: array<f32>;
@group(0) @binding(2) var<storage, read> weight: array<f32>;
@group(0) @binding(3) var<storage, read_write> distances: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

@compute @workgroup_size(8, 8, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>, @builtin(num_workgroups) groups: vec3<u32>) {
  let tiles_n = (params.n + 31u) / 32u;
  let tile = wid.x + wid.y * groups.x;
  let row0 = (tile / tiles_n) * 32u + lid.y * 4u;
  let col0 = (tile % tiles_n) * 32u + lid.x * 4u;
  if (row0 >= params.m || col0 >= params.n) {
    return;
  }
  let m = params.m;
  let n = params.n;
  let d = params.dims;
  let r = vec4<u32>(min(row0, m - 1u), min(row0 + 1u, m - 1u), min(row0 + 2u, m - 1u), min(row0 + 3u, m - 1u)) * d;
  let q = vec4<u32>(min(col0, n - 1u), min(col0 + 1u, n - 1u), min(col0 + 2u, n - 1u), min(col0 + 3u, n - 1u)) * d;

  var acc0 = vec4<f32>(0.0);
  var acc1 = vec4<f32>(0.0);
  var acc2 = vec4<f32>(0.0);
  var acc3 = vec4<f32>(0.0);
  for (var c = 0u; c < d; c++) {
    let w = weight[c];
    let xv = vec4<f32>(x[r.x + c], x[r.y + c], x[r.z + c], x[r.w + c]);
    let yv = vec4<f32>(y[q.x + c], y[q.y + c], y[q.z + c], y[q.w + c]);
    let d0 = xv.x - yv;
    let d1 = xv.y - yv;
    let d2 = xv.z - yv;
    let d3 = xv.w - yv;
    acc0 += w * d0 * d0;
    acc1 += w * d1 * d1;
    acc2 += w * d2 * d2;
    acc3 += w * d3 * d3;
  }

  var rows = array<vec4<f32>, 4>(acc0, acc1, acc2, acc3);
  for (var i = 0u; i < 4u; i++) {
    let row = row0 + i;
    if (row >= m) {
      break;
    }
    for (var j = 0u; j < 4u; j++) {
      let col = col0 + j;
      if (col >= n) {
        break;
      }
      distances[row * n + col] = rows[i][j];
    }
  }
}
