import type { MlpSpec, RffSpec, LogisticSpec } from '../models/neural.js';
import type { ModelSpec } from './library.js';

/** Library make-ups users choose with --library. */
export type LibrarySize = 'small' | 'default' | 'large';

export const librarySizes: LibrarySize[] = ['small', 'default', 'large'];

const gradientDefaults = { batchSize: 64, weightDecay: 0, patience: 30 };

function mlp(hidden: number[], learningRate: number, epochs: number, seed: number, bootstrap = false): MlpSpec {
  return { family: 'mlp', hidden, learningRate, epochs, seed, bootstrap, ...gradientDefaults };
}

function logistic(weightDecay: number, seed: number): LogisticSpec {
  return { family: 'logistic', learningRate: 1e-2, epochs: 200, seed, ...gradientDefaults, weightDecay };
}

function rff(features: number, gamma: number, seed: number): RffSpec {
  return { family: 'rff', features, gamma, learningRate: 3e-3, epochs: 150, seed, ...gradientDefaults, batchSize: 128 };
}

/**
 * Returns the specs of a library. Seeds are derived from `seed`, so two runs with the same seed fit
 * the same models. `small` suits tests and quick looks, `default` the main command's time budget
 * on a software adapter, and `large` a real GPU.
 */
export function librarySpecs(size: LibrarySize, seed: number): ModelSpec[] {
  const s = (i: number) => seed * 1000 + i;
  if (size === 'small') {
    return [mlp([128], 3e-3, 60, s(1)), logistic(0, s(2)), rff(512, 4, s(3))];
  }
  const specs: ModelSpec[] = [logistic(0, s(1)), logistic(1e-3, s(2))];
  const gammas = size === 'large' ? [2, 4, 8, 16] : [4, 10];
  gammas.forEach((gamma, i) => specs.push(rff(size === 'large' ? 4096 : 2048, gamma, s(10 + i))));
  const nets: Array<[number[], number]> = [
    [[256, 128], 2e-3],
    [[512], 2e-3],
    [[256, 256], 1e-3],
    [[128, 128], 3e-3],
  ];
  const copies = size === 'large' ? 3 : 1;
  for (let c = 0; c < copies; c++) {
    nets.forEach(([hidden, learningRate], i) => specs.push(mlp(hidden, learningRate, 200, s(100 + c * 10 + i))));
  }
  return specs;
}
