// Per-row loss and its gradient with respect to the logits, for student and teacher training.
//   logits, targets, grad: M x C row-major; row_loss[loss_offset + row] for row < M, so one
//   buffer can collect the losses of every batch in an epoch.
// Probabilities are sigmoid(logits) when C = 1 and softmax(logits) otherwise. LOSS selects:
//   0  cross-entropy against soft targets:  L = -sum_j t_j log p_j      (binary: -t log p - (1-t) log(1-p))
//   1  squared error on probabilities:      L = sum_j (p_j - t_j)^2
//   2  squared error on logits:             L = sum_j (z_j - t_j)^2      (targets are logits)
// grad = scale * dL/dz, where scale is usually 1 / batch rows, so a sum of row gradients is the
// gradient of the batch mean.

override LOSS: u32 = 0u;

struct Params {
  m: u32,
  classes: u32,
  scale: f32,
  loss_offset: u32,
}

@group(0) @binding(0) var<storage, read> logits: array<f32>;
@group(0) @binding(1) var<storage, read> targets: array<f32>;
@group(0) @binding(2) var<storage, read_write> grad: array<f32>;
@group(0) @binding(3) var<storage, read_write> row_loss: array<f32>;
@group(0) @binding(4) var<uniform> params: Params;

fn softplus(z: f32) -> f32 {
  return max(z, 0.0) + log(1.0 + exp(-abs(z)));
}

fn binary_row(at: u32) -> f32 {
  let z = logits[at];
  let t = targets[at];
  let p = 1.0 / (1.0 + exp(-z));
  switch LOSS {
    case 1u: {
      grad[at] = params.scale * 2.0 * (p - t) * p * (1.0 - p);
      return (p - t) * (p - t);
    }
    case 2u: {
      grad[at] = params.scale * 2.0 * (z - t);
      return (z - t) * (z - t);
    }
    default: {
      grad[at] = params.scale * (p - t);
      // -t log p - (1 - t) log(1 - p), written to stay finite for large |z|.
      return softplus(z) - t * z;
    }
  }
}

fn multiclass_row(base: u32, c: u32) -> f32 {
  if (LOSS == 2u) {
    var total = 0.0;
    for (var j = 0u; j < c; j++) {
      let diff = logits[base + j] - targets[base + j];
      grad[base + j] = params.scale * 2.0 * diff;
      total += diff * diff;
    }
    return total;
  }

  var top = logits[base];
  for (var j = 1u; j < c; j++) {
    top = max(top, logits[base + j]);
  }
  var sum_exp = 0.0;
  for (var j = 0u; j < c; j++) {
    sum_exp += exp(logits[base + j] - top);
  }
  let log_sum_exp = top + log(sum_exp);

  if (LOSS == 1u) {
    // dL/dz_i = 2 p_i ((p_i - t_i) - sum_j (p_j - t_j) p_j), the softmax Jacobian applied to 2 (p - t).
    var inner = 0.0;
    var total = 0.0;
    for (var j = 0u; j < c; j++) {
      let p = exp(logits[base + j] - log_sum_exp);
      let diff = p - targets[base + j];
      inner += diff * p;
      total += diff * diff;
    }
    for (var j = 0u; j < c; j++) {
      let p = exp(logits[base + j] - log_sum_exp);
      grad[base + j] = params.scale * 2.0 * p * ((p - targets[base + j]) - inner);
    }
    return total;
  }

  var total = 0.0;
  for (var j = 0u; j < c; j++) {
    let t = targets[base + j];
    let log_p = logits[base + j] - log_sum_exp;
    grad[base + j] = params.scale * (exp(log_p) - t);
    total -= t * log_p;
  }
  return total;
}

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32, @builtin(num_workgroups) groups: vec3<u32>) {
  let row = (wid.x + wid.y * groups.x) * 64u + lid;
  if (row >= params.m) {
    return;
  }
  let c = params.classes;
  if (c == 1u) {
    row_loss[params.loss_offset + row] = binary_row(row);
  } else {
    row_loss[params.loss_offset + row] = multiclass_row(row * c, c);
  }
}
