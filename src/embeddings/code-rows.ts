import { JottyError } from "../errors/index.js";
import { assertFits } from "./assert-fits.js";
import { CodePlane, LIST } from "./code-plane.js";

/** Query codes use 11 bits, so that sums stay within 32 bits up to 8,192 dimensions. */
const QUERY_LEVELS = 2047;
const ROW_LEVELS = 127;

/**
 * Normalised vectors stored as 8-bit codes with one scale each (a quarter of float storage),
 * plus an 8-bit code of what those codes miss (the residual, with its own scale), each in its
 * own WebAssembly memory, and scored against a query (11-bit codes) by a SIMD kernel, a plain
 * loop where SIMD is missing. {@link CodeRows.score} reads the first codes only and
 * approximates the cosine within about 0.01 (a walk of the graph scores many rows and needs
 * no more); {@link CodeRows.scoreFine} adds the residual, within about 0.0001, for the rows a
 * search returns. Up to 8,192 dimensions.
 */
export class CodeRows {
  readonly dimensions: number;
  /** Codes a row, a multiple of 8 (padded with zeros). */
  readonly stride: number;
  readonly simd: boolean;
  private readonly coarse: CodePlane;
  private readonly fine: CodePlane;
  private capacity = 0;
  private scales = new Float32Array(0);
  private fineScales = new Float32Array(0);
  private queryScale = 0;
  /** Scratch of {@link CodeRows.write}: what a row's codes miss. */
  private readonly residuals: Float64Array;

  constructor({ dimensions, capacity, simd = true }: { dimensions: number; capacity: number; simd?: boolean }) {
    this.dimensions = dimensions;
    this.coarse = new CodePlane({ dimensions, capacity, simd });
    this.fine = new CodePlane({ dimensions, capacity, simd });
    this.stride = this.coarse.stride;
    this.simd = this.coarse.simd;
    this.residuals = new Float64Array(this.stride);
    this.reserve(capacity);
  }

  /** Makes room for `capacity` rows. */
  reserve(capacity: number): void {
    if (capacity <= this.capacity) return;
    this.coarse.reserve(capacity);
    this.fine.reserve(capacity);
    const grow = (array: Float32Array<ArrayBuffer>): Float32Array<ArrayBuffer> => {
      const next = new Float32Array(capacity);
      next.set(array);
      return next;
    };
    this.scales = grow(this.scales);
    this.fineScales = grow(this.fineScales);
    this.capacity = capacity;
  }

  /** Normalises and stores a vector as row `slot`. @throws JottyError `invalid_argument` for a wrong length or a value that is not finite. */
  write(slot: number, vector: ArrayLike<number>): void {
    const scale = this.check(vector);
    const { dimensions, stride } = this;
    let largest = 0;
    for (let index = 0; index < dimensions; index += 1) largest = Math.max(largest, Math.abs((vector[index] as number) * scale));
    const step = largest > 0 ? largest / ROW_LEVELS : 0;
    const coarse = this.coarse.bytes;
    const base = this.coarse.rowAt(slot);
    const residuals = this.residuals;
    let largestResidual = 0;
    for (let index = 0; index < stride; index += 1) {
      const code = index < dimensions && step > 0 ? Math.round(((vector[index] as number) * scale) / step) : 0;
      coarse[base + index] = code;
      residuals[index] = index < dimensions ? (vector[index] as number) * scale - code * step : 0;
      largestResidual = Math.max(largestResidual, Math.abs(residuals[index] as number));
    }
    const fineStep = largestResidual > 0 ? largestResidual / ROW_LEVELS : 0;
    const fine = this.fine.bytes;
    const fineBase = this.fine.rowAt(slot);
    for (let index = 0; index < stride; index += 1) fine[fineBase + index] = fineStep > 0 ? Math.round((residuals[index] as number) / fineStep) : 0;
    this.scales[slot] = step;
    this.fineScales[slot] = fineStep;
  }

  /** Sets the query the next {@link CodeRows.score} and {@link CodeRows.scoreFine} calls score against. */
  setQuery(vector: ArrayLike<number>): void {
    const scale = this.check(vector);
    let largest = 0;
    for (let index = 0; index < this.dimensions; index += 1) largest = Math.max(largest, Math.abs((vector[index] as number) * scale));
    const step = largest > 0 ? largest / QUERY_LEVELS : 0;
    const shorts = this.coarse.shorts;
    for (let index = 0; index < this.stride; index += 1) {
      shorts[index] = index < this.dimensions && step > 0 ? Math.round(((vector[index] as number) * scale) / step) : 0;
    }
    this.queryScale = step;
  }

  /**
   * Sets a stored row as the query (for scores between stored vectors). Its 8-bit codes serve as
   * the query's codes as they are, copied by one native conversion.
   */
  setQueryFromRow(slot: number): void {
    const base = this.coarse.rowAt(slot);
    this.coarse.shorts.set(this.coarse.bytes.subarray(base, base + this.stride));
    this.queryScale = this.scales[slot] as number;
  }

  /** Scores of the query against `count` listed rows by their first codes, written into `out`. */
  score(slots: ArrayLike<number>, count: number, out: Float32Array | number[]): void {
    const { ints, slotsAt, sumsAt } = this.coarse;
    for (let start = 0; start < count; start += LIST) {
      const chunk = Math.min(LIST, count - start);
      for (let index = 0; index < chunk; index += 1) ints[slotsAt + index] = slots[start + index] as number;
      this.coarse.dot(chunk);
      for (let index = 0; index < chunk; index += 1) {
        out[start + index] = (ints[sumsAt + index] as number) * this.queryScale * (this.scales[slots[start + index] as number] as number);
      }
    }
  }

  /** Scores of the query against `count` listed rows by their codes and residuals, written into `out`. */
  scoreFine(slots: ArrayLike<number>, count: number, out: Float32Array | number[]): void {
    this.score(slots, count, out);
    this.refine(slots, count, out);
  }

  /**
   * Adds the residuals' part to scores {@link CodeRows.score} gave the same rows for the same
   * query, making them {@link CodeRows.scoreFine}'s: a search ranks what its walk scored
   * without reading those rows' codes again.
   */
  refine(slots: ArrayLike<number>, count: number, scores: Float32Array | number[]): void {
    const { fine, stride } = this;
    fine.shorts.set(this.coarse.shorts.subarray(0, stride));
    for (let start = 0; start < count; start += LIST) {
      const chunk = Math.min(LIST, count - start);
      for (let index = 0; index < chunk; index += 1) fine.ints[fine.slotsAt + index] = slots[start + index] as number;
      fine.dot(chunk);
      for (let index = 0; index < chunk; index += 1) {
        const slot = slots[start + index] as number;
        scores[start + index] = (scores[start + index] as number) + (fine.ints[fine.sumsAt + index] as number) * this.queryScale * (this.fineScales[slot] as number);
      }
    }
  }

  /** The score of one row by its first codes. */
  scoreOne(slot: number): number {
    const out = [0];
    this.score([slot], 1, out);
    return out[0] as number;
  }

  /** The (normalised) vector of a row, residual included: within about 0.0001 of the stored one's direction. */
  decode(slot: number): Float32Array {
    const base = this.coarse.rowAt(slot);
    const fineBase = this.fine.rowAt(slot);
    const scale = this.scales[slot] as number;
    const fineScale = this.fineScales[slot] as number;
    const vector = new Float32Array(this.dimensions);
    for (let index = 0; index < this.dimensions; index += 1) {
      vector[index] = (this.coarse.bytes[base + index] as number) * scale + (this.fine.bytes[fineBase + index] as number) * fineScale;
    }
    return vector;
  }

  /** The first `rows` rows' codes, residual codes and scales, for persistence: views, valid until a row is written or the rows grow. */
  export(rows: number): { codes: Int8Array; scales: Float32Array; fineCodes: Int8Array; fineScales: Float32Array } {
    const at = this.coarse.rowAt(0);
    const fineAt = this.fine.rowAt(0);
    return {
      codes: this.coarse.bytes.subarray(at, at + rows * this.stride),
      scales: this.scales.subarray(0, rows),
      fineCodes: this.fine.bytes.subarray(fineAt, fineAt + rows * this.stride),
      fineScales: this.fineScales.subarray(0, rows),
    };
  }

  /** Loads rows {@link CodeRows.export} wrote; without residuals (an older index) the fine scores are the first codes'. */
  import(codes: Int8Array, scales: Float32Array, fine?: { codes: Int8Array; scales: Float32Array }): void {
    this.reserve(scales.length);
    this.coarse.bytes.set(codes, this.coarse.rowAt(0));
    this.scales.set(scales);
    if (fine === undefined) return;
    this.fine.bytes.set(fine.codes, this.fine.rowAt(0));
    this.fineScales.set(fine.scales);
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
