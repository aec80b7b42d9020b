// MUNGE pseudo rows (Bucilua, Caruana and Niculescu-Mizil, "Model Compression", KDD 2006), all
// copies and rows in parallel. Output row r is a perturbed copy of training row i = r mod N with
// nearest neighbour j = neighbour[i]. For each attribute, with probability p:
//   continuous: value ~ Normal(x[j, a], |x[i, a] - x[j, a]| / s)
//   nominal:    the whole one-hot group is copied from row j (the swap)
// otherwise row i's value is kept. Values are read from the unmodified training rows and each
// output row is written only by its own invocations; the published algorithm instead also changes
// row j in place while walking the rows one by one.
//   x: N x D, neighbour: N, groups: G x 3 (first column, column count, 1 if nominal),
//   out: (copies * N) x D. One invocation per (output row, attribute).

// #include "lib/philox.wgsl"

struct Params {
  rows: u32,
  cols: u32,
  attributes: u32,
  copies: u32,
  swap_probability: f32,
  spread: f32,
  seed_lo: u32,
  seed_hi: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> neighbour: array<u32>;
@group(0) @binding(2) var<storage, read> groups: array<u32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32, @builtin(num_workgroups) grid: vec3<u32>) {
  let e = (wid.x + wid.y * grid.x) * 64u + lid;
  if (e >= params.rows * params.copies * params.attributes) {
    return;
  }
  let r = e / params.attributes;
  let group = e % params.attributes;
  let i = r % params.rows;
  let j = neighbour[i];
  let first = groups[group * 3u];
  let count = groups[group * 3u + 1u];
  let nominal = groups[group * 3u + 2u] == 1u;
  let d = params.cols;

  // 0x4D554E47 is "MUNG": a stream of its own, apart from weight initialisation and shuffles.
  let words = philox4x32_10(vec4<u32>(r, group, 0x4D554E47u, 0u), vec2<u32>(params.seed_lo, params.seed_hi));
  let swap = philox_uniform(words.x) < params.swap_probability;

  for (var c = first; c < first + count; c++) {
    let own = x[i * d + c];
    var value = own;
    if (swap) {
      let other = x[j * d + c];
      if (nominal) {
        value = other;
      } else {
        let sd = abs(own - other) / params.spread;
        value = other + sd * philox_normal_pair(words.y, words.z).x;
      }
    }
    out[r * d + c] = value;
  }
}
