import { MimicError } from '../errors.js';
import type { Engine } from './engine.js';
import type { Tensor } from './tensor.js';

/** Shader source and interface, reflected by build.mjs with wgsl_reflect. */
export interface ShaderInfo {
  /** File name, e.g. "matmul.wgsl". */
  name: string;
  code: string;
  entryPoint: string;
  workgroupSize: [number, number, number];
  overrides: string[];
  bindings: ShaderBinding[];
}

export interface ShaderBinding {
  name: string;
  group: number;
  binding: number;
  type: 'uniform' | 'storage' | 'read-only-storage';
  /** Byte size of the bound struct (uniforms only). */
  size?: number;
}

/** A buffer range for one binding: a tensor, or a raw buffer slice (uniform arenas). */
export type BindingResource = Tensor | { buffer: GPUBuffer; offset: number; size: number };

/** One recorded dispatch; a Program replays a list of them in one compute pass. */
interface Dispatch {
  pipeline: GPUComputePipeline;
  bindGroup: GPUBindGroup;
  workgroups: [number, number, number];
}

/** Values for a shader's `params` uniform, all 32-bit scalars in declaration order. */
export type UniformFields = Array<['u32' | 'i32' | 'f32', number]>;

function packUniform(fields: UniformFields): ArrayBuffer {
  const data = new ArrayBuffer(fields.length * 4);
  const view = new DataView(data);
  fields.forEach(([type, value], i) => {
    if (type === 'f32') view.setFloat32(i * 4, value, true);
    else if (type === 'i32') view.setInt32(i * 4, value, true);
    else view.setUint32(i * 4, value, true);
  });
  return data;
}

/**
 * A compute shader with its bind group layout, built from the bindings that the WGSL declares.
 * Pipelines are created lazily, one per set of override constants.
 */
export class Kernel {
  readonly layout: GPUBindGroupLayout;
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  private readonly module: GPUShaderModule;

  constructor(
    private readonly device: GPUDevice,
    readonly shader: ShaderInfo,
  ) {
    this.module = device.createShaderModule({ label: shader.name, code: shader.code });
    this.layout = device.createBindGroupLayout({
      label: shader.name,
      entries: shader.bindings.map((b) => ({
        binding: b.binding,
        visibility: GPUShaderStage.COMPUTE,
        buffer: { type: b.type },
      })),
    });
  }

  get workgroupSize(): [number, number, number] {
    return this.shader.workgroupSize;
  }

  pipeline(constants: Record<string, number> = {}): GPUComputePipeline {
    for (const name of Object.keys(constants)) {
      if (!this.shader.overrides.includes(name)) {
        throw new Error(`shader ${this.shader.name} declares no override constant '${name}'`);
      }
    }
    const key = JSON.stringify(Object.entries(constants).sort());
    let pipeline = this.pipelines.get(key);
    if (!pipeline) {
      pipeline = this.device.createComputePipeline({
        label: `${this.shader.name} ${key}`,
        layout: this.device.createPipelineLayout({ bindGroupLayouts: [this.layout] }),
        compute: { module: this.module, entryPoint: this.shader.entryPoint, constants },
      });
      this.pipelines.set(key, pipeline);
    }
    return pipeline;
  }

  /**
   * Checks that `resources` names exactly the storage bindings the shader declares, so a renamed or
   * forgotten binding fails here with the shader's name instead of as a WebGPU validation error.
   */
  checkBindings(resources: Record<string, BindingResource>): void {
    const declared = this.shader.bindings.filter((b) => b.type !== 'uniform');
    for (const binding of declared) {
      if (!(binding.name in resources)) {
        throw new Error(`shader ${this.shader.name}: binding '${binding.name}' (@binding(${binding.binding})) was not bound`);
      }
    }
    for (const name of Object.keys(resources)) {
      if (!declared.some((b) => b.name === name)) {
        throw new Error(`shader ${this.shader.name} declares no storage binding named '${name}'`);
      }
    }
  }
}

function resourceRange(resource: BindingResource): GPUBufferBinding {
  if ('byteOffset' in resource) {
    return { buffer: resource.buffer, offset: resource.byteOffset, size: Math.max(4, resource.byteLength) };
  }
  return { buffer: resource.buffer, offset: resource.offset, size: resource.size };
}

/**
 * A recorded list of dispatches that can run many times: bind groups and uniform values are made
 * once, so replaying a training epoch costs one compute pass and one submit with no CPU work per
 * step. Tensors referenced by a program must outlive it.
 */
export class Program {
  private readonly dispatches: Dispatch[] = [];
  private uniformChunks: ArrayBuffer[] = [];
  private uniformBytes = 0;
  private uniformBuffer: GPUBuffer | undefined;
  private pendingUniforms: Array<{ kernel: Kernel; pipeline: GPUComputePipeline; resources: Record<string, BindingResource>; offset: number; size: number; workgroups: [number, number, number] }> = [];

  constructor(private readonly engine: Engine) {}

  /**
   * Records one dispatch of `kernel`. `uniform` fills the shader's uniform struct, one 32-bit scalar
   * per field in declaration order; its size must match the struct that the WGSL declares.
   */
  dispatch(
    kernel: Kernel,
    resources: Record<string, BindingResource>,
    workgroups: [number, number, number],
    uniform?: UniformFields,
    constants: Record<string, number> = {},
  ): void {
    kernel.checkBindings(resources);
    const limit = this.engine.limits.maxComputeWorkgroupsPerDimension;
    if (workgroups.some((w) => w > limit)) {
      throw new Error(`shader ${kernel.shader.name}: dispatch of ${workgroups.join('x')} workgroups exceeds the device limit ${limit} per dimension`);
    }
    if (workgroups.some((w) => w === 0)) return;
    this.checkBindingSizes(kernel, resources);

    const pipeline = kernel.pipeline(constants);
    const uniformBinding = kernel.shader.bindings.find((b) => b.type === 'uniform');
    if ((uniformBinding !== undefined) !== (uniform !== undefined)) {
      throw new Error(`shader ${kernel.shader.name}: ${uniformBinding ? `uniform '${uniformBinding.name}' was not provided` : 'declares no uniform'}`);
    }
    if (uniform && uniformBinding?.size !== undefined && uniform.length * 4 !== uniformBinding.size) {
      throw new Error(
        `shader ${kernel.shader.name}: uniform '${uniformBinding.name}' is ${uniformBinding.size} bytes but ${uniform.length * 4} bytes of fields were bound`,
      );
    }
    let offset = 0;
    let size = 0;
    if (uniform) {
      const data = packUniform(uniform);
      const alignment = this.engine.limits.minUniformBufferOffsetAlignment;
      offset = Math.ceil(this.uniformBytes / alignment) * alignment;
      size = data.byteLength;
      const padding = offset - this.uniformBytes;
      if (padding > 0) this.uniformChunks.push(new ArrayBuffer(padding));
      this.uniformChunks.push(data);
      this.uniformBytes = offset + size;
    }
    this.pendingUniforms.push({ kernel, pipeline, resources, offset, size, workgroups });
  }

  /** Rejects a storage binding larger than the engine allows, naming the shader and the binding. */
  private checkBindingSizes(kernel: Kernel, resources: Record<string, BindingResource>): void {
    const limit = this.engine.maxStorageBufferBindingSize;
    for (const [name, resource] of Object.entries(resources)) {
      const size = resourceRange(resource).size ?? 0;
      if (size <= limit) continue;
      const shape = 'rows' in resource ? `a ${resource.rows}x${resource.cols} tensor of ` : '';
      throw new MimicError(
        `shader ${kernel.shader.name}: binding '${name}' covers ${shape}${size} bytes, more than one storage binding allows (maxStorageBufferBindingSize ${limit}). Process fewer rows at a time (for example a smaller --pseudo).`,
      );
    }
  }

  /** Uploads uniform values and creates bind groups; called on first run. */
  private finalise(): void {
    if (this.pendingUniforms.length === 0) return;
    const device = this.engine.device;
    if (this.uniformBytes > 0) {
      const bytes = new Uint8Array(Math.ceil(this.uniformBytes / 4) * 4);
      let at = 0;
      for (const chunk of this.uniformChunks) {
        bytes.set(new Uint8Array(chunk), at);
        at += chunk.byteLength;
      }
      this.uniformBuffer = device.createBuffer({ label: 'program uniforms', size: bytes.byteLength, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
      device.queue.writeBuffer(this.uniformBuffer, 0, bytes);
    }
    for (const pending of this.pendingUniforms) {
      const entries: GPUBindGroupEntry[] = pending.kernel.shader.bindings.map((b) => {
        if (b.type === 'uniform') {
          return { binding: b.binding, resource: { buffer: this.uniformBuffer!, offset: pending.offset, size: pending.size } };
        }
        return { binding: b.binding, resource: resourceRange(pending.resources[b.name]) };
      });
      const bindGroup = device.createBindGroup({ label: pending.kernel.shader.name, layout: pending.kernel.layout, entries });
      this.dispatches.push({ pipeline: pending.pipeline, bindGroup, workgroups: pending.workgroups });
    }
    this.pendingUniforms = [];
    this.uniformChunks = [];
  }

  /** Encodes every recorded dispatch into `pass`. */
  encode(pass: GPUComputePassEncoder): void {
    this.finalise();
    for (const d of this.dispatches) {
      pass.setPipeline(d.pipeline);
      pass.setBindGroup(0, d.bindGroup);
      pass.dispatchWorkgroups(d.workgroups[0], d.workgroups[1], d.workgroups[2]);
    }
  }

  destroy(): void {
    this.uniformBuffer?.destroy();
    this.uniformBuffer = undefined;
    this.dispatches.length = 0;
    this.pendingUniforms = [];
  }
}

/**
 * Splits `count` workgroups into a 2-D grid that fits the per-dimension limit. Kernels that use it
 * compute their linear index as `wid.x + wid.y * num_workgroups.x` and skip indices past the end.
 */
export function linearGrid(count: number, limit: number): [number, number, number] {
  if (count <= limit) return [count, 1, 1];
  const y = Math.ceil(count / limit);
  if (y > limit) throw new RangeError(`${count} workgroups do not fit a ${limit}x${limit} grid`);
  return [Math.ceil(count / y), y, 1];
}
