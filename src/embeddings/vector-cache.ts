import { CachedEmbedder } from "./cached-embedder.js";
import type { Embedder } from "./embedder.js";

/**
 * Vectors of texts keyed with case and spacing folded, for components that compare the same
 * few texts often. It goes through the given {@link CachedEmbedder} (so its lookups count in
 * that cache's hit rate) or, for any other embedder, through a cache of its own.
 */
export class VectorCache {
  private readonly cached: CachedEmbedder;

  constructor(embedder: Embedder, capacity = 5000) {
    this.cached = embedder instanceof CachedEmbedder ? embedder : new CachedEmbedder(embedder, { capacity });
  }

  /** The vector of a text, embedded on first use. */
  async get(text: string): Promise<Float32Array> {
    const [vector] = await this.cached.vectors([text.trim().replace(/\s+/g, " ").toLowerCase()]);
    return vector as Float32Array;
  }
}
