import { CONFIG_DEFAULTS } from "../config/index.js";
import { JottyError } from "../errors/index.js";
import { FlatVectorIndex } from "./flat-vector-index.js";
import { zeroHnswCounters, type HnswCounters } from "./hnsw-counters.js";
import { grownCapacity, HnswVectorIndex, type HnswVectorIndexOptions } from "./hnsw-vector-index.js";
import { joined, packed, unpackSections, type Packed } from "./index-bytes.js";
import type { VectorFilter, VectorIndex, VectorMatch, VectorTags } from "./vector-index.js";

/**
 * Options of {@link TieredVectorIndex}: the approximate index's settings (`m`,
 * `efConstruction`, `efSearch`, `seed`, `simd`) and when it takes over — the shape of the
 * config's `memory.index`.
 */
export interface TieredVectorIndexOptions extends Omit<HnswVectorIndexOptions, "initialCapacity"> {
  /**
   * Vectors from which the approximate index takes over from the exact one (once crossed, it
   * stays approximate); 0 starts approximate, Infinity never switches. @default the config's `memory.index.approximateFrom` (20,000)
   */
  approximateFrom?: number;
}

/**
 * The memory's vector index: exact ({@link FlatVectorIndex}) while small, approximate
 * ({@link HnswVectorIndex}) from `approximateFrom` vectors on, built once from the exact rows
 * when the size is crossed. Both sit behind one {@link VectorIndex} contract, and the whole
 * index persists as bytes ({@link TieredVectorIndex.toBytes}), so a restart neither embeds nor
 * builds again.
 */
export class TieredVectorIndex implements VectorIndex {
  readonly dimensions: number;
  readonly approximateFrom: number;
  private readonly options: TieredVectorIndexOptions;
  private inner: FlatVectorIndex | HnswVectorIndex;

  /**
   * @param inner - an index loaded from bytes to start from (see {@link TieredVectorIndex.fromBytes}).
   * @throws JottyError `invalid_argument` for a negative or fractional `approximateFrom`.
   */
  constructor(options: TieredVectorIndexOptions, inner?: FlatVectorIndex | HnswVectorIndex) {
    const approximateFrom = options.approximateFrom ?? CONFIG_DEFAULTS.memory.index.approximateFrom;
    if (!(approximateFrom === Infinity || (Number.isInteger(approximateFrom) && approximateFrom >= 0))) {
      throw new JottyError({ code: "invalid_argument", message: `approximateFrom must be a whole number of vectors (or Infinity), got ${approximateFrom}.`, details: { approximateFrom } });
    }
    this.options = options;
    this.dimensions = options.dimensions;
    this.approximateFrom = approximateFrom;
    this.inner = inner ?? (approximateFrom === 0 ? this.approximate(16) : new FlatVectorIndex({ dimensions: options.dimensions, ...(options.simd === undefined ? {} : { simd: options.simd }) }));
  }

  /** `exact` or `approximate`: which index answers now. */
  get kind(): "exact" | "approximate" {
    return this.inner instanceof HnswVectorIndex ? "approximate" : "exact";
  }

  get size(): number {
    return this.inner.size;
  }

  /** Whether scores come from the SIMD kernel. */
  get simd(): boolean {
    return this.inner.simd;
  }

  /** The approximate index's counts of searches that went another way (zeros while exact). */
  get counters(): HnswCounters {
    return this.inner instanceof HnswVectorIndex ? { ...this.inner.counters } : zeroHnswCounters();
  }

  add(id: string, vector: ArrayLike<number>, tags?: VectorTags): void {
    this.inner.add(id, vector, tags);
    if (this.inner instanceof FlatVectorIndex && this.inner.size >= this.approximateFrom) {
      const approximate = this.approximate(grownCapacity(this.inner.size));
      for (const entry of this.inner.entries()) approximate.add(entry.id, entry.vector, entry.tags);
      this.inner = approximate;
    }
  }

  remove(id: string): boolean {
    return this.inner.remove(id);
  }

  has(id: string): boolean {
    return this.inner.has(id);
  }

  holdsExactly(ids: readonly string[]): boolean {
    return this.inner.holdsExactly(ids);
  }

  get(id: string): Float32Array | undefined {
    return this.inner.get(id);
  }

  search(query: ArrayLike<number>, options: { k: number; filter?: VectorFilter; effort?: number; beforeAdd?: boolean }): VectorMatch[] {
    return this.inner.search(query, options);
  }

  clear(): void {
    this.inner = new TieredVectorIndex(this.options).inner;
  }

  /** Every vector with its tags. */
  entries(): IterableIterator<{ id: string; vector: Float32Array; tags: VectorTags }> {
    return this.inner.entries();
  }

  /** The whole index as bytes: {@link TieredVectorIndex.fromBytes} loads it as it was. */
  toBytes(): Uint8Array {
    return joined(this.toPacked());
  }

  /** The bytes of {@link TieredVectorIndex.toBytes} laid out over the index's own arrays, to be written before it changes. */
  toPacked(): Packed {
    return packed({ format: "jotty-tiered", version: 1, kind: this.kind }, [this.inner.toPacked()]);
  }

  /**
   * Loads an index {@link TieredVectorIndex.toBytes} wrote, under the given options (an exact
   * index already past `approximateFrom` becomes approximate on its next add). With
   * `dimensions`, the stored vectors must have that many.
   *
   * @throws JottyError `snapshot_invalid` when the bytes are not such an index or hold vectors of other dimensions.
   */
  static fromBytes(bytes: Uint8Array, options: Omit<TieredVectorIndexOptions, "dimensions"> & { dimensions?: number }): TieredVectorIndex {
    const { header, sections } = unpackSections(bytes, "vector index");
    if (header.format !== "jotty-tiered" || header.version !== 1 || sections.length !== 1) {
      throw new JottyError({ code: "snapshot_invalid", message: "The stored vector index is not a version 1 Jotty index. Save the state again to rewrite it." });
    }
    const bytesOfInner = sections[0] as Uint8Array;
    const simd = options.simd === undefined ? {} : { simd: options.simd };
    const inner =
      header.kind === "approximate"
        ? HnswVectorIndex.fromBytes(bytesOfInner, { ...simd, ...(options.efSearch === undefined ? {} : { efSearch: options.efSearch }) })
        : FlatVectorIndex.fromBytes(bytesOfInner, simd);
    if (options.dimensions !== undefined && inner.dimensions !== options.dimensions) {
      throw new JottyError({
        code: "snapshot_invalid",
        message: `The stored vector index holds vectors of ${inner.dimensions} dimensions, the embedder makes ${options.dimensions}; they cannot be searched together.`,
      });
    }
    return new TieredVectorIndex({ ...options, dimensions: inner.dimensions }, inner);
  }

  private approximate(capacity: number): HnswVectorIndex {
    const { approximateFrom: _approximateFrom, ...hnsw } = this.options;
    return new HnswVectorIndex({ ...hnsw, dimensions: this.dimensions, initialCapacity: capacity });
  }
}
