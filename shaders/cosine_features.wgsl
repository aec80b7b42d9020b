// Random Fourier features (Rahimi and Recht, 2007), last step: z = scale * cos(p) elementwise,
// in place, where p = x W + b was computed by the matmul kernel. The angle is first reduced to
// [-pi, pi], because WGSL bounds the error of cos only on that interval.

struct Params {
  count: u32,
  scale: f32,
}

@group(0) @binding(0) var<storage, read_write> values: array<f32>;
@group(0) @binding(1) var<uniform> params: Params;

const TWO_PI: f32 = 6.283185307179586;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = (wid.x + wid.y * groups.x) * 64u + lid;
  if (i >= params.count) {
    return;
  }
  let p = values[i];
  let reduced = p - TWO_PI * round(p / TWO_PI);
  values[i] = params.scale * cos(reduced);
}
