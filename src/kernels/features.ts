import cosineShader from '../../shaders/cosine_features.wgsl';
import type { Program } from '../gpu/kernel.js';
import type { Tensor } from '../gpu/tensor.js';
import { grid64 } from './common.js';

/** Records values = scale * cos(values) in place, for random Fourier features. */
export function cosineFeatures(program: Program, values: Tensor, scale: number): void {
  if (values.length === 0) return;
  program.dispatch(values.engine.kernel(cosineShader), { values }, grid64(values.engine, values.length), [
    ['u32', values.length],
    ['f32', scale],
  ]);
}
