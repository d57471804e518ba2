import type { QTable } from "./q-table.js";
import { normalizeText } from "./text-key.js";

/** Options of {@link learnedContext}. */
export interface LearnedContextOptions {
  table: QTable;
  state: string;
  goal?: string | undefined;
  /** Budget of the text, at about four characters a token. */
  maxTokens: number;
  /** Similarity a state needs for its lessons to be shown. */
  minSimilarity: number;
}

/**
 * A Q-table's learned values and lessons as prompt text: lessons about this state (or similar
 * ones), the tier-1 entries, and tier 2 grouped by action, within `maxTokens`.
 */
export async function learnedContext({ table, state, goal, maxTokens, minSimilarity }: LearnedContextOptions): Promise<string> {
  const lines: string[] = [];
  let budget = maxTokens * 4;
  const push = (line: string): boolean => {
    if (line.length + 1 > budget) return false;
    lines.push(line);
    budget -= line.length + 1;
    return true;
  };
  const relevantStates = new Set<string>([normalizeText(state)]);
  if (table.searchable) {
    const vector = await table.stateVector(normalizeText(state));
    for (const match of table.nearStates(vector, 5)) {
      if (match.score >= minSimilarity) relevantStates.add(match.id);
    }
  }
  const lessons = [...relevantStates]
    .flatMap((key) => table.entriesOf(key).flatMap((entry) => entry.lessons))
    .sort((a, b) => b.count - a.count || b.lastEpisode - a.lastEpisode);
  if (goal !== undefined) push(`Goal: ${goal}`);
  if (lessons.length > 0 && push("Lessons:")) {
    for (const lesson of new Set(lessons.map((item) => item.text))) if (!push(`- ${lesson}`)) break;
  }
  const tierOne = [...table.values()].filter((entry) => entry.tier === 1).sort((a, b) => b.value - a.value);
  if (tierOne.length > 0 && push("Best-known values:")) {
    for (const entry of tierOne) {
      if (!push(`- Q=${entry.value.toFixed(2)} for "${entry.action}" when ${entry.state} (${entry.visits} visits)`)) break;
    }
  }
  const byAction = new Map<string, { total: number; count: number }>();
  for (const entry of table.values()) {
    if (entry.tier !== 2) continue;
    const group = byAction.get(entry.action) ?? { total: 0, count: 0 };
    group.total += entry.value;
    group.count += 1;
    byAction.set(entry.action, group);
  }
  if (byAction.size > 0 && push("Other actions, on average:")) {
    const groups = [...byAction].sort(([, a], [, b]) => b.total / b.count - a.total / a.count);
    for (const [action, group] of groups) {
      if (!push(`- "${action}": Q=${(group.total / group.count).toFixed(2)} over ${group.count} situations`)) break;
    }
  }
  return lines.join("\n");
}
