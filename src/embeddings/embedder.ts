import type { EmbeddingsInterface } from "@langchain/core/embeddings";
import { CachedEmbedder } from "./cached-embedder.js";
import { HashingEmbedder } from "./hashing-embedder.js";

/** Anything that turns text into vectors: LangChain's `Embeddings` interface. */
export type Embedder = EmbeddingsInterface;

/**
 * A name for an embedder and its settings, kept with stored vectors so that vectors made
 * by another embedder are recomputed instead of compared with the wrong ones.
 */
export function embedderId(embedder: Embedder): string {
  if (embedder instanceof CachedEmbedder) return embedderId(embedder.inner);
  if (embedder instanceof HashingEmbedder) return embedder.id;
  const described = embedder as { model?: unknown; dimensions?: unknown };
  const model = typeof described.model === "string" ? described.model : "unknown";
  const dimensions = typeof described.dimensions === "number" ? `-${described.dimensions}` : "";
  return `${embedder.constructor.name}:${model}${dimensions}`;
}

/**
 * Embeds texts as Float32Arrays: from the cache of a {@link CachedEmbedder}, synchronously for
 * the hashing embedder (the hot path), through `embedDocuments` for any other.
 */
export async function embedTexts(embedder: Embedder, texts: readonly string[]): Promise<Float32Array[]> {
  if (texts.length === 0) return [];
  if (embedder instanceof CachedEmbedder) return embedder.vectors(texts);
  if (embedder instanceof HashingEmbedder) return texts.map((text) => embedder.embed(text));
  const vectors = await embedder.embedDocuments([...texts]);
  return vectors.map((vector) => Float32Array.from(vector));
}
