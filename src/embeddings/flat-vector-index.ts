import { JottyError } from "../errors/index.js";
import { joined, packed, typedView, unpackSections, type Packed } from "./index-bytes.js";
import { growMemory, instantiateKernel } from "./kernel/kernel-module.js";
import { assertFits } from "./assert-fits.js";
import { sameIds } from "./same-ids.js";
import { mostPassing, rowFilter, TAG_FIELDS, TagColumn, type TagField } from "./tag-column.js";
import type { VectorFilter, VectorIndex, VectorMatch, VectorTags } from "./vector-index.js";

type DotMany = (query: number, rows: number, count: number, stride: number, out: number) => void;

/** Options of {@link FlatVectorIndex}. */
export interface FlatVectorIndexOptions {
  /** Length of every vector. */
  dimensions: number;
  /** Initial number of rows reserved. @default 1024 */
  initialCapacity?: number;
  /** Score with the WebAssembly SIMD kernel when available; false forces the JavaScript loop. @default true */
  simd?: boolean;
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
  private tags: Record<TagField, TagColumn>;

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
    const { memory, kernel } = instantiateKernel(options.simd !== false);
    this.memory = memory;
    this.dotMany = kernel?.dotMany as DotMany | undefined;
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
    growMemory(this.memory, (this.scoresOffset + this.capacity) * 4, { capacity: this.capacity, dimensions: this.dimensions });
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
    assertFits(vector, this.dimensions, "vector");
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
      for (const field of TAG_FIELDS) this.tags[field].release(slot);
    }
    for (const field of TAG_FIELDS) this.tags[field].set(slot, tags[field]);
  }

  remove(id: string): boolean {
    const slot = this.slots.get(id);
    if (slot === undefined) return false;
    const last = this.count - 1;
    for (const field of TAG_FIELDS) this.tags[field].release(slot);
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

  holdsExactly(ids: readonly string[]): boolean {
    return sameIds(this.ids, { used: this.count, live: this.count, has: (id) => this.slots.has(id) }, ids);
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
    for (const field of TAG_FIELDS) this.tags[field].recount(() => false, 0);
  }

  /** Every vector with its tags, in row order. */
  *entries(): IterableIterator<{ id: string; vector: Float32Array; tags: VectorTags }> {
    for (let slot = 0; slot < this.count; slot += 1) {
      const id = this.ids[slot] as string;
      const tags: VectorTags = {};
      for (const field of TAG_FIELDS) {
        const code = this.tags[field].values[slot] as number;
        if (code >= 0) tags[field] = this.tags[field].known[code] as string;
      }
      yield { id, vector: this.get(id) as Float32Array, tags };
    }
  }

  /** The whole index as bytes (ids, tags, rows): {@link FlatVectorIndex.fromBytes} loads it without re-embedding. */
  toBytes(): Uint8Array {
    return joined(this.toPacked());
  }

  /** The bytes of {@link FlatVectorIndex.toBytes} laid out over the index's own arrays, to be written before it changes. */
  toPacked(): Packed {
    const rows = this.floats().subarray(this.rowsOffset, this.rowsOffset + this.count * this.stride);
    const header = {
      format: "jotty-flat",
      version: 1,
      dimensions: this.dimensions,
      rows: this.count,
      ids: this.ids.slice(0, this.count),
      tags: Object.fromEntries(TAG_FIELDS.map((field) => [field, this.tags[field].known])),
    };
    return packed(header, [rows, ...TAG_FIELDS.map((field) => this.tags[field].values.subarray(0, this.count))]);
  }

  /**
   * Loads an index {@link FlatVectorIndex.toBytes} wrote.
   *
   * @throws JottyError `snapshot_invalid` when the bytes are not such an index.
   */
  static fromBytes(bytes: Uint8Array, options: Pick<FlatVectorIndexOptions, "simd"> = {}): FlatVectorIndex {
    const { header, sections } = unpackSections(bytes, "exact index");
    const invalid = (why: string): JottyError => new JottyError({ code: "snapshot_invalid", message: `The stored exact index cannot be read: ${why}. Save the state again to rewrite it.` });
    const { dimensions, rows, ids, tags } = header;
    if (header.format !== "jotty-flat" || header.version !== 1) throw invalid("it is not a version 1 flat index");
    if (!Number.isInteger(dimensions) || (dimensions as number) < 1 || !Number.isInteger(rows) || (rows as number) < 0) throw invalid("its sizes are not whole numbers");
    const count = rows as number;
    if (!Array.isArray(ids) || ids.length !== count || !ids.every((id) => typeof id === "string") || new Set(ids).size !== count) throw invalid("its ids do not match its rows");
    const index = new FlatVectorIndex({ dimensions: dimensions as number, initialCapacity: Math.max(16, count), ...options });
    const [floats, ...codes] = sections;
    if (floats?.byteLength !== count * index.stride * 4) throw invalid("its vectors do not match its rows");
    if (codes.length !== TAG_FIELDS.length || !codes.every((section) => section.byteLength === count * 4)) throw invalid("its tags do not match its rows");
    while (index.capacity < count) index.grow();
    index.floats().set(typedView(floats, Float32Array), index.rowsOffset);
    const names = (tags ?? {}) as Record<string, unknown>;
    TAG_FIELDS.forEach((field, position) => {
      const known = names[field];
      if (!Array.isArray(known) || !known.every((name) => typeof name === "string")) throw invalid(`its ${field} tags are not a list of names`);
      index.tags[field] = TagColumn.restore(known, typedView(codes[position] as Uint8Array, Int32Array), index.capacity);
      index.tags[field].recount(() => true, count);
    });
    (ids as string[]).forEach((id, slot) => {
      index.ids[slot] = id;
      index.slots.set(id, slot);
    });
    index.count = count;
    return index;
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
    assertFits(query, this.dimensions, "query");
    const limit = Math.min(Math.max(0, Math.floor(k)), this.count);
    if (limit === 0 || mostPassing(this.tags, filter) === 0) return [];
    const scores = this.scoreAll(query);
    const passes = rowFilter(this.tags, filter, (slot) => this.ids[slot] as string);
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
