// Class probabilities of k-nearest-neighbour classification from sorted neighbour lists (top_k.wgsl):
//   out[r, o] = sum_{p < k, labels[index[r, p]] == class(o)} w(r, p) / sum_{p < k} w(r, p)
// index and distances are M x S (S >= k columns, nearest first, squared distances), labels has one
// class per reference row and out is M x outputs. class(o) is o, except that a single output
// column is the probability of class 1 (binary problems).
//
// Weights are 1 for a plain vote. With DISTANCE_WEIGHTED they follow the triangular kernel
// w = 1 - dist / bandwidth on Euclidean distance, where the bandwidth is the distance to the next
// neighbour in the list (column bandwidth_column, the (k+1)-th where S > k), as in Hechenbichler
// and Schliep, "Weighted k-Nearest-Neighbor Techniques and Ordinal Classification" (2004).
// Weights are floored at MIN_WEIGHT, so that neighbours tied with the bandwidth neighbour still
// count, and a zero bandwidth (every listed neighbour at distance 0) gives a plain vote.
//
// One invocation per output value; 2-D grids cover more than 65,535 workgroups.

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
  let at = (wid.x + wid.y * groups.x) * 64u + lid;
  if (at >= params.m * params.outputs) {
    return;
  }
  let row = at / params.outputs;
  let class_index = select(at % params.outputs, 1u, params.outputs == 1u);
  let base = row * params.stride;
  let bandwidth = sqrt(distances[base + params.bandwidth_column]);

  var total = 0.0;
  var votes = 0.0;
  for (var p = 0u; p < params.k; p++) {
    var w = 1.0;
    if (DISTANCE_WEIGHTED && bandwidth > 0.0) {
      w = max(1.0 - sqrt(distances[base + p]) / bandwidth, MIN_WEIGHT);
    }
    total += w;
    if (labels[index[base + p]] == class_index) {
      votes += w;
    }
  }
  out[at] = votes / total;
}
