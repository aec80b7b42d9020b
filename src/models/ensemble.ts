import { Random } from '../data/random.js';
import type { Engine } from '../gpu/engine.js';
import type { Tensor } from '../gpu/tensor.js';
import { scaleAdd } from '../kernels/reduce.js';
import { Mlp } from './mlp.js';
import { trainMlp, type EpochReport, type TrainOptions, type TrainResult, type ValidationData } from './train.js';

/** One member of the bagged teacher: an MLP architecture and how to train it. */
export interface MemberSpec {
  hidden: number[];
  learningRate: number;
  epochs: number;
}

export interface BaggingOptions {
  members: MemberSpec[];
  batchSize: number;
  patience: number;
  seed: number;
  onMember?: (report: MemberReport) => void;
  onEpoch?: (member: number, report: EpochReport) => void;
}

export interface MemberReport {
  member: number;
  members: number;
  spec: MemberSpec;
  result: TrainResult;
  seconds: number;
}

/**
 * The teacher: MLPs of several widths, each trained on its own bootstrap sample of the training
 * rows (bagging, Breiman 1996), whose predicted probabilities are averaged.
 */
export class BaggedEnsemble {
  private constructor(
    readonly engine: Engine,
    readonly members: Mlp[],
  ) {}

  /** Trains one MLP per member spec on a bootstrap sample of `x` with one-hot or 0/1 `targets`. */
  static async train(engine: Engine, x: Tensor, targets: Tensor, validation: ValidationData, options: BaggingOptions): Promise<BaggedEnsemble> {
    const members: Mlp[] = [];
    const n = x.rows;
    try {
      for (const [i, spec] of options.members.entries()) {
        const started = performance.now();
        const memberSeed = options.seed * 1000 + i;
        const random = new Random(memberSeed, 0x4241);
        const sample = new Uint32Array(n);
        for (let r = 0; r < n; r++) sample[r] = random.int(n);

        const mlp = Mlp.create(engine, { inputs: x.cols, hidden: spec.hidden, outputs: targets.cols }, memberSeed);
        members.push(mlp);
        const train: TrainOptions = {
          epochs: spec.epochs,
          batchSize: options.batchSize,
          learningRate: spec.learningRate,
          schedule: 'cosine',
          patience: options.patience,
          loss: 'cross-entropy',
          seed: memberSeed,
          onEpoch: (report) => options.onEpoch?.(i, report),
        };
        const result = await trainMlp(mlp, { x, targets, rows: sample }, validation, train);
        options.onMember?.({ member: i + 1, members: options.members.length, spec, result, seconds: (performance.now() - started) / 1000 });
      }
    } catch (error) {
      for (const m of members) m.release();
      throw error;
    }
    return new BaggedEnsemble(engine, members);
  }

  /** Returns the members' mean probabilities for `x` (rows x outputs), computed on the GPU. */
  predict(x: Tensor): Tensor {
    const outputs = this.members[0].architecture.outputs;
    const sum = this.engine.tensor(x.rows, outputs, new Float32Array(x.rows * outputs));
    const weight = 1 / this.members.length;
    for (const member of this.members) {
      const p = member.predict(x);
      this.engine.runOnce((program) => scaleAdd(program, p, sum, 1, weight));
      p.release();
    }
    return sum;
  }

  /** Size of all members' parameters as f32 values. */
  get bytes(): number {
    return this.members.reduce((total, m) => total + m.bytes, 0);
  }

  release(): void {
    for (const m of this.members) m.release();
  }
}
