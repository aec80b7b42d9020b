/**
 * Philox4x32-10 on the CPU, bit for bit the generator in shaders/lib/philox.wgsl (Salmon et al.,
 * "Parallel random numbers: as easy as 1, 2, 3", SC 2011). The CPU uses it for splits, shuffles and
 * bootstrap samples, so that one seed fixes every random choice of a run.
 */

const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** Returns [high, low] words of the 64-bit product of two unsigned 32-bit integers. */
function mulWide(a: number, b: number): [number, number] {
  const low = Math.imul(a, b) >>> 0;
  const aLo = a & 0xffff;
  const aHi = a >>> 16;
  const bLo = b & 0xffff;
  const bHi = b >>> 16;
  const loLo = aLo * bLo;
  const hiLo = aHi * bLo;
  const loHi = aLo * bHi;
  const cross = (loLo >>> 16) + (hiLo & 0xffff) + loHi;
  const high = (aHi * bHi + (hiLo >>> 16) + Math.floor(cross / 65536)) >>> 0;
  return [high, low];
}

/** Computes Philox4x32-10 of a 4-word counter under a 2-word key. */
export function philox4x32(counter: ArrayLike<number>, key: ArrayLike<number>): Uint32Array {
  let c0 = counter[0] >>> 0;
  let c1 = counter[1] >>> 0;
  let c2 = counter[2] >>> 0;
  let c3 = counter[3] >>> 0;
  let k0 = key[0] >>> 0;
  let k1 = key[1] >>> 0;
  for (let round = 0; round < 10; round++) {
    if (round > 0) {
      k0 = (k0 + W0) >>> 0;
      k1 = (k1 + W1) >>> 0;
    }
    const [hi0, lo0] = mulWide(M0, c0);
    const [hi1, lo1] = mulWide(M1, c2);
    const n0 = (hi1 ^ c1 ^ k0) >>> 0;
    const n2 = (hi0 ^ c3 ^ k1) >>> 0;
    c0 = n0;
    c1 = lo1;
    c2 = n2;
    c3 = lo0;
  }
  return Uint32Array.of(c0, c1, c2, c3);
}

/** Uniform in [0, 1) from the top 24 bits of a word, as philox_uniform in WGSL. */
export function wordToUniform(word: number): number {
  return (word >>> 8) / 16777216;
}

/**
 * A seeded stream of random numbers: block b of stream s is Philox((b, s, tag, 0), seed).
 * Different `stream` values give independent sequences for the same seed.
 */
export class Random {
  private block = 0;
  private words: Uint32Array = new Uint32Array(0);
  private next = 4;
  private readonly key: [number, number];

  constructor(
    seed: number,
    private readonly stream = 0,
  ) {
    if (!Number.isSafeInteger(seed) || seed < 0) throw new RangeError(`seed must be a non-negative integer, got ${seed}`);
    this.key = [seed >>> 0, Math.floor(seed / 2 ** 32) >>> 0];
  }

  /** Returns the next 32-bit word. */
  u32(): number {
    if (this.next === 4) {
      // 0x43505520 ("CPU ") keeps CPU draws apart from the GPU kernels' counters.
      this.words = philox4x32([this.block++, this.stream, 0x43505520, 0], this.key);
      this.next = 0;
    }
    return this.words[this.next++];
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    return ((this.u32() >>> 5) * 67108864 + (this.u32() >>> 6)) / 9007199254740992;
  }

  /** Integer uniform in [0, n), without modulo bias. */
  int(n: number): number {
    if (!Number.isInteger(n) || n <= 0) throw new RangeError(`int() needs a positive integer bound, got ${n}`);
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal by the Box-Muller transform. */
  normal(): number {
    const u = 1 - this.uniform();
    const v = this.uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Shuffles `values` in place (Fisher-Yates) and returns it. */
  shuffle<T extends { length: number; [i: number]: any }>(values: T): T {
    for (let i = values.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = values[i];
      values[i] = values[j];
      values[j] = tmp;
    }
    return values;
  }
}
