// Row-wise nearest neighbour under weighted squared Euclidean distance (see pairwise_distance.wgsl):
//   index[i] = argmin_j sum_c weight[c] * (query[i, c] - reference[j, c])^2
// query is M x D, reference is N x D. With EXCLUDE_SELF, query row i is reference row
// i + query_offset and is never its own neighbour (MUNGE's "nearest other row").
// Ties go to the lowest reference index, so results do not depend on scheduling.
// Each invocation scans all references for 4 consecutive query rows, 4 references at a time, so
// every loaded value serves 4 distances (a 4x4 register tile, as in pairwise_distance.wgsl).
// Query rows past the end are clamped on load and not written. 2-D grids cover more than 65,535
// workgroups.

override EXCLUDE_SELF: bool = false;

struct Params {
  m: u32,
  n: u32,
  dims: u32,
  query_offset: u32,
}

@group(0) @binding(0) var<storage, read> query: array<f32>;
@group(0) @binding(1) var<storage, read> reference: array<f32>;
@group(0) @binding(2) var<storage, read> weight: array<f32>;
@group(0) @binding(3) var<storage, read_write> index: array<u32>;
@group(0) @binding(4) var<storage, read_write> distances: array<f32>;
@group(0) @binding(5) var<uniform> params: Params;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32, @builtin(num_workgroups) groups: vec3<u32>) {
  let first = ((wid.x + wid.y * groups.x) * 64u + lid) * 4u;
  if (first >= params.m) {
    return;
  }
  let m = params.m;
  let n = params.n;
  let d = params.dims;
  let rows = vec4<u32>(first, min(first + 1u, m - 1u), min(first + 2u, m - 1u), min(first + 3u, m - 1u));
  let self_index = rows + vec4<u32>(params.query_offset);
  let q = rows * d;

  var best = vec4<f32>(3.4028234e38);
  var best_index = vec4<u32>(0xffffffffu);
  for (var j0 = 0u; j0 < n; j0 += 4u) {
    let refs = vec4<u32>(j0, min(j0 + 1u, n - 1u), min(j0 + 2u, n - 1u), min(j0 + 3u, n - 1u));
    let r = refs * d;
    // acc_i holds the distances from query i to the 4 references j0 .. j0 + 3.
    var acc0 = vec4<f32>(0.0);
    var acc1 = vec4<f32>(0.0);
    var acc2 = vec4<f32>(0.0);
    var acc3 = vec4<f32>(0.0);
    for (var c = 0u; c < d; c++) {
      let w = weight[c];
      let rv = vec4<f32>(reference[r.x + c], reference[r.y + c], reference[r.z + c], reference[r.w + c]);
      let d0 = query[q.x + c] - rv;
      let d1 = query[q.y + c] - rv;
      let d2 = query[q.z + c] - rv;
      let d3 = query[q.w + c] - rv;
      acc0 += w * d0 * d0;
      acc1 += w * d1 * d1;
      acc2 += w * d2 * d2;
      acc3 += w * d3 * d3;
    }
    var sums = array<vec4<f32>, 4>(acc0, acc1, acc2, acc3);
    // References in increasing index order with a strict comparison keep the lowest index on ties.
    for (var k = 0u; k < 4u; k++) {
      let j = j0 + k;
      if (j >= n) {
        break;
      }
      for (var i = 0u; i < 4u; i++) {
        let sum = sums[i][k];
        if (sum < best[i] && !(EXCLUDE_SELF && j == self_index[i])) {
          best[i] = sum;
          best_index[i] = j;
        }
      }
    }
  }
  for (var i = 0u; i < 4u; i++) {
    if (first + i < m) {
      index[first + i] = best_index[i];
      distances[first + i] = best[i];
    }
  }
}
