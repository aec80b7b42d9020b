// The k nearest reference rows of every query row under weighted squared Euclidean distance
// (see pairwise_distance.wgsl):
//   dist(i, j) = sum_c weight[c] * (query[i, c] - reference[j, c])^2
// query is M x D, reference is N x D, weight has D values. index and distances are M x k: row i
// lists its k nearest references in increasing distance, and the lower reference index comes
// first among equal distances, so results do not depend on scheduling. Needs 1 <= k <= N and
// k <= MAX_K.
//
// Each invocation scans all references for 4 consecutive query rows, 4 references at a time, so
// every loaded value serves 4 distances (the 4x4 register tile of nearest_neighbour.wgsl). Each
// query keeps its k best (distance, index) pairs so far in a binary max-heap in private memory,
// ordered by distance and then index. A reference enters only when it is strictly closer than
// the heap's root, the current k-th nearest. It then replaces the root and sifts down, which costs
// O(log k) where a sorted list would shift O(k) entries. References arrive in increasing index
// order, so a reference as far as the root has a higher index and rightly stays out. A heapsort
// orders each list at the end. Query rows past the end are clamped on load and not written. 2-D
// grids cover more than 65,535 workgroups.
//
// Measured with bench/top_k.ts on lavapipe (Mesa 25.0.7, 2 cores), 20,000 queries x 4,000
// references x 16 columns, in CPU seconds: the heap took 0.72, 1.06, 1.37 and 2.16 at k = 1, 16,
// 33 and 64, and a sorted list with insertion 0.64, 0.93, 1.64 and 3.49. The heap is kept because
// kNN families search at their largest k plus one, usually above 16.

// Largest k: private lists take 4 * MAX_K * 8 bytes per invocation.
const MAX_K: u32 = 64u;
const NONE: u32 = 0xffffffffu;

struct Params {
  m: u32,
  n: u32,
  dims: u32,
  k: u32,
}

@group(0) @binding(0) var<storage, read> query: array<f32>;
@group(0) @binding(1) var<storage, read> reference: array<f32>;
@group(0) @binding(2) var<storage, read> weight: array<f32>;
@group(0) @binding(3) var<storage, read_write> index: array<u32>;
@group(0) @binding(4) var<storage, read_write> distances: array<f32>;
@group(0) @binding(5) var<uniform> params: Params;

// Query i of the invocation owns list entries i * MAX_K .. i * MAX_K + k - 1, a binary max-heap
// ordered by (distance, index): the root is the worst of the k best pairs seen so far.
var<private> list_distance: array<f32, 256>;
var<private> list_index: array<u32, 256>;

// Whether entry a sorts after the pair (distance, j): farther, or as far with a higher index.
fn after(a: u32, distance: f32, j: u32) -> bool {
  return list_distance[a] > distance || (list_distance[a] == distance && list_index[a] > j);
}

// Puts (distance, j) at the root of the heap of `size` entries at list entry `base`, in place of
// the root's pair, and sifts it down until no child sorts after it.
fn sift_down(base: u32, size: u32, distance: f32, j: u32) {
  var p = 0u;
  loop {
    let left = 2u * p + 1u;
    if (left >= size) {
      break;
    }
    var child = base + left;
    if (left + 1u < size && after(child + 1u, list_distance[child], list_index[child])) {
      child += 1u;
    }
    if (!after(child, distance, j)) {
      break;
    }
    list_distance[base + p] = list_distance[child];
    list_index[base + p] = list_index[child];
    p = child - base;
  }
  list_distance[base + p] = distance;
  list_index[base + p] = j;
}

// Offers reference j at distances `sums` (one per query) to the 4 heaps whose roots are `worst`.
fn offer(sums: vec4<f32>, j: u32, worst: ptr<function, vec4<f32>>) {
  let closer = sums < *worst;
  if (!any(closer)) {
    return;
  }
  let k = params.k;
  if (closer.x) {
    sift_down(0u, k, sums.x, j);
    (*worst).x = list_distance[0u];
  }
  if (closer.y) {
    sift_down(MAX_K, k, sums.y, j);
    (*worst).y = list_distance[MAX_K];
  }
  if (closer.z) {
    sift_down(2u * MAX_K, k, sums.z, j);
    (*worst).z = list_distance[2u * MAX_K];
  }
  if (closer.w) {
    sift_down(3u * MAX_K, k, sums.w, j);
    (*worst).w = list_distance[3u * MAX_K];
  }
}

@compute @workgroup_size(64, 1, 1)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_index) lid: u32, @builtin(num_workgroups) groups: vec3<u32>) {
  let first = ((wid.x + wid.y * groups.x) * 64u + lid) * 4u;
  if (first >= params.m) {
    return;
  }
  let m = params.m;
  let n = params.n;
  let d = params.dims;
  let k = params.k;
  let q = vec4<u32>(first, min(first + 1u, m - 1u), min(first + 2u, m - 1u), min(first + 3u, m - 1u)) * d;

  for (var i = 0u; i < 4u; i++) {
    for (var p = 0u; p < k; p++) {
      list_distance[i * MAX_K + p] = 3.4028234e38;
      list_index[i * MAX_K + p] = NONE;
    }
  }
  // worst[i] is the k-th smallest distance of query i so far, the bar a candidate must beat.
  var worst = vec4<f32>(3.4028234e38);

  for (var j0 = 0u; j0 < n; j0 += 4u) {
    let r = vec4<u32>(j0, min(j0 + 1u, n - 1u), min(j0 + 2u, n - 1u), min(j0 + 3u, n - 1u)) * d;
    // acc_t holds the distances from the 4 queries to reference j0 + t, so one vector comparison
    // tests a reference against all 4 lists.
    var acc0 = vec4<f32>(0.0);
    var acc1 = vec4<f32>(0.0);
    var acc2 = vec4<f32>(0.0);
    var acc3 = vec4<f32>(0.0);
    for (var c = 0u; c < d; c++) {
      let w = weight[c];
      let qv = vec4<f32>(query[q.x + c], query[q.y + c], query[q.z + c], query[q.w + c]);
      let d0 = qv - reference[r.x + c];
      let d1 = qv - reference[r.y + c];
      let d2 = qv - reference[r.z + c];
      let d3 = qv - reference[r.w + c];
      acc0 += w * d0 * d0;
      acc1 += w * d1 * d1;
      acc2 += w * d2 * d2;
      acc3 += w * d3 * d3;
    }
    offer(acc0, j0, &worst);
    if (j0 + 1u < n) {
      offer(acc1, j0 + 1u, &worst);
    }
    if (j0 + 2u < n) {
      offer(acc2, j0 + 2u, &worst);
    }
    if (j0 + 3u < n) {
      offer(acc3, j0 + 3u, &worst);
    }
  }

  for (var i = 0u; i < 4u; i++) {
    let row = first + i;
    if (row >= m) {
      break;
    }
    // Heapsort: move the root (the worst entry) to the end of the shrinking heap, which leaves the
    // list in increasing (distance, index) order.
    let base = i * MAX_K;
    for (var size = k - 1u; size > 0u; size--) {
      let distance = list_distance[base + size];
      let j = list_index[base + size];
      list_distance[base + size] = list_distance[base];
      list_index[base + size] = list_index[base];
      sift_down(base, size, distance, j);
    }
    for (var p = 0u; p < k; p++) {
      index[row * k + p] = list_index[i * MAX_K + p];
      distances[row * k + p] = list_distance[i * MAX_K + p];
    }
  }
}
