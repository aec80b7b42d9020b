// matmul.wgsl for adapters with subgroups of SG = 4 or 8 invocations, when K and N are multiples of
// 4 (and M too with TRANS_A):
//   C[z] = activation(op(A[z]) * op(B[z]) + bias) * select(0, 1, gate[z] > 0)
// op(A) is M x K (A is stored K x M when TRANS_A), op(B) is K x N (B is stored N x K when TRANS_B),
// bias has N values, gate and C are M x N. Every matrix is bound as vec4 rows, and batch item z
// starts at vec4 z * stride_* (a stride of 0 broadcasts one matrix).
//
// One workgroup is one subgroup and computes an SG x 4*SG tile: SG rows, and 4 columns per lane.
// For each block of 4 k-steps, every lane loads one vec4 of op(A) for the whole subgroup, and
// subgroupBroadcast hands each lane the A values of all SG rows. Each lane loads its own op(B) values.
// On lavapipe every load whose address differs between lanes runs as a loop over the lanes, so
// sharing A through broadcasts instead of loading it in every lane halves the time of the tiled
// kernel (bench/NOTES.md has the timings). subgroupBroadcast needs a constant lane, so the k-steps
// are written out, and rows 4 to 7 exist only when SG is 8.

enable subgroups;

// #include "lib/activation.wgsl"

// Subgroup size of the adapter, 4 or 8; the host checks that the adapter reports one fixed size.
override SG: u32 = 8u;
override TRANS_A: bool = false;
override TRANS_B: bool = false;
override HAS_BIAS: bool = false;
override HAS_GATE: bool = false;

struct Params {
  m: u32,
  n: u32,
  k: u32,
  batch: u32,
  stride_a: u32,
  stride_b: u32,
  stride_c: u32,
}

@group(0) @binding(0) var<storage, read> a: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> b: array<vec4<f32>>;
@group(0) @binding(2) var<storage, read> bias: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> gate: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> c: array<vec4<f32>>;
@group(0) @binding(5) var<uniform> params: Params;

// Adds one k-step to the tile: row j gains op(A)[row0 + j, k] * op(B)[k, this lane's columns], with
// rows 0-3 of op(A) in `rows_low` and rows 4-7 in `rows_high`.
fn accumulate(acc: ptr<function, array<vec4<f32>, 8>>, rows_low: vec4<f32>, rows_high: vec4<f32>, bv: vec4<f32>) {
  (*acc)[0] += rows_low.x * bv;
  (*acc)[1] += rows_low.y * bv;
  (*acc)[2] += rows_low.z * bv;
  (*acc)[3] += rows_low.w * bv;
  if (SG == 8u) {
    (*acc)[4] += rows_high.x * bv;
    (*acc)[5] += rows_high.y * bv;
    (*acc)[6] += rows_high.z * bv;
    (*acc)[7] += rows_high.w * bv;
  }
}

// Returns op(B)[4 * i4 + step, 4 * col4 .. 4 * col4 + 3]. With TRANS_B, `bt` holds the 4 stored rows
// of this lane's columns at k = 4 * i4 .. 4 * i4 + 3.
fn b_step(base_b: u32, col4: u32, i4: u32, step: u32, bt: ptr<function, array<vec4<f32>, 4>>) -> vec4<f32> {
  if (TRANS_B) {
    return vec4<f32>((*bt)[0][step], (*bt)[1][step], (*bt)[2][step], (*bt)[3][step]);
  }
  return b[base_b + (4u * i4 + step) * (params.n / 4u) + col4];
}

// Writes activation(sum + bias), zeroed where the gate is <= 0, to C[row, 4 * col4 .. 4 * col4 + 3].
fn store_row(base_c: u32, row: u32, col4: u32, sum: vec4<f32>) {
  if (row >= params.m) {
    return;
  }
  var x = sum;
  if (HAS_BIAS) {
    x += bias[col4];
  }
  var value = vec4<f32>(activate(x.x), activate(x.y), activate(x.z), activate(x.w));
  let at = base_c + row * (params.n / 4u) + col4;
  if (HAS_GATE) {
    value = select(vec4<f32>(0.0), value, gate[at] > vec4<f32>(0.0));
  }
  c[at] = value;
}

@compute @workgroup_size(SG, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(subgroup_invocation_id) lane: u32, @builtin(num_workgroups) groups: vec3<u32>) {
  let m = params.m;
  let n4 = params.n / 4u;
  let k4 = params.k / 4u;
  let m4 = m / 4u;
  let tiles_n = (n4 + SG - 1u) / SG;
  let tiles_item = tiles_n * ((m + SG - 1u) / SG);
  let tile = wid.x + wid.y * groups.x;
  let z = tile / tiles_item;
  let row0 = ((tile % tiles_item) / tiles_n) * SG;
  let c4 = (tile % tiles_n) * SG + lane;

  // Padding workgroups and columns past the edge compute clamped values and store nothing. They
  // still run the loop, because every lane must take part in the broadcasts.
  let live = z < params.batch && c4 < n4;
  let item = min(z, params.batch - 1u);
  let base_a = item * params.stride_a;
  let base_b = item * params.stride_b;
  let base_c = item * params.stride_c;
  let col4 = min(c4, n4 - 1u);

  // Without TRANS_A, lane l loads row row0 + l of op(A) at k = 4 * i4 .. 4 * i4 + 3. With TRANS_A,
  // lane l loads stored row 4 * i4 + l / (SG / 4) at op(A) rows row0 + 4 * (l % (SG / 4)) + 0..3.
  let a_row = min(row0 + lane, m - 1u) * k4;
  let a_step = lane / (SG / 4u);
  let a_rows4 = min(row0 / 4u + lane % (SG / 4u), max(m4, 1u) - 1u);

  var acc = array<vec4<f32>, 8>();
  var bt = array<vec4<f32>, 4>();
  for (var i4 = 0u; i4 < k4; i4++) {
    var av: vec4<f32>;
    if (TRANS_A) {
      av = a[base_a + (4u * i4 + a_step) * m4 + a_rows4];
    } else {
      av = a[base_a + a_row + i4];
    }
    if (TRANS_B) {
      let first = base_b + 4u * col4 * k4 + i4;
      bt[0] = b[first];
      bt[1] = b[first + k4];
      bt[2] = b[first + 2u * k4];
      bt[3] = b[first + 3u * k4];
    }

    // k-step 0: without TRANS_A, op(A)[row0 + j, k] is component 0 of lane j; with TRANS_A, rows
    // 0-3 are lane 0's vec4 and rows 4-7 lane 1's (lane 0 alone when SG is 4).
    var low: vec4<f32>;
    var high = vec4<f32>(0.0);
    if (TRANS_A) {
      low = subgroupBroadcast(av, 0u);
      if (SG == 8u) {
        high = subgroupBroadcast(av, 1u);
      }
    } else {
      low = vec4<f32>(subgroupBroadcast(av.x, 0u), subgroupBroadcast(av.x, 1u), subgroupBroadcast(av.x, 2u), subgroupBroadcast(av.x, 3u));
      if (SG == 8u) {
        high = vec4<f32>(subgroupBroadcast(av.x, 4u), subgroupBroadcast(av.x, 5u), subgroupBroadcast(av.x, 6u), subgroupBroadcast(av.x, 7u));
      }
    }
    accumulate(&acc, low, high, b_step(base_b, col4, i4, 0u, &bt));

    // k-step 1: component 1, or the vec4s of lanes 2 and 3 (lane 1 when SG is 4).
    if (TRANS_A) {
      if (SG == 8u) {
        low = subgroupBroadcast(av, 2u);
        high = subgroupBroadcast(av, 3u);
      } else {
        low = subgroupBroadcast(av, 1u);
      }
    } else {
      low = vec4<f32>(subgroupBroadcast(av.y, 0u), subgroupBroadcast(av.y, 1u), subgroupBroadcast(av.y, 2u), subgroupBroadcast(av.y, 3u));
      if (SG == 8u) {
        high = vec4<f32>(subgroupBroadcast(av.y, 4u), subgroupBroadcast(av.y, 5u), subgroupBroadcast(av.y, 6u), subgroupBroadcast(av.y, 7u));
      }
    }
    accumulate(&acc, low, high, b_step(base_b, col4, i4, 1u, &bt));

    // k-step 2: component 2, or lanes 4 and 5 (lane 2 when SG is 4).
    if (TRANS_A) {
      if (SG == 8u) {
        low = subgroupBroadcast(av, 4u);
        high = subgroupBroadcast(av, 5u);
      } else {
        low = subgroupBroadcast(av, 2u);
      }
    } else {
      low = vec4<f32>(subgroupBroadcast(av.z, 0u), subgroupBroadcast(av.z, 1u), subgroupBroadcast(av.z, 2u), subgroupBroadcast(av.z, 3u));
      if (SG == 8u) {
        high = vec4<f32>(subgroupBroadcast(av.z, 4u), subgroupBroadcast(av.z, 5u), subgroupBroadcast(av.z, 6u), subgroupBroadcast(av.z, 7u));
      }
    }
    accumulate(&acc, low, high, b_step(base_b, col4, i4, 2u, &bt));

    // k-step 3: component 3, or lanes 6 and 7 (lane 3 when SG is 4).
    if (TRANS_A) {
      if (SG == 8u) {
        low = subgroupBroadcast(av, 6u);
        high = subgroupBroadcast(av, 7u);
      } else {
        low = subgroupBroadcast(av, 3u);
      }
    } else {
      low = vec4<f32>(subgroupBroadcast(av.w, 0u), subgroupBroadcast(av.w, 1u), subgroupBroadcast(av.w, 2u), subgroupBroadcast(av.w, 3u));
      if (SG == 8u) {
        high = vec4<f32>(subgroupBroadcast(av.w, 4u), subgroupBroadcast(av.w, 5u), subgroupBroadcast(av.w, 6u), subgroupBroadcast(av.w, 7u));
      }
    }
    accumulate(&acc, low, high, b_step(base_b, col4, i4, 3u, &bt));
  }

  if (!live) {
    return;
  }
  // Constant indices keep the accumulators in registers; a loop over j would index them dynamically.
  store_row(base_c, row0, col4, acc[0]);
  store_row(base_c, row0 + 1u, col4, acc[1]);
  store_row(base_c, row0 + 2u, col4, acc[2]);
  store_row(base_c, row0 + 3u, col4, acc[3]);
  if (SG == 8u) {
    store_row(base_c, row0 + 4u, col4, acc[4]);
    store_row(base_c, row0 + 5u, col4, acc[5]);
    store_row(base_c, row0 + 6u, col4, acc[6]);
    store_row(base_c, row0 + 7u, col4, acc[7]);
  }
}
