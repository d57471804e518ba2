import { createHash } from "node:crypto";
import type { QPredictor } from "../learning/index.js";
import type { HierarchicalMemory, MemoryChange } from "../memory/index.js";

type ChangeAction = "create" | "update" | "delete" | "prune";

/**
 * The ids of learned entries created, updated, deleted and pruned since the last save: what
 * the audit log records with the save that persists them.
 */
export class ChangeLog {
  private changes: Record<ChangeAction, Set<string>> = ChangeLog.empty();

  private static empty(): Record<ChangeAction, Set<string>> {
    return { create: new Set(), update: new Set(), delete: new Set(), prune: new Set() };
  }

  /** Notes every change of these memories (`<memory>/<id>`) and of the Q-predictor (`q/<hash of its key>`). */
  watch(memories: readonly HierarchicalMemory[], q: QPredictor): void {
    for (const memory of memories) memory.onChange((change) => this.note(`${memory.name}/${change.id}`, change));
    q.onChange((change) => this.note(`q/${createHash("sha256").update(change.key).digest("hex").slice(0, 16)}`, change));
  }

  /** Notes a change of the entry `id`. */
  note(id: string, change: { action: "create" | "update" | "delete"; reason?: MemoryChange["reason"] }): void {
    const action: ChangeAction = change.reason === "pruned" ? "prune" : change.action;
    // An entry made and then changed since the last save counts as made; one removed is no longer updated.
    if (action === "update" && this.changes.create.has(id)) return;
    if (action === "delete" || action === "prune") this.changes.update.delete(id);
    this.changes[action].add(id);
  }

  /** The audit records of the changes noted, one per kind of change, ids sorted. */
  audit(): Array<{ action: ChangeAction; ids: string[]; details: { count: number } }> {
    return (["create", "update", "delete", "prune"] as const).flatMap((action) => {
      const ids = [...this.changes[action]].sort();
      return ids.length === 0 ? [] : [{ action, ids, details: { count: ids.length } }];
    });
  }

  /** Forgets the changes noted: a save persisted them. */
  clear(): void {
    this.changes = ChangeLog.empty();
  }
}
