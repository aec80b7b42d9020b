// Public API of the webgpu-mimic engine.
export { MimicError } from './errors.js';
export { Engine, createEngine } from './gpu/engine.js';
export { Tensor } from './gpu/tensor.js';
export { Program } from './gpu/kernel.js';
