// Batched matrix-vector product with fused bias, activation and gate, the N = 1 case of matmul.wgsl:
//   c[z, r] = activation(sum_i A[z][r, i] * b[z][i] + bias[0]), or 0 where gate[z, r] <= 0
// A is M x K row-major with K a multiple of 4, b holds K values (K x 1 and 1 x K are the same in
// memory), c and gate are M x 1. Batch item z of A starts at vec4 z * stride_a, of b at vec4
// z * stride_b (0 broadcasts one vector).
//
// One invocation computes one output row from vec4 loads. The tiled kernel would compute 3 wasted
// columns for every useful one, and on lavapipe vec4 loads beat scalar ones by 1.5x to 3x
// (bench/NOTES.md). Invocations are numbered linearly over (z, r) on a 2-D grid of workgroups.

// #include "lib/activation.wgsl"

override HAS_BIAS: bool = false;
override HAS_GATE: bool = false;

struct Params {
  m: u32,
  k: u32,
  batch: u32,
  stride_a: u32,
  stride_b: u32,
}

@group(0) @binding(0) var<storage, read> a: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> b: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> bias: array<f32>;
@group(0) @binding(3) var<storage, read> gate: array<f32>;
@group(0) @binding(4) var<storage, read_write> c: array<f32>;
@group(0) @binding(5) var<uniform> params: Params;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32, @builtin(num_workgroups) groups: vec3<u32>) {
  let e = (wid.x + wid.y * groups.x) * 64u + lid;
  if (e >= params.m * params.batch) {
    return;
  }
  let z = e / params.m;
  let r = e % params.m;
  let k4 = params.k / 4u;
  let row = z * params.stride_a + r * k4;
  let base_b = z * params.stride_b;

  var sum = vec4<f32>(0.0);
  for (var i = 0u; i < k4; i++) {
    sum += a[row + i] * b[base_b + i];
  }

  var value = sum.x + sum.y + sum.z + sum.w;
  if (HAS_BIAS) {
    value += bias[0];
  }
  value = activate(value);
  if (HAS_GATE && gate[e] <= 0.0) {
    value = 0.0;
  }
  c[e] = value;
}
