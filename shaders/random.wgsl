// Fills a buffer with seeded random numbers: out[e] = shift + scale * r_e, where r_e is uniform in
// [0, 1) (DISTRIBUTION 0) or standard normal (DISTRIBUTION 1). Invocation t draws Philox block
// (t, stream, 0, 0) with key (seed_lo, seed_hi) and writes elements 4t .. 4t + 3, so element e is
// the same number whatever the buffer length or adapter.

// #include "lib/philox.wgsl"

override DISTRIBUTION: u32 = 0u;

struct Params {
  count: u32,
  seed_lo: u32,
  seed_hi: u32,
  stream: u32,
  scale: f32,
  shift: f32,
}

@group(0) @binding(0) var<storage, read_write> out: array<f32>;
@group(0) @binding(1) var<uniform> params: Params;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32, @builtin(num_workgroups) groups: vec3<u32>) {
  let t = (wid.x + wid.y * groups.x) * 64u + lid;
  let first = t * 4u;
  if (first >= params.count) {
    return;
  }
  let words = philox4x32_10(vec4<u32>(t, params.stream, 0u, 0u), vec2<u32>(params.seed_lo, params.seed_hi));
  var values: vec4<f32>;
  if (DISTRIBUTION == 1u) {
    values = vec4<f32>(philox_normal_pair(words.x, words.y), philox_normal_pair(words.z, words.w));
  } else {
    values = vec4<f32>(philox_uniform(words.x), philox_uniform(words.y), philox_uniform(words.z), philox_uniform(words.w));
  }
  for (var i = 0u; i < 4u; i++) {
    if (first + i < params.count) {
      out[first + i] = params.shift + params.scale * values[i];
    }
  }
}
