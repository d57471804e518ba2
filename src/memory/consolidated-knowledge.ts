import { isVisible } from "./is-visible.js";
import type { MemoryEntry } from "./memory-entry.js";
import type { MemoryParts } from "./memory-parts.js";

/** What {@link HierarchicalMemory.getConsolidatedKnowledge} is asked. */
export interface KnowledgeQuery {
  goal: string;
  /** @default 10 */
  maxItems?: number;
  /** False for frozen inference: the goal is embedded without being cached. @default true */
  record?: boolean;
  /** For this actor (null: the whole team): other actors' memories are left out. */
  visibleTo?: string | null;
}

/**
 * The learned context for a prompt (the body of {@link HierarchicalMemory.getConsolidatedKnowledge}):
 * one line per distilled memory and per causal link, most valuable for the goal first, so a
 * short `maxItems` keeps what matters. Links rank by confidence, which is on the same 0-1 scale
 * as values.
 */
export async function consolidatedKnowledge(
  { table, goals, settings }: Pick<MemoryParts, "table" | "goals" | "settings">,
  { goal, maxItems = 10, record = true, visibleTo }: KnowledgeQuery,
): Promise<string> {
  const readable = (entry: Readonly<MemoryEntry>): boolean => visibleTo === undefined || isVisible(entry, visibleTo);
  const goalVector = await goals.vectorFor(goal, record);
  const high = settings.consolidation.highValue;
  const lines: Array<{ value: number; text: string }> = [];
  for (const level of ["semantic", "procedural", "meta", "causal"] as const) {
    for (const id of table.idsOf(level)) {
      const entry = table.get(id) as MemoryEntry;
      if (!readable(entry)) continue;
      const value = goals.valueOf(entry, goal, goalVector);
      const label =
        level === "semantic"
          ? value >= high
            ? "High-value pattern"
            : "Pattern"
          : level === "procedural"
            ? "Procedure"
            : level === "meta"
              ? "Wisdom"
              : "Cause and effect";
      lines.push({ value, text: `${label}: ${entry.content} (V=${value.toFixed(2)})` });
    }
  }
  const linking = table.linking();
  for (const id of linking) {
    const entry = table.get(id);
    if (entry === undefined || !readable(entry)) continue;
    for (const link of entry.causalLinks) {
      const target = table.get(link.target);
      if (target === undefined || !readable(target)) continue;
      lines.push({
        value: link.confidence,
        text: `Causal link: "${entry.content}" ${link.relation} "${target.content}" (confidence ${link.confidence.toFixed(2)})`,
      });
    }
  }
  return lines
    .sort((a, b) => b.value - a.value)
    .slice(0, maxItems)
    .map((line) => line.text)
    .join("\n");
}
