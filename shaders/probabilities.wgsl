// Turns logits into probabilities row by row: sigmoid for one output column, softmax otherwise.
// logits and out are M x C, row-major.

struct Params {
  m: u32,
  classes: u32,
}

@group(0) @binding(0) var<storage, read> logits: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> params: Params;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32, @builtin(num_workgroups) groups: vec3<u32>) {
  let row = (wid.x + wid.y * groups.x) * 64u + lid;
  if (row >= params.m) {
    return;
  }
  let c = params.classes;
  let base = row * c;
  if (c == 1u) {
    out[base] = 1.0 / (1.0 + exp(-logits[base]));
    return;
  }
  var top = logits[base];
  for (var j = 1u; j < c; j++) {
    top = max(top, logits[base + j]);
  }
  var total = 0.0;
  for (var j = 0u; j < c; j++) {
    total += exp(logits[base + j] - top);
  }
  for (var j = 0u; j < c; j++) {
    out[base + j] = exp(logits[base + j] - top) / total;
  }
}
