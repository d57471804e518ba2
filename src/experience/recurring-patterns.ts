import { normalizeText } from "../learning/index.js";
import type { Reflection, Trajectory } from "./schemas.js";

/** A finding recurring across trajectories, with the share of them it appears in. */
export interface RecurringPattern {
  type: "helpful" | "harmful";
  description: string;
  frequency: number;
  count: number;
}

/** An error recurring across failed trajectories (numbers ignored), with its share of all of them. */
export interface RecurringFailure {
  error: string;
  frequency: number;
  count: number;
}

/**
 * What recurs across reflected trajectories: findings (by type and normalised description)
 * and errors of failures (numbers ignored) appearing in at least `minShare` of them, most
 * frequent first.
 */
export function recurringPatterns(
  reflected: ReadonlyArray<{ trajectory: Pick<Trajectory, "id" | "status" | "error">; reflection: Reflection }>,
  { minShare }: { minShare: number },
): { patterns: RecurringPattern[]; failures: RecurringFailure[] } {
  const patternCounts = new Map<string, { type: "helpful" | "harmful"; description: string; trajectories: Set<string> }>();
  const failureCounts = new Map<string, { error: string; count: number }>();
  for (const { trajectory, reflection } of reflected) {
    const items = [
      ...reflection.helpfulStrategies.map((item) => ({ type: "helpful" as const, description: item.description })),
      ...reflection.harmfulPatterns.map((item) => ({ type: "harmful" as const, description: item.description })),
    ];
    for (const item of items) {
      const key = `${item.type}\u0000${normalizeText(item.description)}`;
      const entry = patternCounts.get(key) ?? { ...item, trajectories: new Set<string>() };
      entry.trajectories.add(trajectory.id);
      patternCounts.set(key, entry);
    }
    if (trajectory.status === "failure" && trajectory.error !== undefined) {
      const key = normalizeText(trajectory.error.replace(/\d+/g, "#"));
      const entry = failureCounts.get(key) ?? { error: trajectory.error, count: 0 };
      entry.count += 1;
      failureCounts.set(key, entry);
    }
  }
  const total = reflected.length;
  return {
    patterns: [...patternCounts.values()]
      .map((entry) => ({ type: entry.type, description: entry.description, count: entry.trajectories.size, frequency: entry.trajectories.size / total }))
      .filter((entry) => entry.frequency >= minShare)
      .sort((a, b) => b.frequency - a.frequency || a.description.localeCompare(b.description)),
    failures: [...failureCounts.values()]
      .map((entry) => ({ error: entry.error, count: entry.count, frequency: entry.count / total }))
      .filter((entry) => entry.frequency >= minShare)
      .sort((a, b) => b.count - a.count),
  };
}
