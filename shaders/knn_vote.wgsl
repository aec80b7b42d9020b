// Class probabilities of k-nearest-neighbour classification from sorted neighbour lists (top_k.wgsl):
//   out[r, o] = sum_{p < k, labels[index[r, p]] == class(o)} w(r, p) / sum_{p < k} w(r, p)
// index and distances are M x S (S >= k columns, nearest first, squared distances), labels has one
// class per reference row and out is M x outputs. class(o) is o, except that a single output
// column is the probability of class 1 (binary problems).
//
// Weights are 1 for a plain vote. With DISTANCE_WEIGHTED they follow the triangular kernel
// w = 1 - dist / bandwidth on Euclidean distance. The bandwidth is the distance of the neighbour
// in column bandwidth_column, the (k+1)-th where S > k, as the kknn R package scales distances
// (kknn(), kernel = "triangular"). Weights are floored at MIN_WEIGHT, so that neighbours tied with
// the bandwidth neighbour still count, and a zero bandwidth (every listed neighbour at distance 0)
// gives a plain vote.
//
// One invocation per row: it zeroes the row's outputs, adds each neighbour's weight to the output
// of its class and divides by the total, which reads each neighbour once whatever the number of
// classes. 2-D grids cover more than 65,535 workgroups.

override DISTANCE_WEIGHTED: bool = false;
const MIN_WEIGHT: f32 = 1e-6;

struct Params {
  m: u32,
  stride: u32,
  k: u32,
  outputs: u32,
  bandwidth_column: u32,
}

@group(0) @binding(0) var<storage, read> index: array<u32>;
@group(0) @binding(1) var<storage, read> distances: array<f32>;
@group(0) @binding(2) var<storage, read> labels: array<u32>;
@group(0) @binding(3) var<storage, read_write> out: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32, @builtin(num_workgroups) groups: vec3<u32>) {
  let row = (wid.x + wid.y * groups.x) * 64u + lid;
  if (row >= params.m) {
    return;
  }
  let outputs = params.outputs;
  let base = row * params.stride;
  let out_base = row * outputs;
  let bandwidth = sqrt(distances[base + params.bandwidth_column]);

  for (var o = 0u; o < outputs; o++) {
    out[out_base + o] = 0.0;
  }
  var total = 0.0;
  for (var p = 0u; p < params.k; p++) {
    var w = 1.0;
    if (DISTANCE_WEIGHTED && bandwidth > 0.0) {
      w = max(1.0 - sqrt(distances[base + p]) / bandwidth, MIN_WEIGHT);
    }
    total += w;
    let label = labels[index[base + p]];
    if (outputs > 1u) {
      out[out_base + label] += w;
    } else if (label == 1u) {
      out[out_base] += w;
    }
  }
  for (var o = 0u; o < outputs; o++) {
    out[out_base + o] /= total;
  }
}
