// Naive Bayes logits: the log of prior times likelihood of every class, up to a shared constant.
//   L[r, c] = bias[c] + sum_j term(j, x[r, j], c)
// x is M x D. columns has 2 values per encoded column j: its kind and the offset of its values
// in `coefficients`. The term of each kind is
//   0, indicator (a one-hot column):  x * coefficients[offset + c], the log P(category | c)
//   1, Gaussian:  coefficients[offset + 2c + 1] * (x - coefficients[offset + 2c])^2, with the class
//      mean at 2c and -1 / (2 variance) at 2c + 1; the log normaliser is in bias
//   2, binned:  coefficients[offset + bin * classes + c], the log P(bin | c) of the equal-width bin
//      bin = clamp(floor(x * bins), 0, bins - 1), so values outside [0, 1] fall in the end bins
// The Gaussian term is written around the mean, not expanded into a x^2 + b x + c, because the
// expanded terms cancel badly in f32 when a variance is small.
// logits is M x outputs. With one output it is L[r, 1] - L[r, 0], the log odds of class 1, clamped
// to [-MAX_LOG_ODDS, MAX_LOG_ODDS] so that the sigmoid's exp stays finite in f32 even when a class
// without training rows has a logit of -1e30.
// One invocation per output value; 2-D grids cover more than 65,535 workgroups.

const MAX_LOG_ODDS: f32 = 88.0;

struct Params {
  m: u32,
  dims: u32,
  classes: u32,
  outputs: u32,
  bins: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> columns: array<u32>;
@group(0) @binding(2) var<storage, read> coefficients: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> logits: array<f32>;
@group(0) @binding(5) var<uniform> params: Params;

fn log_joint(row: u32, class_index: u32) -> f32 {
  let classes = params.classes;
  var sum = bias[class_index];
  for (var j = 0u; j < params.dims; j++) {
    let value = x[row * params.dims + j];
    let kind = columns[2u * j];
    let offset = columns[2u * j + 1u];
    if (kind == 0u) {
      sum += value * coefficients[offset + class_index];
    } else if (kind == 1u) {
      let centred = value - coefficients[offset + 2u * class_index];
      sum += coefficients[offset + 2u * class_index + 1u] * centred * centred;
    } else {
      let bins = f32(params.bins);
      let bin = u32(clamp(floor(value * bins), 0.0, bins - 1.0));
      sum += coefficients[offset + bin * classes + class_index];
    }
  }
  return sum;
}

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32, @builtin(num_workgroups) groups: vec3<u32>) {
  let at = (wid.x + wid.y * groups.x) * 64u + lid;
  if (at >= params.m * params.outputs) {
    return;
  }
  let row = at / params.outputs;
  if (params.outputs == 1u) {
    logits[at] = clamp(log_joint(row, 1u) - log_joint(row, 0u), -MAX_LOG_ODDS, MAX_LOG_ODDS);
  } else {
    logits[at] = log_joint(row, at % params.outputs);
  }
}
