// The output activations of the matrix-product kernels, chosen by the ACTIVATION override:
// 0 identity, 1 relu, 2 sigmoid, 3 tanh (the codes in src/kernels/matmul.ts).

override ACTIVATION: u32 = 0u;

fn activate(x: f32) -> f32 {
  switch ACTIVATION {
    case 1u: { return max(x, 0.0); }
    case 2u: { return 1.0 / (1.0 + exp(-x)); }
    case 3u: { return tanh(x); }
    default: { return x; }
  }
}
