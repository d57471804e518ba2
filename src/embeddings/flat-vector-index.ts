import { JottyError } from "../errors/index.js";
import { DOT_PRODUCT_WASM } from "./kernel/dot-product-wasm.js";
import type { VectorFilter, VectorIndex, VectorMatch, VectorTags } from "./vector-index.js";

type DotMany = (query: number, rows: number, count: number, stride: number, out: number) => void;

const PAGE_BYTES = 65_536;
const MAX_PAGES = 65_536;
const TAG_FIELDS = ["level", "actor", "goal"] as const;
type TagField = (typeof TAG_FIELDS)[number];

let compiledKernel: WebAssembly.Module | null | undefined;

/** The SIMD kernel, compiled once per process; null where WebAssembly SIMD is missing. */
function kernelModule(): WebAssembly.Module | null {
  if (compiledKernel === undefined) {
    const bytes = Buffer.from(DOT_PRODUCT_WASM, "base64");
    compiledKernel = WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  }
  return compiledKernel ?? null;
}

/** Options of {@link FlatVectorIndex}. */
export interface FlatVectorIndexOptions {
  /** Length of every vector. */
  dimensions: number;
  /** Initial number of rows reserved. @default 1024 */
  initialCapacity?: number;
  /** Score with the WebAssembly SIMD kernel when available; false forces the JavaScript loop. @default true */
  simd?: boolean;
}

/** Interns tag values as small integers so a filter is an array lookup per row. */
class TagColumn {
  private readonly codes = new Map<string, number>();
  values: Int32Array;

  constructor(capacity: number) {
    this.values = new Int32Array(capacity).fill(-1);
  }

  code(value: string | undefined): number {
    if (value === undefined) return -1;
    let code = this.codes.get(value);
    if (code === undefined) {
      code = this.codes.size;
      this.codes.set(value, code);
    }
    return code;
  }

  /** A lookup table of allowed codes, or null when the filter does not constrain this field. */
  allowed(wanted: string | readonly string[] | undefined): Uint8Array | null {
    if (wanted === undefined) return null;
    const table = new Uint8Array(this.codes.size + 1);
    for (const value of typeof wanted === "string" ? [wanted] : wanted) {
      const code = this.codes.get(value);
      if (code !== undefined) table[code] = 1;
    }
    return table;
  }

  grow(capacity: number): void {
    const next = new Int32Array(capacity).fill(-1);
    next.set(this.values);
    this.values = next;
  }
}

/**
 * Exact top-k cosine search over all vectors, stored row after row in WebAssembly memory and
 * scored four lanes at a time by a SIMD kernel (a plain JavaScript loop where SIMD is missing).
 * Removal moves the last row into the freed slot, so rows stay contiguous.
 *
 * Vectors are normalised on add, so a score is a cosine similarity.
 */
export class FlatVectorIndex implements VectorIndex {
  readonly dimensions: number;
  /** Whether scores come from the SIMD kernel. */
  readonly simd: boolean;
  private readonly stride: number;
  private readonly memory: WebAssembly.Memory;
  private readonly dotMany: DotMany | undefined;
  private capacity: number;
  private count = 0;
  private ids: string[] = [];
  private readonly slots = new Map<string, number>();
  private readonly tags: Record<TagField, TagColumn>;

  /**
   * @param options - dimensions, initial capacity, simd.
   * @throws JottyError `invalid_argument` when dimensions is not a positive integer.
   */
  constructor(options: FlatVectorIndexOptions) {
    if (!Number.isInteger(options.dimensions) || options.dimensions < 1) {
      throw new JottyError({
        code: "invalid_argument",
        message: `A vector index needs a positive integer dimension, got ${options.dimensions}.`,
        details: { dimensions: options.dimensions },
      });
    }
    this.dimensions = options.dimensions;
    this.stride = Math.ceil(options.dimensions / 4) * 4;
    this.capacity = Math.max(16, options.initialCapacity ?? 1024);
    const module = options.simd === false ? null : kernelModule();
    if (module === null) {
      this.memory = new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES });
      this.dotMany = undefined;
    } else {
      const instance = new WebAssembly.Instance(module, {});
      this.memory = instance.exports.memory as WebAssembly.Memory;
      this.dotMany = instance.exports.dotMany as DotMany;
    }
    this.simd = this.dotMany !== undefined;
    this.tags = { level: new TagColumn(this.capacity), actor: new TagColumn(this.capacity), goal: new TagColumn(this.capacity) };
    this.ensureBytes();
  }

  get size(): number {
    return this.count;
  }

  // Layout (in floats): [query: stride][rows: capacity × stride][scores: capacity]
  private get rowsOffset(): number {
    return this.stride;
  }

  private get scoresOffset(): number {
    return this.stride + this.capacity * this.stride;
  }

  private ensureBytes(): void {
    const needed = (this.scoresOffset + this.capacity) * 4;
    const have = this.memory.buffer.byteLength;
    if (needed > have) {
      const pages = Math.ceil((needed - have) / PAGE_BYTES);
      if (have / PAGE_BYTES + pages > MAX_PAGES) {
        throw new JottyError({
          code: "capacity_exceeded",
          message: `The vector index cannot grow past 4 GiB (${this.capacity} vectors of ${this.dimensions} dimensions); lower the memory capacities or the embedding dimensions.`,
          details: { capacity: this.capacity, dimensions: this.dimensions },
        });
      }
      this.memory.grow(pages);
    }
  }

  private floats(): Float32Array {
    return new Float32Array(this.memory.buffer);
  }

  private grow(): void {
    // Rows stay where they are; only the scratch scores area moves past the larger rows area.
    this.capacity *= 2;
    this.ensureBytes();
    for (const field of TAG_FIELDS) this.tags[field].grow(this.capacity);
  }

  private writeRow(slot: number, vector: ArrayLike<number>): void {
    if (vector.length !== this.dimensions) {
      throw new JottyError({
        code: "invalid_argument",
        message: `A vector of length ${vector.length} does not fit an index of ${this.dimensions} dimensions; use the same embedder for every vector.`,
        details: { length: vector.length, dimensions: this.dimensions },
      });
    }
    let norm = 0;
    for (let index = 0; index < this.dimensions; index += 1) norm += (vector[index] as number) ** 2;
    if (!Number.isFinite(norm)) {
      throw new JottyError({ code: "invalid_argument", message: "A vector holds a value that is not a finite number." });
    }
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    const floats = this.floats();
    const base = this.rowsOffset + slot * this.stride;
    for (let index = 0; index < this.dimensions; index += 1) floats[base + index] = (vector[index] as number) * scale;
    for (let index = this.dimensions; index < this.stride; index += 1) floats[base + index] = 0;
  }

  add(id: string, vector: ArrayLike<number>, tags: VectorTags = {}): void {
    let slot = this.slots.get(id);
    if (slot === undefined) {
      if (this.count === this.capacity) this.grow();
      slot = this.count;
      this.writeRow(slot, vector);
      this.count += 1;
      this.slots.set(id, slot);
      this.ids[slot] = id;
    } else {
      this.writeRow(slot, vector);
    }
    for (const field of TAG_FIELDS) this.tags[field].values[slot] = this.tags[field].code(tags[field]);
  }

  remove(id: string): boolean {
    const slot = this.slots.get(id);
    if (slot === undefined) return false;
    const last = this.count - 1;
    if (slot !== last) {
      const floats = this.floats();
      const from = this.rowsOffset + last * this.stride;
      floats.copyWithin(this.rowsOffset + slot * this.stride, from, from + this.stride);
      const movedId = this.ids[last] as string;
      this.ids[slot] = movedId;
      this.slots.set(movedId, slot);
      for (const field of TAG_FIELDS) this.tags[field].values[slot] = this.tags[field].values[last] as number;
    }
    this.ids.length = last;
    this.slots.delete(id);
    this.count = last;
    return true;
  }

  has(id: string): boolean {
    return this.slots.has(id);
  }

  get(id: string): Float32Array | undefined {
    const slot = this.slots.get(id);
    if (slot === undefined) return undefined;
    const base = this.rowsOffset + slot * this.stride;
    return this.floats().slice(base, base + this.dimensions);
  }

  clear(): void {
    this.count = 0;
    this.ids = [];
    this.slots.clear();
  }

  /** Cosine of the query with every row, written into the scores area. */
  private scoreAll(query: ArrayLike<number>): Float32Array {
    const floats = this.floats();
    let norm = 0;
    for (let index = 0; index < this.dimensions; index += 1) norm += (query[index] as number) ** 2;
    const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
    for (let index = 0; index < this.dimensions; index += 1) floats[index] = (query[index] as number) * scale;
    for (let index = this.dimensions; index < this.stride; index += 1) floats[index] = 0;
    const scoresOffset = this.scoresOffset;
    if (this.dotMany !== undefined) {
      this.dotMany(0, this.rowsOffset * 4, this.count, this.stride, scoresOffset * 4);
    } else {
      const stride = this.stride;
      for (let row = 0, base = this.rowsOffset; row < this.count; row += 1, base += stride) {
        let a0 = 0;
        let a1 = 0;
        let a2 = 0;
        let a3 = 0;
        for (let index = 0; index < stride; index += 4) {
          a0 += (floats[index] as number) * (floats[base + index] as number);
          a1 += (floats[index + 1] as number) * (floats[base + index + 1] as number);
          a2 += (floats[index + 2] as number) * (floats[base + index + 2] as number);
          a3 += (floats[index + 3] as number) * (floats[base + index + 3] as number);
        }
        floats[scoresOffset + row] = a0 + a1 + a2 + a3;
      }
    }
    return floats.subarray(scoresOffset, scoresOffset + this.count);
  }

  search(query: ArrayLike<number>, { k, filter }: { k: number; filter?: VectorFilter }): VectorMatch[] {
    if (query.length !== this.dimensions) {
      throw new JottyError({
        code: "invalid_argument",
        message: `A query of length ${query.length} does not fit an index of ${this.dimensions} dimensions; embed it with the index's embedder.`,
        details: { length: query.length, dimensions: this.dimensions },
      });
    }
    const limit = Math.min(Math.max(0, Math.floor(k)), this.count);
    if (limit === 0) return [];
    const scores = this.scoreAll(query);
    const allowed = TAG_FIELDS.map((field) => [this.tags[field].values, this.tags[field].allowed(filter?.[field])] as const).filter(
      (pair): pair is readonly [Int32Array, Uint8Array] => pair[1] !== null,
    );
    const predicate = filter?.predicate;
    const passes = (slot: number): boolean => {
      for (const [codes, table] of allowed) {
        const code = codes[slot] as number;
        if (code < 0 || table[code] !== 1) return false;
      }
      return predicate === undefined || predicate(this.ids[slot] as string);
    };
    if (limit > 64) {
      // Large k: collect every passing row, then sort once (insertion would cost O(n·k)).
      const slots: number[] = [];
      for (let slot = 0; slot < this.count; slot += 1) if (passes(slot)) slots.push(slot);
      slots.sort((a, b) => (scores[b] as number) - (scores[a] as number));
      return slots.slice(0, limit).map((slot) => ({ id: this.ids[slot] as string, score: scores[slot] as number }));
    }
    // Small k: the best `limit` so far, kept sorted descending.
    const topScores: number[] = [];
    const topSlots: number[] = [];
    let floor = -Infinity;
    for (let slot = 0; slot < this.count; slot += 1) {
      const score = scores[slot] as number;
      if (topScores.length === limit && score <= floor) continue;
      if (!passes(slot)) continue;
      let position = topScores.length;
      while (position > 0 && (topScores[position - 1] as number) < score) position -= 1;
      topScores.splice(position, 0, score);
      topSlots.splice(position, 0, slot);
      if (topScores.length > limit) {
        topScores.pop();
        topSlots.pop();
      }
      if (topScores.length === limit) floor = topScores[limit - 1] as number;
    }
    return topSlots.map((slot, index) => ({ id: this.ids[slot] as string, score: topScores[index] as number }));
  }
}
