import { JottyError } from "../errors/index.js";
import { assertFits } from "./assert-fits.js";
import { growMemory, instantiateKernel } from "./kernel/kernel-module.js";

type DotCodes = (query: number, codes: number, slots: number, count: number, stride: number, out: number) => void;

/** Slots scored by one kernel call. */
const LIST = 1024;
/** Query codes use 11 bits, so that sums stay within 32 bits up to 8,192 dimensions. */
const QUERY_LEVELS = 2047;
const ROW_LEVELS = 127;

/**
 * Normalised vectors stored as 8-bit codes with one scale each (a quarter of float storage),
 * in WebAssembly memory, and scored against a query (12-bit codes) by a SIMD kernel, a plain
 * loop where SIMD is missing. A score approximates the cosine within about 0.01. Up to 8,192
 * dimensions.
 */
export class CodeRows {
  readonly dimensions: number;
  /** Codes a row, a multiple of 8 (padded with zeros). */
  readonly stride: number;
  readonly simd: boolean;
  private readonly memory: WebAssembly.Memory;
  private readonly dotCodes: DotCodes | undefined;
  private capacity = 0;
  private scales = new Float32Array(0);
  private queryScale = 0;
  private bytes!: Int8Array;
  private shorts!: Int16Array;
  private ints!: Int32Array;

  constructor({ dimensions, capacity, simd = true }: { dimensions: number; capacity: number; simd?: boolean }) {
    this.dimensions = dimensions;
    this.stride = Math.ceil(dimensions / 8) * 8;
    const { memory, kernel } = instantiateKernel(simd);
    this.memory = memory;
    this.dotCodes = kernel?.dotCodes as DotCodes | undefined;
    this.simd = this.dotCodes !== undefined;
    this.reserve(capacity);
  }

  // Layout (bytes): [query: 2 × stride][slots: 4 × LIST][sums: 4 × LIST][codes: capacity × stride]
  private get slotsOffset(): number {
    return this.stride * 2;
  }

  private get sumsOffset(): number {
    return this.slotsOffset + LIST * 4;
  }

  private get codesOffset(): number {
    return this.sumsOffset + LIST * 4;
  }

  /** Makes room for `capacity` rows. */
  reserve(capacity: number): void {
    if (capacity <= this.capacity) return;
    growMemory(this.memory, this.codesOffset + capacity * this.stride, { capacity, dimensions: this.dimensions });
    const scales = new Float32Array(capacity);
    scales.set(this.scales);
    this.scales = scales;
    this.capacity = capacity;
    this.bytes = new Int8Array(this.memory.buffer);
    this.shorts = new Int16Array(this.memory.buffer);
    this.ints = new Int32Array(this.memory.buffer);
  }

  /** Normalises and stores a vector as row `slot`. @throws JottyError `invalid_argument` for a wrong length or a value that is not finite. */
  write(slot: number, vector: ArrayLike<number>): void {
    const scale = this.check(vector);
    let largest = 0;
    for (let index = 0; index < this.dimensions; index += 1) largest = Math.max(largest, Math.abs((vector[index] as number) * scale));
    const step = largest > 0 ? largest / ROW_LEVELS : 0;
    const base = this.codesOffset + slot * this.stride;
    for (let index = 0; index < this.stride; index += 1) {
      this.bytes[base + index] = index < this.dimensions && step > 0 ? Math.round(((vector[index] as number) * scale) / step) : 0;
    }
    this.scales[slot] = step;
  }

  /** Sets the query the next {@link CodeRows.score} calls score against. */
  setQuery(vector: ArrayLike<number>): void {
    const scale = this.check(vector);
    let largest = 0;
    for (let index = 0; index < this.dimensions; index += 1) largest = Math.max(largest, Math.abs((vector[index] as number) * scale));
    const step = largest > 0 ? largest / QUERY_LEVELS : 0;
    for (let index = 0; index < this.stride; index += 1) {
      this.shorts[index] = index < this.dimensions && step > 0 ? Math.round(((vector[index] as number) * scale) / step) : 0;
    }
    this.queryScale = step;
  }

  /**
   * Sets a stored row as the query (for scores between stored vectors). Its 8-bit codes serve as
   * the query's codes as they are, copied by one native conversion.
   */
  setQueryFromRow(slot: number): void {
    const base = this.codesOffset + slot * this.stride;
    this.shorts.set(this.bytes.subarray(base, base + this.stride));
    this.queryScale = this.scales[slot] as number;
  }

  /** Scores of the query against `count` listed rows, written into `out`. */
  score(slots: ArrayLike<number>, count: number, out: Float32Array | number[]): void {
    const { stride, ints } = this;
    const slotsAt = this.slotsOffset >> 2;
    const sumsAt = this.sumsOffset >> 2;
    for (let start = 0; start < count; start += LIST) {
      const chunk = Math.min(LIST, count - start);
      for (let index = 0; index < chunk; index += 1) ints[slotsAt + index] = slots[start + index] as number;
      if (this.dotCodes !== undefined) this.dotCodes(0, this.codesOffset, this.slotsOffset, chunk, stride, this.sumsOffset);
      else this.scoreInJs(chunk);
      for (let index = 0; index < chunk; index += 1) {
        const slot = slots[start + index] as number;
        out[start + index] = (ints[sumsAt + index] as number) * this.queryScale * (this.scales[slot] as number);
      }
    }
  }

  /** The score of one row. */
  scoreOne(slot: number): number {
    const out = [0];
    this.score([slot], 1, out);
    return out[0] as number;
  }

  /** The (approximate, normalised) vector of a row. */
  decode(slot: number): Float32Array {
    const base = this.codesOffset + slot * this.stride;
    const scale = this.scales[slot] as number;
    const vector = new Float32Array(this.dimensions);
    for (let index = 0; index < this.dimensions; index += 1) vector[index] = (this.bytes[base + index] as number) * scale;
    return vector;
  }

  /** Copies of the first `rows` rows' codes and scales, for persistence. */
  export(rows: number): { codes: Int8Array; scales: Float32Array } {
    const start = this.codesOffset;
    return { codes: this.bytes.slice(start, start + rows * this.stride), scales: this.scales.slice(0, rows) };
  }

  /** Loads rows {@link CodeRows.export} wrote. */
  import(codes: Int8Array, scales: Float32Array): void {
    this.reserve(scales.length);
    this.bytes.set(codes, this.codesOffset);
    this.scales.set(scales);
  }

  private scoreInJs(count: number): void {
    const { stride, bytes, shorts, ints } = this;
    const slotsAt = this.slotsOffset >> 2;
    const sumsAt = this.sumsOffset >> 2;
    for (let index = 0; index < count; index += 1) {
      const base = this.codesOffset + (ints[slotsAt + index] as number) * stride;
      let sum = 0;
      for (let offset = 0; offset < stride; offset += 1) sum += (shorts[offset] as number) * (bytes[base + offset] as number);
      ints[sumsAt + index] = sum;
    }
  }

  /** 1 / norm of a vector, after checking it. */
  private check(vector: ArrayLike<number>): number {
    assertFits(vector, this.dimensions, "vector");
    let norm = 0;
    for (let index = 0; index < this.dimensions; index += 1) norm += (vector[index] as number) ** 2;
    if (!Number.isFinite(norm)) throw new JottyError({ code: "invalid_argument", message: "A vector holds a value that is not a finite number." });
    return norm > 0 ? 1 / Math.sqrt(norm) : 0;
  }
}
