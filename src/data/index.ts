export { column, isMissing, parseCsv, parseNumber, type Column, type Table } from './csv.js';
export { attributeGroups, distanceWeights, encodeRecord, encodeRows, fitEncoder, type AttributeEncoding, type Encoder } from './encode.js';
export { defineProblem, type Problem, type ProblemSpec } from './problem.js';
export { Random } from './random.js';
export { SPLIT_STREAM, splitRows, type Split, type SplitSizes } from './split.js';
