import type { Packed } from "./index-bytes.js";

/** Labels a vector carries, for filtered search. */
export interface VectorTags {
  /** Memory level, e.g. `episodic`. */
  level?: string;
  /** Owning actor. */
  actor?: string;
  /** Goal the vector was stored under. */
  goal?: string;
}

/** The values a filter allows for one tag field; `null` stands for a vector without that tag. */
export type TagValues = string | null | readonly (string | null)[];

/**
 * Which vectors a search may return: each given field must match one of its values (`null`:
 * the field is not set), so `{ actor: ["planner", null] }` is the planner's vectors and those
 * of no actor. An empty list lets nothing through.
 */
export interface VectorFilter {
  level?: TagValues;
  actor?: TagValues;
  goal?: TagValues;
  /** A last check on the id, for conditions the tags cannot express. */
  predicate?: (id: string) => boolean;
}

/** One search result: an id and its cosine similarity to the query. */
export interface VectorMatch {
  id: string;
  score: number;
}

/**
 * The contract of a vector index, so that an approximate index can replace the exact one
 * without touching callers. Scores are cosine similarities (an approximate index's within
 * about 0.01); vectors are normalised on add.
 */
export interface VectorIndex {
  /** Length of every vector. */
  readonly dimensions: number;
  /** Number of vectors held. */
  readonly size: number;
  /** Adds or replaces the vector of `id`. */
  add(id: string, vector: ArrayLike<number>, tags?: VectorTags): void;
  /** Removes `id`; returns whether it was there. */
  remove(id: string): boolean;
  /** Whether `id` is held. */
  has(id: string): boolean;
  /** Whether exactly these ids (unique) are held; an index without it is checked with `size` and `has`. */
  holdsExactly?(ids: readonly string[]): boolean;
  /** A copy of the (normalised) vector of `id`, or undefined. */
  get(id: string): Float32Array | undefined;
  /**
   * The `k` most similar vectors passing the filter, best first. `effort` tells an approximate
   * index how many candidates to keep (its own setting by default, never fewer than `k`); an
   * exact index ignores it. `beforeAdd` says the query is a vector about to be added: an
   * approximate index then searches (unfiltered) at least as widely as its insert does and
   * keeps what it found, so that the add that follows links the vector in without searching again.
   */
  search(query: ArrayLike<number>, options: { k: number; filter?: VectorFilter; effort?: number; beforeAdd?: boolean }): VectorMatch[];
  /** Removes everything. */
  clear(): void;
  /** The whole index as bytes, for an index that can be persisted and loaded without re-embedding. */
  toBytes?(): Uint8Array;
  /**
   * The same bytes laid out over the index's own arrays, not yet copied, so a caller packing
   * them into a larger buffer copies them once; valid until the index changes.
   */
  toPacked?(): Packed;
}
