import adamShader from '../../shaders/adam.wgsl';
import type { Program } from '../gpu/kernel.js';
import type { Tensor } from '../gpu/tensor.js';
import { grid64 } from './common.js';

export interface AdamSettings {
  beta1: number;
  beta2: number;
  epsilon: number;
  weightDecay: number;
}

export const defaultAdam: AdamSettings = { beta1: 0.9, beta2: 0.999, epsilon: 1e-8, weightDecay: 0 };

/**
 * Records one Adam step over flat buffers of equal length. `schedule` contains two f32 values that the
 * caller writes once per epoch: the step count before this epoch and the learning rate. `step` is
 * this step's index within the epoch.
 */
export function adamStep(
  program: Program,
  weights: Tensor,
  grads: Tensor,
  moment1: Tensor,
  moment2: Tensor,
  schedule: Tensor,
  step: number,
  settings: AdamSettings = defaultAdam,
): void {
  const n = weights.length;
  if (grads.length !== n || moment1.length !== n || moment2.length !== n) {
    throw new RangeError('adamStep: weights, gradients and moments must have the same length');
  }
  if (schedule.length < 2) throw new RangeError('adamStep: schedule must hold 2 values');
  program.dispatch(weights.engine.kernel(adamShader), { weights, grads, moment1, moment2, schedule }, grid64(weights.engine, n), [
    ['u32', n],
    ['u32', step],
    ['f32', settings.beta1],
    ['f32', settings.beta2],
    ['f32', settings.epsilon],
    ['f32', settings.weightDecay],
  ]);
}
