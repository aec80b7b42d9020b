// Column sums: out[j] = sum_i x[i, j] for an M x N row-major matrix (bias gradients).
// One invocation per column; consecutive invocations read consecutive addresses.

struct Params {
  m: u32,
  n: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32, @builtin(num_workgroups) groups: vec3<u32>) {
  let j = (wid.x + wid.y * groups.x) * 64u + lid;
  if (j >= params.n) {
    return;
  }
  var sum = 0.0;
  for (var i = 0u; i < params.m; i++) {
    sum += x[i * params.n + j];
  }
  out[j] = sum;
}
