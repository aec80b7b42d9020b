/**
 * Reuses GPU buffers by size so that training loops allocate nothing after their first epoch.
 * Sizes are rounded up to 256 bytes; a released buffer is handed out again for the same rounded size.
 */
export class BufferPool {
  private readonly free = new Map<number, GPUBuffer[]>();
  private readonly sizes = new Map<GPUBuffer, number>();
  /** Bytes in buffers handed out and not yet released. */
  inUseBytes = 0;
  /** Bytes in every buffer the pool created and has not destroyed. */
  allocatedBytes = 0;

  constructor(
    private readonly device: GPUDevice,
    private readonly usage: GPUBufferUsageFlags,
  ) {}

  acquire(byteLength: number, label?: string): GPUBuffer {
    const size = Math.max(256, Math.ceil(byteLength / 256) * 256);
    const reused = this.free.get(size)?.pop();
    const buffer = reused ?? this.device.createBuffer({ label, size, usage: this.usage });
    if (!reused) {
      this.sizes.set(buffer, size);
      this.allocatedBytes += size;
    }
    this.inUseBytes += size;
    return buffer;
  }

  release(buffer: GPUBuffer): void {
    const size = this.sizes.get(buffer);
    if (size === undefined) throw new Error('buffer released to a pool that did not create it');
    this.inUseBytes -= size;
    let list = this.free.get(size);
    if (!list) {
      list = [];
      this.free.set(size, list);
    }
    list.push(buffer);
  }

  /** Destroys every buffer the pool created, in use or not. */
  destroy(): void {
    for (const buffer of this.sizes.keys()) buffer.destroy();
    this.sizes.clear();
    this.free.clear();
    this.inUseBytes = 0;
    this.allocatedBytes = 0;
  }
}
