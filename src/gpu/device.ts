import { MimicError } from '../errors.js';

/** The engine's GPUDevice, its adapter's name, and who owns it. */
export interface AcquiredDevice {
  device: GPUDevice;
  /** Adapter description for reports, e.g. "llvmpipe (LLVM 19.1.7, 256 bits) (vulkan)". */
  adapterName: string;
  /** True when the engine created the device and must destroy it. */
  owned: boolean;
  /**
   * Invocations per subgroup when the device has the 'subgroups' feature and the adapter reports
   * one fixed size (subgroupMinSize equal to subgroupMaxSize); undefined otherwise.
   */
  subgroupSize: number | undefined;
  /** Drops references that keep Node's event loop alive (Dawn's GPU object). */
  release(): void;
}

export interface DeviceOptions {
  /** A device the caller already owns; the engine never destroys it. */
  device?: GPUDevice;
  powerPreference?: GPUPowerPreference;
  /** Request the 'subgroups' feature when the adapter has it (default true). */
  subgroups?: boolean;
}

const noAdapterHelp =
  'No WebGPU adapter was found. On Debian or Ubuntu install a Vulkan driver ' +
  '(Debian 12: `apt-get install -t bookworm-backports mesa-vulkan-drivers`, which needs Mesa 25 or newer for Dawn), ' +
  'or set VK_ICD_FILENAMES to another Vulkan driver such as /usr/lib/chromium/vk_swiftshader_icd.json.';

const noBrowserWebGpuHelp =
  'This browser does not expose WebGPU (navigator.gpu is missing). Use Chrome or Edge 113 or newer, ' +
  'or start Chromium with --enable-unsafe-webgpu, and serve the page from https:// or http://127.0.0.1.';

function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

/** Returns the subgroup size when it is fixed and the device can use subgroups. */
function fixedSubgroupSize(device: GPUDevice, info: GPUAdapterInfo | undefined): number | undefined {
  if (!device.features.has('subgroups') || !info) return undefined;
  const { subgroupMinSize, subgroupMaxSize } = info as GPUAdapterInfo & { subgroupMinSize?: number; subgroupMaxSize?: number };
  return subgroupMinSize !== undefined && subgroupMinSize === subgroupMaxSize ? subgroupMinSize : undefined;
}

/** Returns a human-readable adapter name from whatever fields the implementation fills in. */
function describeAdapter(info: GPUAdapterInfo | undefined): string {
  if (!info) return 'unknown adapter';
  const parts = [info.description, info.device, info.vendor, info.architecture].filter((p) => p && p.length > 0);
  return parts.length > 0 ? [...new Set(parts)].join(' / ') : 'unknown adapter';
}

async function loadGpu(): Promise<{ gpu: GPU; release(): void }> {
  if (typeof navigator !== 'undefined' && navigator.gpu) {
    return { gpu: navigator.gpu, release() {} };
  }
  if (!isNode()) throw new MimicError(noBrowserWebGpuHelp);

  let dawn: { create(flags: string[]): GPU; globals: object };
  try {
    dawn = await import('webgpu');
  } catch (error) {
    throw new MimicError(
      `Could not load Dawn's Node binding (the 'webgpu' package): ${(error as Error).message}. Run \`npm install\` in the project folder.`,
    );
  }
  // Dawn's constants (GPUBufferUsage, GPUMapMode, ...) are globals in browsers; make them so in Node.
  for (const [name, value] of Object.entries(dawn.globals)) {
    if (!(name in globalThis)) (globalThis as Record<string, unknown>)[name] = value;
  }
  let gpu: GPU | undefined = dawn.create([]);
  return {
    get gpu() {
      if (!gpu) throw new Error('Dawn GPU object used after release');
      return gpu;
    },
    release() {
      gpu = undefined;
    },
  };
}

/**
 * Acquires a GPUDevice: the caller's, else `navigator.gpu` in a browser, else Dawn in Node. Asks for
 * the adapter's largest storage-buffer binding and buffer sizes, because data sets and pseudo data
 * are bound as single storage buffers.
 */
export async function acquireDevice(options: DeviceOptions = {}): Promise<AcquiredDevice> {
  if (options.device) {
    const info = (options.device as GPUDevice & { adapterInfo?: GPUAdapterInfo }).adapterInfo;
    const subgroupSize = options.subgroups === false ? undefined : fixedSubgroupSize(options.device, info);
    return { device: options.device, adapterName: 'caller-provided device', owned: false, subgroupSize, release() {} };
  }

  const source = await loadGpu();
  const adapter = await source.gpu.requestAdapter({ powerPreference: options.powerPreference ?? 'high-performance' });
  if (!adapter) {
    source.release();
    throw new MimicError(isNode() ? noAdapterHelp : 'The browser found no WebGPU adapter. Check chrome://gpu, or enable WebGPU with --enable-unsafe-webgpu.');
  }

  const limits = adapter.limits;
  // Subgroup operations let the matrix-product kernel share loads between invocations.
  const useSubgroups = options.subgroups !== false && adapter.features.has('subgroups');
  let device: GPUDevice;
  try {
    device = await adapter.requestDevice({
      requiredFeatures: useSubgroups ? ['subgroups' as GPUFeatureName] : [],
      requiredLimits: {
        maxStorageBufferBindingSize: limits.maxStorageBufferBindingSize,
        maxBufferSize: limits.maxBufferSize,
        maxStorageBuffersPerShaderStage: limits.maxStorageBuffersPerShaderStage,
        maxComputeWorkgroupsPerDimension: limits.maxComputeWorkgroupsPerDimension,
      },
    });
  } catch (error) {
    source.release();
    throw new MimicError(`The WebGPU adapter failed to create a device: ${(error as Error).message}`);
  }

  return {
    device,
    adapterName: describeAdapter(adapter.info),
    owned: true,
    subgroupSize: fixedSubgroupSize(device, adapter.info),
    release: () => source.release(),
  };
}
