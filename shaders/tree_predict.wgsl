// Sums the leaf values of a batch of decision trees for every row:
//   out[r, j] = base[j] + sum over trees t (in order) of the value for output j of the leaf that
//   row r reaches in tree t.
// x is rows x cols (row-major) and out is rows x outputs. One invocation walks every tree of
// trees[first_tree .. last_tree - 1] for one row. The first batch (first_tree = 0) starts from
// base and later batches add to out, so a long ensemble can be split over several dispatches.
//
// nodes[i] = (feature, threshold bits, left, right) for a split, where x[feature] <= threshold
// goes left, and (LEAF, 0, value offset, 0) for a leaf. trees[t] = (root node, output column),
// where the column ALL_OUTPUTS means that each leaf stores `outputs` values. Leaf values already
// include the tree's weight, so that the sum is plain f32 additions, which the CPU repeats bit
// for bit (src/models/trees/flat.ts, sumTreesCpu).

const LEAF: u32 = 0xffffffffu;
const ALL_OUTPUTS: u32 = 0xffffffffu;

struct Params {
  rows: u32,
  cols: u32,
  outputs: u32,
  first_tree: u32,
  last_tree: u32,
  // Most splits on any root-to-leaf path; bounds each walk even if a buffer were corrupt.
  max_depth: u32,
}

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> nodes: array<vec4<u32>>;
@group(0) @binding(2) var<storage, read> trees: array<vec2<u32>>;
@group(0) @binding(3) var<storage, read> leaf_values: array<f32>;
@group(0) @binding(4) var<storage, read> base: array<f32>;
@group(0) @binding(5) var<storage, read_write> out: array<f32>;
@group(0) @binding(6) var<uniform> params: Params;

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32, @builtin(num_workgroups) groups: vec3<u32>) {
  let row = (wid.x + wid.y * groups.x) * 64u + lid;
  if (row >= params.rows) {
    return;
  }
  let at = row * params.outputs;
  let x_at = row * params.cols;
  if (params.first_tree == 0u) {
    for (var j = 0u; j < params.outputs; j++) {
      out[at + j] = base[j];
    }
  }

  for (var t = params.first_tree; t < params.last_tree; t++) {
    let tree = trees[t];
    var node = nodes[tree.x];
    for (var depth = 0u; depth < params.max_depth && node.x != LEAF; depth++) {
      let value = x[x_at + node.x];
      node = nodes[select(node.w, node.z, value <= bitcast<f32>(node.y))];
    }
    let offset = node.z;
    if (tree.y == ALL_OUTPUTS) {
      for (var j = 0u; j < params.outputs; j++) {
        out[at + j] = out[at + j] + leaf_values[offset + j];
      }
    } else {
      out[at + tree.y] = out[at + tree.y] + leaf_values[offset];
    }
  }
}
