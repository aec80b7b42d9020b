// One Adam step (Kingma and Ba, 2015) with decoupled weight decay (AdamW, Loshchilov and Hutter,
// 2019) over a flat parameter buffer:
//   m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
//   w -= lr (sqrt(1 - b2^t) / (1 - b1^t)) m / (sqrt(v) + eps) + lr * weight_decay * w
// The step number t = schedule.first_step + params.step + 1 and the learning rate live in a small
// storage buffer written once per epoch, so one recorded epoch can be replayed without CPU work.

struct Params {
  count: u32,
  step: u32,
  beta1: f32,
  beta2: f32,
  epsilon: f32,
  weight_decay: f32,
}

struct Schedule {
  first_step: f32,
  learning_rate: f32,
}

@group(0) @binding(0) var<storage, read_write> weights: array<f32>;
@group(0) @binding(1) var<storage, read> grads: array<f32>;
@group(0) @binding(2) var<storage, read_write> moment1: array<f32>;
@group(0) @binding(3) var<storage, read_write> moment2: array<f32>;
@group(0) @binding(4) var<storage, read> schedule: Schedule;
@group(0) @binding(5) var<uniform> params: Params;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32, @builtin(num_workgroups) groups: vec3<u32>) {
  let i = (wid.x + wid.y * groups.x) * 64u + lid;
  if (i >= params.count) {
    return;
  }
  let t = schedule.first_step + f32(params.step) + 1.0;
  let lr = schedule.learning_rate;
  let g = grads[i];
  let m = params.beta1 * moment1[i] + (1.0 - params.beta1) * g;
  let v = params.beta2 * moment2[i] + (1.0 - params.beta2) * g * g;
  moment1[i] = m;
  moment2[i] = v;
  let step_size = lr * sqrt(1.0 - pow(params.beta2, t)) / (1.0 - pow(params.beta1, t));
  weights[i] -= step_size * m / (sqrt(v) + params.epsilon) + lr * params.weight_decay * weights[i];
}
