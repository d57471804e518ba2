import type { MemoryEntry } from "./memory-entry.js";

/**
 * Whether an actor (null: the whole team) may read a memory: its own, or one that belongs to no
 * actor. One rule for every read path, so retrieval, search and rendering cannot disagree.
 */
export function isVisible(entry: Readonly<MemoryEntry>, actor: string | null): boolean {
  return entry.metadata.actor === undefined || entry.metadata.actor === actor;
}
