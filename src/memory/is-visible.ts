import type { VectorFilter } from "../embeddings/index.js";
import type { MemoryEntry } from "./memory-entry.js";
import type { MemoryLevel } from "./memory-level.js";

/**
 * Whether an actor (null: the whole team) may read a memory: its own, or one that belongs to no
 * actor. One rule for every read path, so retrieval, search and rendering cannot disagree.
 */
export function isVisible(entry: Readonly<MemoryEntry>, actor: string | null): boolean {
  return entry.metadata.actor === undefined || entry.metadata.actor === actor;
}

/**
 * The same rule as the actor values a vector index filter allows (`null`: no actor), for a
 * search limited to `actors` (each memory must belong to one of them), read on behalf of
 * `visibleTo`, or both; undefined when neither limits it. The index's actor tags are the
 * memories' own actors ({@link MemoryTable}), so the index applies the rule as it walks,
 * instead of asking for each memory it meets.
 */
export function visibleActors(actors: readonly string[] | undefined, visibleTo: string | null | undefined): ReadonlyArray<string | null> | undefined {
  if (visibleTo === undefined) return actors;
  if (actors === undefined) return visibleTo === null ? [null] : [visibleTo, null];
  return actors.filter((actor) => actor === visibleTo);
}

/** The index filter of a memory search: its levels, and the actors {@link visibleActors} allows. */
export function searchFilter(levels: readonly MemoryLevel[] | undefined, actors: readonly string[] | undefined, visibleTo: string | null | undefined): VectorFilter {
  const actor = visibleActors(actors, visibleTo);
  return { ...(levels === undefined ? {} : { level: levels }), ...(actor === undefined ? {} : { actor }) };
}
