// matvec.wgsl for any K and for a transposed A, with scalar loads:
//   c[z, r] = activation(sum_i op(A[z])[r, i] * b[z][i] + bias[0]), or 0 where gate[z, r] <= 0
// op(A) is M x K (A is stored K x M when TRANS_A), b holds K values, c and gate are M x 1. Batch
// item z of A starts at value z * stride_a, of b at z * stride_b (0 broadcasts one vector).
// One invocation computes one output row; invocations are numbered linearly over (z, r).

// #include "lib/activation.wgsl"

override TRANS_A: bool = false;
override HAS_BIAS: bool = false;
override HAS_GATE: bool = false;

struct Params {
  m: u32,
  k: u32,
  batch: u32,
  stride_a: u32,
  stride_b: u32,
}

@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
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
  let m = params.m;
  let k = params.k;
  let z = e / m;
  let r = e % m;
  let base_a = z * params.stride_a;
  let base_b = z * params.stride_b;

  var sum = 0.0;
  if (TRANS_A) {
    // Consecutive invocations read consecutive values of each row of the stored A.
    for (var i = 0u; i < k; i++) {
      sum += a[base_a + i * m + r] * b[base_b + i];
    }
  } else {
    let row = base_a + r * k;
    for (var i = 0u; i < k; i++) {
      sum += a[row + i] * b[base_b + i];
    }
  }

  var value = sum;
  if (HAS_BIAS) {
    value += bias[0];
  }
  value = activate(value);
  if (HAS_GATE && gate[e] <= 0.0) {
    value = 0.0;
  }
  c[e] = value;
}
