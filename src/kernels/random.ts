import randomShader from '../../shaders/random.wgsl';
import type { Program } from '../gpu/kernel.js';
import type { Tensor } from '../gpu/tensor.js';
import { grid64, seedWords } from './common.js';

export interface RandomOptions {
  seed: number;
  /** Independent sequence for the same seed (Philox counter word 1). */
  stream: number;
  distribution: 'uniform' | 'normal';
  scale?: number;
  shift?: number;
}

/** Records out[e] = shift + scale * r_e with r_e uniform in [0, 1) or standard normal. */
export function fillRandom(program: Program, out: Tensor, options: RandomOptions): void {
  const [seedLo, seedHi] = seedWords(options.seed);
  program.dispatch(
    out.engine.kernel(randomShader),
    { out },
    grid64(out.engine, Math.ceil(out.length / 4)),
    [
      ['u32', out.length],
      ['u32', seedLo],
      ['u32', seedHi],
      ['u32', options.stream >>> 0],
      ['f32', options.scale ?? 1],
      ['f32', options.shift ?? 0],
    ],
    { DISTRIBUTION: options.distribution === 'normal' ? 1 : 0 },
  );
}
