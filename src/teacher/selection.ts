import { Random } from '../data/random.js';
import { auc } from '../metrics/metrics.js';

/** The validation metric that ensemble selection climbs. */
export type SelectionMetric = 'rmse' | 'accuracy' | 'auc' | 'logloss';

export const selectionMetrics: SelectionMetric[] = ['rmse', 'accuracy', 'auc', 'logloss'];

export interface SelectionOptions {
  metric: SelectionMetric;
  /** Most models put in by sorted initialisation; the best prefix length up to it is kept. */
  initialModels: number;
  /** Forward-selection steps after initialisation; models may be added again (with replacement). */
  steps: number;
  /**
   * Selections on random shares of the library whose weights are averaged. A library of fewer than
   * `minBaggedLibrary` models is selected from once, whole, because a bag of one or two models
   * leaves nothing to choose.
   */
  bags: number;
  /** Share of the library drawn into each bag. */
  bagFraction: number;
  seed: number;
}

export const defaultSelection: SelectionOptions = { metric: 'rmse', initialModels: 5, steps: 50, bags: 20, bagFraction: 0.5, seed: 1 };

export interface SelectionResult {
  /** One weight per library model, summing to 1; unselected models weigh 0. */
  weights: Float64Array;
  /** The metric of the weighted ensemble on the validation rows (as reported, not negated). */
  validationScore: number;
}

/** Smallest library that bagged selection splits into random shares. */
export const minBaggedLibrary = 8;

/** Probabilities below this are clipped in the log loss, so that one confident mistake stays finite. */
const logLossFloor = 1e-15;

/**
 * Returns a function that scores V x outputs probabilities against `labels`, lower is better:
 * RMSE over one-hot targets, log loss, or the negated accuracy or AUC. The selection calls it
 * thousands of times on its own buffers, so it skips the input checks of src/metrics.
 */
export function lossFunction(metric: SelectionMetric, labels: Int32Array, outputs: number): (p: ArrayLike<number>) => number {
  const rows = labels.length;
  if (metric === 'rmse') {
    return (p) => {
      let sum = 0;
      for (let r = 0; r < rows; r++) {
        if (outputs === 1) {
          const e = p[r] - labels[r];
          sum += e * e;
          continue;
        }
        const base = r * outputs;
        for (let j = 0; j < outputs; j++) {
          const e = p[base + j] - (labels[r] === j ? 1 : 0);
          sum += e * e;
        }
      }
      return Math.sqrt(sum / (rows * outputs));
    };
  }
  if (metric === 'logloss') {
    return (p) => {
      let sum = 0;
      for (let r = 0; r < rows; r++) {
        let q = p[r * outputs + labels[r]];
        if (outputs === 1) q = labels[r] === 1 ? p[r] : 1 - p[r];
        sum -= Math.log(Math.min(Math.max(q, logLossFloor), 1));
      }
      return sum / rows;
    };
  }
  if (metric === 'accuracy') {
    return (p) => {
      let correct = 0;
      for (let r = 0; r < rows; r++) {
        let predicted = 0;
        if (outputs === 1) {
          predicted = p[r] >= 0.5 ? 1 : 0;
        } else {
          const base = r * outputs;
          for (let j = 1; j < outputs; j++) if (p[base + j] > p[base + predicted]) predicted = j;
        }
        if (predicted === labels[r]) correct++;
      }
      return -correct / rows;
    };
  }
  if (outputs !== 1) throw new RangeError('the auc selection metric needs a binary problem; use rmse, accuracy or logloss');
  return (p) => -auc(p, labels);
}

/** Turns a loss from `lossFunction` back into the metric as users read it. */
export function reportedScore(metric: SelectionMetric, loss: number): number {
  return metric === 'accuracy' || metric === 'auc' ? -loss : loss;
}

/**
 * Greedy forward selection over `candidates` (Caruana et al., ICML 2004), returning how many
 * times each candidate was picked. It starts with the best prefix of the candidates sorted by
 * their own loss, then adds, with replacement, whichever model lowers the ensemble's loss most,
 * and keeps the step count with the lowest loss.
 */
function forwardSelect(
  predictions: Float32Array[],
  candidates: number[],
  individual: number[],
  loss: (p: ArrayLike<number>) => number,
  options: SelectionOptions,
): Map<number, number> {
  const length = predictions[candidates[0]].length;
  const sum = new Float64Array(length);
  const trial = new Float64Array(length);
  const picks: number[] = [];
  const add = (m: number) => {
    const p = predictions[m];
    for (let i = 0; i < length; i++) sum[i] += p[i];
    picks.push(m);
  };
  const scoreWith = (m: number) => {
    const p = predictions[m];
    const scale = 1 / (picks.length + 1);
    for (let i = 0; i < length; i++) trial[i] = (sum[i] + p[i]) * scale;
    return loss(trial);
  };

  // Sorted initialisation: the best models in order, keeping the prefix with the lowest loss.
  const sorted = [...candidates].sort((a, b) => individual[a] - individual[b] || a - b);
  let bestLoss = Infinity;
  let bestLength = 0;
  for (const m of sorted.slice(0, Math.max(1, options.initialModels))) {
    const value = scoreWith(m);
    add(m);
    if (value < bestLoss) {
      bestLoss = value;
      bestLength = picks.length;
    }
  }
  picks.length = 0;
  sum.fill(0);
  for (const m of sorted.slice(0, bestLength)) add(m);

  let bestPicks = picks.slice();
  for (let step = 0; step < options.steps; step++) {
    let chosen = -1;
    let chosenLoss = Infinity;
    for (const m of candidates) {
      const value = scoreWith(m);
      if (value < chosenLoss) {
        chosenLoss = value;
        chosen = m;
      }
    }
    add(chosen);
    if (chosenLoss < bestLoss) {
      bestLoss = chosenLoss;
      bestPicks = picks.slice();
    }
  }

  const counts = new Map<number, number>();
  for (const m of bestPicks) counts.set(m, (counts.get(m) ?? 0) + 1);
  return counts;
}

/**
 * Selects a weighted ensemble from the library's validation predictions (each V x outputs, the
 * probabilities of one model): bagged forward selection with sorted initialisation (Caruana et
 * al., ICML 2004, sections 2.1 to 2.3). Each bag selects from a random share of the models, and
 * the weights are the average over bags of each model's share of the picks.
 */
export function selectEnsemble(predictions: Float32Array[], labels: Int32Array, outputs: number, options: SelectionOptions): SelectionResult {
  const count = predictions.length;
  if (count === 0) throw new RangeError('selectEnsemble: the library is empty');
  for (const p of predictions) {
    if (p.length !== labels.length * outputs) throw new RangeError(`selectEnsemble: each prediction must have ${labels.length} x ${outputs} values, got ${p.length}`);
  }
  if (!(options.bags >= 1 && options.bagFraction > 0 && options.bagFraction <= 1)) {
    throw new RangeError(`selectEnsemble: bags must be 1 or more and bagFraction in (0, 1], got ${options.bags} and ${options.bagFraction}`);
  }
  const loss = lossFunction(options.metric, labels, outputs);
  const individual = predictions.map((p) => loss(p));
  const random = new Random(options.seed, 0x454e53);
  const weights = new Float64Array(count);
  const all = Array.from({ length: count }, (_, m) => m);
  const bags = count < minBaggedLibrary ? 1 : options.bags;
  for (let bag = 0; bag < bags; bag++) {
    let candidates = all;
    if (bags > 1) {
      const size = Math.max(1, Math.round(options.bagFraction * count));
      candidates = random.shuffle(all.slice()).slice(0, size).sort((a, b) => a - b);
    }
    const counts = forwardSelect(predictions, candidates, individual, loss, options);
    let picks = 0;
    for (const c of counts.values()) picks += c;
    for (const [m, c] of counts) weights[m] += c / picks / bags;
  }

  return { weights, validationScore: reportedScore(options.metric, loss(weightedAverage(predictions, weights))) };
}

/** Returns sum_m weights[m] * predictions[m] in float64, skipping models of weight 0. */
export function weightedAverage(predictions: ArrayLike<number>[], weights: ArrayLike<number>): Float64Array {
  const combined = new Float64Array(predictions[0].length);
  predictions.forEach((p, m) => {
    if (weights[m] === 0) return;
    for (let i = 0; i < combined.length; i++) combined[i] += weights[m] * p[i];
  });
  return combined;
}

/** Returns the index of the model with the lowest loss on the validation rows; the first one wins a tie. */
export function bestSingle(predictions: Float32Array[], labels: Int32Array, outputs: number, metric: SelectionMetric): number {
  const loss = lossFunction(metric, labels, outputs);
  let best = 0;
  let bestLoss = Infinity;
  predictions.forEach((p, m) => {
    const value = loss(p);
    if (value < bestLoss) {
      bestLoss = value;
      best = m;
    }
  });
  return best;
}
