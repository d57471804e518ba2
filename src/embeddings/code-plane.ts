import { growMemory, instantiateKernel } from "./kernel/kernel-module.js";

type DotCodes = (query: number, codes: number, slots: number, count: number, stride: number, out: number) => void;

/** Slots scored by one kernel call. */
export const LIST = 1024;

/**
 * Rows of 8-bit codes in one WebAssembly memory, with room for a query of 16-bit codes, and
 * their integer dot products with that query: by the SIMD kernel, or a plain loop where SIMD
 * is missing. Scales are the caller's ({@link CodeRows}).
 */
export class CodePlane {
  readonly dimensions: number;
  /** Codes a row, a multiple of 8 (padded with zeros). */
  readonly stride: number;
  private readonly memory: WebAssembly.Memory;
  private readonly dotCodes: DotCodes | undefined;
  private capacity = 0;
  bytes!: Int8Array;
  shorts!: Int16Array;
  ints!: Int32Array;

  constructor({ dimensions, capacity, simd }: { dimensions: number; capacity: number; simd: boolean }) {
    this.dimensions = dimensions;
    this.stride = Math.ceil(dimensions / 8) * 8;
    const { memory, kernel } = instantiateKernel(simd);
    this.memory = memory;
    this.dotCodes = kernel?.dotCodes as DotCodes | undefined;
    this.reserve(capacity);
  }

  get simd(): boolean {
    return this.dotCodes !== undefined;
  }

  // Layout (bytes): [query: 2 × stride][slots: 4 × LIST][sums: 4 × LIST][codes: capacity × stride]
  get slotsAt(): number {
    return (this.stride * 2) >> 2;
  }

  get sumsAt(): number {
    return this.slotsAt + LIST;
  }

  /** Where row `slot`'s codes start in {@link CodePlane.bytes}. */
  rowAt(slot: number): number {
    return (this.sumsAt + LIST) * 4 + slot * this.stride;
  }

  /** Makes room for `capacity` rows. */
  reserve(capacity: number): void {
    if (capacity <= this.capacity) return;
    growMemory(this.memory, this.rowAt(capacity), { capacity, dimensions: this.dimensions });
    this.capacity = capacity;
    this.bytes = new Int8Array(this.memory.buffer);
    this.shorts = new Int16Array(this.memory.buffer);
    this.ints = new Int32Array(this.memory.buffer);
  }

  /**
   * The query's dot products with `count` (at most {@link LIST}) rows whose slots are already
   * at {@link CodePlane.slotsAt}, written at {@link CodePlane.sumsAt}.
   */
  dot(count: number): void {
    if (this.dotCodes !== undefined) {
      this.dotCodes(0, this.rowAt(0), this.slotsAt << 2, count, this.stride, this.sumsAt << 2);
      return;
    }
    const { stride, bytes, shorts, ints } = this;
    for (let index = 0; index < count; index += 1) {
      const base = this.rowAt(ints[this.slotsAt + index] as number);
      let sum = 0;
      for (let offset = 0; offset < stride; offset += 1) sum += (shorts[offset] as number) * (bytes[base + offset] as number);
      ints[this.sumsAt + index] = sum;
    }
  }
}
