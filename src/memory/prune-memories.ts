import { z } from "zod";
import { PrunePolicySchema } from "../config/index.js";
import { issueList, JottyError } from "../errors/index.js";
import type { MemoryEntry } from "./memory-entry.js";
import type { MemoryLevel } from "./memory-level.js";
import type { MemoryParts } from "./memory-parts.js";

const DAY = 86_400_000;

/** A rule for {@link HierarchicalMemory.prune} (schema in the config, where schedules name them). */
export type PrunePolicy = z.input<typeof PrunePolicySchema>;
/** The schema of a {@link PrunePolicy}, exported with the policy so the memory's API names both. */
export { PrunePolicySchema };

/** What {@link HierarchicalMemory.prune} removed (or, in a dry run, would remove). */
export interface PruneReport {
  dryRun: boolean;
  removed: Array<{ id: string; level: MemoryLevel; reasons: string[] }>;
  /** Memories left. */
  remaining: number;
}

/**
 * Removes the memories any policy marks, never a protected one (the body of
 * {@link HierarchicalMemory.prune}); with `dryRun`, only reports them.
 *
 * @throws JottyError `invalid_argument` for a bad policy (nothing is removed).
 */
export function pruneMemories(
  { table, clock }: Pick<MemoryParts, "table" | "clock">,
  { policies, dryRun }: { policies: readonly PrunePolicy[]; dryRun: boolean },
): PruneReport {
  const parsed = z.array(PrunePolicySchema).min(1).safeParse(policies);
  if (!parsed.success) {
    throw new JottyError({
      code: "invalid_argument",
      message: `Bad prune policies: ${issueList(parsed.error, { root: "(root)" }).join("; ")}. Give at least one of age, value, usage, budget.`,
    });
  }
  const now = clock.now();
  const best = (entry: MemoryEntry): number | undefined => {
    let top: number | undefined;
    for (const goal of Object.values(entry.values)) if (goal.visits > 0 && (top === undefined || goal.value > top)) top = goal.value;
    return top;
  };
  const reasons = new Map<string, string[]>();
  const mark = (entry: MemoryEntry, reason: string): void => {
    if (entry.protected) return;
    const given = reasons.get(entry.id);
    if (given === undefined) reasons.set(entry.id, [reason]);
    else given.push(reason);
  };
  for (const policy of parsed.data) {
    if (policy.kind === "budget") {
      const groups = new Map<string, Array<{ entry: MemoryEntry; value: number }>>();
      for (const entry of table.values()) {
        const group = policy.level === "all" ? "all" : entry.level;
        if (policy.level !== "all" && policy.level !== "each" && entry.level !== policy.level) continue;
        let members = groups.get(group);
        if (members === undefined) {
          members = [];
          groups.set(group, members);
        }
        members.push({ entry, value: best(entry) ?? 0.5 });
      }
      for (const members of groups.values()) {
        if (members.length <= policy.keep) continue;
        members.sort((a, b) => b.value - a.value || b.entry.updatedAt - a.entry.updatedAt || (a.entry.id < b.entry.id ? -1 : 1));
        for (const { entry } of members.slice(policy.keep)) mark(entry, `beyond the ${policy.keep} most valuable`);
      }
      continue;
    }
    for (const entry of table.values()) {
      if (policy.kind === "age") {
        const idleDays = (now - (entry.lastAccess ?? entry.createdAt)) / DAY;
        if (idleDays > policy.maxIdleDays) mark(entry, `unused for ${Math.floor(idleDays)} days`);
      } else if (policy.kind === "value") {
        const value = best(entry);
        if (value !== undefined && value < policy.floor) mark(entry, `value ${value.toFixed(2)} below ${policy.floor}`);
      } else {
        const days = (now - entry.createdAt) / DAY;
        if (days >= 7 && entry.accessCount / days < policy.minPerDay) mark(entry, `used ${(entry.accessCount / days).toFixed(2)} times a day`);
      }
    }
  }
  const removed = [...reasons].map(([id, why]) => ({ id, level: (table.get(id) as MemoryEntry).level, reasons: why }));
  if (!dryRun) for (const { id } of removed) table.remove(id, "pruned");
  return { dryRun, removed, remaining: dryRun ? table.size - removed.length : table.size };
}
