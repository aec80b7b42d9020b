import type { Engine } from '../gpu/engine.js';
import type { Tensor } from '../gpu/tensor.js';
import { scaleAdd } from '../kernels/reduce.js';
import type { TeacherModel } from '../models/model.js';

/** A library model and its weight in the selected ensemble. */
export interface WeightedMember {
  model: TeacherModel;
  weight: number;
}

/** The teacher: a weighted average of library models' probabilities, computed on the GPU. */
export class SelectedEnsemble {
  constructor(
    readonly engine: Engine,
    readonly members: WeightedMember[],
    readonly outputs: number,
  ) {
    if (members.length === 0) throw new RangeError('an ensemble needs at least one member');
  }

  /** Returns sum_m weight_m * P_m(x), rows x outputs, as a new tensor owned by the caller. */
  predict(x: Tensor): Tensor {
    const sum = this.engine.tensor(x.rows, this.outputs, new Float32Array(x.rows * this.outputs));
    for (const { model, weight } of this.members) {
      const p = model.predict(x);
      this.engine.runOnce((program) => scaleAdd(program, p, sum, 1, weight));
      p.release();
    }
    return sum;
  }

  /** Storage of every member, each counted once however often the selection picked it. */
  get bytes(): number {
    return this.members.reduce((total, m) => total + m.model.bytes, 0);
  }

  release(): void {
    for (const m of this.members) m.model.release();
  }
}
