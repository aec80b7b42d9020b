// Public API of the webgpu-mimic engine.
export { MimicError } from './errors.js';
export { Engine, createEngine } from './gpu/engine.js';
export { Tensor } from './gpu/tensor.js';
export { Program, type ShaderInfo } from './gpu/kernel.js';
export * from './data/index.js';
export { accuracy, auc, logLoss, rmse } from './metrics/metrics.js';
export { Mlp, type MlpArchitecture, type ExportedLayer } from './models/mlp.js';
export { trainMlp, type TrainOptions, type TrainResult, type EpochReport } from './models/train.js';
export { BaggedEnsemble, type MemberSpec } from './models/ensemble.js';
export { munge, type MungeOptions } from './pseudo/munge.js';
export { compress, prepareData, type PreparedData, type CompressResult, type ModelScores, type ProgressEvent, type Stage } from './pipeline/compress.js';
export { defaultCompressOptions, defaultTeacher, type CompressOptions } from './pipeline/options.js';
export { serializeStudent, parseStudent, type StudentFile, type StudentModel } from './export/student_file.js';
export { matmul, type Activation, type MatmulOptions } from './kernels/matmul.js';
export { nearestNeighbour, pairwiseDistance } from './kernels/distance.js';
export { lossAndGradient, probabilities, type LossKind } from './kernels/loss.js';
export { columnSum, scaleAdd } from './kernels/reduce.js';
export { fillRandom } from './kernels/random.js';
