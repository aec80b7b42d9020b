// Philox4x32-10, the counter-based generator of Salmon et al., "Parallel random numbers: as easy as
// 1, 2, 3" (SC 2011). The same 128-bit counter and 64-bit key give the same four words on every
// adapter, so results depend only on the seed. WGSL has no 32x32 -> 64-bit multiply, so the high
// word is assembled from 16-bit halves.

// Returns (high, low) words of the 64-bit product a * b.
fn philox_mul_wide(a: u32, b: u32) -> vec2<u32> {
  let a_lo = a & 0xffffu;
  let a_hi = a >> 16u;
  let b_lo = b & 0xffffu;
  let b_hi = b >> 16u;
  let lo_lo = a_lo * b_lo;
  let hi_lo = a_hi * b_lo;
  let lo_hi = a_lo * b_hi;
  // At most 0xffff + 0xffff + 0xfffe0001 = 0xffffffff, so this sum cannot overflow.
  let cross = (lo_lo >> 16u) + (hi_lo & 0xffffu) + lo_hi;
  let high = a_hi * b_hi + (hi_lo >> 16u) + (cross >> 16u);
  let low = (cross << 16u) | (lo_lo & 0xffffu);
  return vec2<u32>(high, low);
}

fn philox4x32_10(counter: vec4<u32>, key: vec2<u32>) -> vec4<u32> {
  var c = counter;
  var k = key;
  for (var i = 0u; i < 10u; i++) {
    if (i > 0u) {
      k += vec2<u32>(0x9E3779B9u, 0xBB67AE85u);
    }
    let p0 = philox_mul_wide(0xD2511F53u, c.x);
    let p1 = philox_mul_wide(0xCD9E8D57u, c.z);
    c = vec4<u32>(p1.x ^ c.y ^ k.x, p1.y, p0.x ^ c.w ^ k.y, p0.y);
  }
  return c;
}

// Uniform in [0, 1) from the top 24 bits, which f32 represents exactly.
fn philox_uniform(word: u32) -> f32 {
  return f32(word >> 8u) * (1.0 / 16777216.0);
}

// Uniform in (0, 1], safe for log().
fn philox_uniform_open(word: u32) -> f32 {
  return f32((word >> 8u) + 1u) * (1.0 / 16777216.0);
}

// Two independent standard normals from two words (Box-Muller). The angle lies in [-pi, pi),
// the range where WGSL bounds the error of cos and sin (absolute 2^-11).
fn philox_normal_pair(w0: u32, w1: u32) -> vec2<f32> {
  let radius = sqrt(-2.0 * log(philox_uniform_open(w0)));
  let angle = 6.283185307179586 * philox_uniform(w1) - 3.141592653589793;
  return vec2<f32>(radius * cos(angle), radius * sin(angle));
}
