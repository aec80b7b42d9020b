// Gathers a mini-batch: for r < rows, x_out[r, :] = x[index[start + r], :] and
// y_out[r, :] = y[index[start + r], :]. x is N x x_cols, y is N x y_cols.
// One invocation per output value of either matrix, on a 2-D grid for large batches.

struct Params {
  rows: u32,
  x_cols: u32,
  y_cols: u32,
  start: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> y: array<f32>;
@group(0) @binding(2) var<storage, read> index: array<u32>;
@group(0) @binding(3) var<storage, read_write> x_out: array<f32>;
@group(0) @binding(4) var<storage, read_write> y_out: array<f32>;
@group(0) @binding(5) var<uniform> params: Params;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32, @builtin(num_workgroups) groups: vec3<u32>) {
  let e = (wid.x + wid.y * groups.x) * 64u + lid;
  let width = params.x_cols + params.y_cols;
  if (e >= params.rows * width) {
    return;
  }
  let r = e / width;
  let col = e % width;
  let source = index[params.start + r];
  if (col < params.x_cols) {
    x_out[r * params.x_cols + col] = x[source * params.x_cols + col];
  } else {
    let yc = col - params.x_cols;
    y_out[r * params.y_cols + yc] = y[source * params.y_cols + yc];
  }
}
