import { LRUCache } from "lru-cache";
import { cacheStats, type CacheStats, type VectorIndex, type VectorMatch } from "../embeddings/index.js";
import { invalidArgument } from "./invalid-argument.js";
import { searchFilter } from "./is-visible.js";
import type { MemoryLevel } from "./memory-level.js";
import type { MemoryTable } from "./memory-table.js";

/** One nearest-neighbour search of {@link SearchCache.search}. */
export interface CachedSearch {
  table: MemoryTable;
  index: VectorIndex;
  /** The text searched for: searches of the same text with the same filters are one. */
  key: string;
  vector: Float32Array;
  k: number;
  levels?: readonly MemoryLevel[] | undefined;
  actors?: readonly string[] | undefined;
  /** Read on behalf of this actor (null: the whole team). */
  visibleTo?: string | null | undefined;
}

/**
 * Nearest-neighbour searches kept for repeated queries, least recently used out first. Each
 * remembers the versions of the levels it covered, so a write to a level makes exactly the
 * searches covering it stale, without the table having to know about the cache.
 */
export class SearchCache {
  private readonly searches: LRUCache<string, { stamp: string; matches: VectorMatch[] }> | undefined;
  private hits = 0;
  private misses = 0;

  /**
   * @param capacity - searches kept; 0 turns the cache off.
   * @throws JottyError `invalid_argument` unless it is a whole number ≥ 0.
   */
  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 0) throw invalidArgument(`retrievalCache must be a whole number ≥ 0 (0 turns it off), got ${capacity}.`);
    this.searches = capacity === 0 ? undefined : new LRUCache({ max: capacity });
  }

  /** Nearest neighbours of a query, from the cache when the same search was made since the last write to any level it covers. */
  search({ table, index, key, vector, k, levels, actors, visibleTo }: CachedSearch): VectorMatch[] {
    const filter = searchFilter(levels, actors, visibleTo);
    if (this.searches === undefined) return index.search(vector, { k, filter });
    const stamp = table.stamp(levels);
    // The actors a search may return are its key: the team's (null) and anyone's (no filter) differ.
    const cacheKey = JSON.stringify([key, k, levels ?? null, filter.actor ?? false]);
    const cached = this.searches.get(cacheKey);
    if (cached !== undefined && cached.stamp === stamp) {
      this.hits += 1;
      return cached.matches;
    }
    this.misses += 1;
    const matches = index.search(vector, { k, filter });
    this.searches.set(cacheKey, { stamp, matches });
    return matches;
  }

  /** Starts the hit and miss counts afresh (what the cache holds stays). */
  resetStats(): void {
    this.hits = 0;
    this.misses = 0;
  }

  /** Hits and misses (all zero when the cache is off). */
  stats(): CacheStats {
    return cacheStats(this.hits, this.misses, this.searches?.size ?? 0, this.searches?.max ?? 0);
  }
}
