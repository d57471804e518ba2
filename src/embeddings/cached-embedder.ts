import type { EmbeddingsInterface } from "@langchain/core/embeddings";
import { LRUCache } from "lru-cache";
import { HashingEmbedder } from "./hashing-embedder.js";
import { CONFIG_DEFAULTS } from "../config/index.js";

/** Hits and misses of a cache. */
export interface CacheStats {
  hits: number;
  misses: number;
  /** hits / (hits + misses), 0 before the first lookup. */
  hitRate: number;
  /** Entries held now. */
  size: number;
  /** Entries it may hold. */
  capacity: number;
}

/** The stats of a cache from its counts. */
export function cacheStats(hits: number, misses: number, size: number, capacity: number): CacheStats {
  const lookups = hits + misses;
  return { hits, misses, hitRate: lookups === 0 ? 0 : hits / lookups, size, capacity };
}

/**
 * An embedder that remembers the vectors of the texts it embedded, least recently used out
 * first (`lru-cache`), in front of any other embedder. Texts are keyed exactly as given. The
 * vectors it returns are shared: read them, never write into them.
 *
 * @example
 * ```ts
 * const embedder = new CachedEmbedder(new HashingEmbedder(), { capacity: 10_000 });
 * await embedder.embedQuery("revenue per day"); // embedded
 * await embedder.embedQuery("revenue per day"); // from the cache
 * embedder.stats().hitRate; // 0.5
 * ```
 */
export class CachedEmbedder implements EmbeddingsInterface {
  /** The embedder asked on a miss. */
  readonly inner: EmbeddingsInterface;
  private readonly cache: LRUCache<string, Float32Array>;
  private hits = 0;
  private misses = 0;

  constructor(inner: EmbeddingsInterface, { capacity = CONFIG_DEFAULTS.cache.embeddings }: { capacity?: number } = {}) {
    this.inner = inner instanceof CachedEmbedder ? inner.inner : inner;
    this.cache = new LRUCache({ max: Math.max(1, capacity) });
  }

  /** Vectors of the texts, from the cache where it has them; the misses are embedded in one call. */
  async vectors(texts: readonly string[]): Promise<Float32Array[]> {
    const result: Array<Float32Array | undefined> = texts.map((text) => this.cache.get(text));
    const missing = [...new Set(texts.filter((_, position) => result[position] === undefined))];
    this.misses += missing.length;
    this.hits += texts.length - missing.length;
    if (missing.length > 0) {
      const fresh =
        this.inner instanceof HashingEmbedder
          ? missing.map((text) => (this.inner as HashingEmbedder).embed(text))
          : (await this.inner.embedDocuments(missing)).map((vector) => Float32Array.from(vector));
      missing.forEach((text, position) => this.cache.set(text, fresh[position] as Float32Array));
      const byText = new Map(missing.map((text, position) => [text, fresh[position] as Float32Array]));
      texts.forEach((text, position) => {
        result[position] ??= byText.get(text);
      });
    }
    return result as Float32Array[];
  }

  async embedDocuments(documents: string[]): Promise<number[][]> {
    return (await this.vectors(documents)).map((vector) => Array.from(vector));
  }

  async embedQuery(document: string): Promise<number[]> {
    return Array.from((await this.vectors([document]))[0] as Float32Array);
  }

  /** Hits, misses and hit rate since it was made (or last reset). */
  stats(): CacheStats {
    return cacheStats(this.hits, this.misses, this.cache.size, this.cache.max);
  }

  /** Starts the hit and miss counts afresh (the cached vectors stay). */
  resetStats(): void {
    this.hits = 0;
    this.misses = 0;
  }
}

/** The embedder that actually makes the vectors: the inner one of a cache, else itself. */
export function baseEmbedder(embedder: EmbeddingsInterface): EmbeddingsInterface {
  return embedder instanceof CachedEmbedder ? embedder.inner : embedder;
}
