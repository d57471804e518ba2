import { embedOne } from "./embed-one.js";
import { searchFilter } from "./is-visible.js";
import type { MemoryEntry } from "./memory-entry.js";
import type { MemoryLevel } from "./memory-level.js";
import type { MemoryParts } from "./memory-parts.js";

/** What {@link HierarchicalMemory.similar} is asked. */
export interface SimilarQuery {
  text: string;
  k: number;
  levels?: readonly MemoryLevel[];
  actors?: readonly string[];
  /** Read on behalf of this actor (null: the whole team): other actors' memories are left out. */
  visibleTo?: string | null;
  predicate?: (entry: Readonly<MemoryEntry>) => boolean;
}

/** A memory found by similarity, copied, with its cosine to the text. */
export interface SimilarMemory {
  entry: MemoryEntry;
  score: number;
}

/**
 * Memories most similar to a text by cosine alone, best first (the body of
 * {@link HierarchicalMemory.similar}). Searches with a predicate skip the retrieval cache: a
 * function cannot be part of the cache key.
 */
export async function similarMemories(
  { table, embedder, searches }: Pick<MemoryParts, "table" | "embedder" | "searches">,
  { text, k, levels, actors, visibleTo, predicate }: SimilarQuery,
): Promise<SimilarMemory[]> {
  const vector = await embedOne(embedder, text);
  if (table.index === undefined) return [];
  const matches =
    predicate === undefined
      ? searches.search({ table, index: table.index, key: text, vector, k, levels, actors, visibleTo })
      : table.index.search(vector, { k, filter: { ...searchFilter(levels, actors, visibleTo), predicate: (id) => predicate(table.get(id) as MemoryEntry) } });
  return matches.map((match) => ({ entry: structuredClone(table.get(match.id) as MemoryEntry), score: match.score }));
}
