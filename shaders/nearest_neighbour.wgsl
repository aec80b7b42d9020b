// Row-wise nearest neighbour under weighted squared Euclidean distance (see pairwise_distance.wgsl):
//   index[i] = argmin_j sum_c weight[c] * (query[i, c] - reference[j, c])^2
// query is M x D, reference is N x D. With EXCLUDE_SELF, query row i is reference row
// i + query_offset and is never its own neighbour (MUNGE's "nearest other row").
// Ties go to the lowest reference index, so results do not depend on scheduling.
// One invocation scans all references for one query row; 2-D grids cover more than 65,535 groups.

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
  let i = (wid.x + wid.y * groups.x) * 64u + lid;
  if (i >= params.m) {
    return;
  }
  let d = params.dims;
  let self_index = i + params.query_offset;
  var best = 3.4028234e38;
  var best_index = 0xffffffffu;
  for (var j = 0u; j < params.n; j++) {
    if (EXCLUDE_SELF && j == self_index) {
      continue;
    }
    var sum = 0.0;
    for (var c = 0u; c < d; c++) {
      let diff = query[i * d + c] - reference[j * d + c];
      sum += weight[c] * diff * diff;
    }
    if (sum < best) {
      best = sum;
      best_index = j;
    }
  }
  index[i] = best_index;
  distances[i] = best;
}
