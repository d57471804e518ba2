import type { MemoryLevel } from "./memory-level.js";

/** What changed in a memory: told to {@link HierarchicalMemory.onChange} listeners (the audit log's source). */
export interface MemoryChange {
  action: "create" | "update" | "delete";
  id: string;
  level: MemoryLevel;
  /** The owning actor, for an actor's memory. */
  actor?: string;
  /** Why: stored, reinforced, merged, distilled, item (store put), value (learned), evicted, deleted, pruned (by a policy or consolidation). */
  reason: "stored" | "reinforced" | "merged" | "distilled" | "item" | "value" | "evicted" | "deleted" | "pruned";
}

/** Told about every change of a memory. */
export type ChangeListener = (change: MemoryChange) => void;
