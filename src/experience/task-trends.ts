import type { Trajectory } from "./schemas.js";
import { trendOf } from "./scores.js";

/** How the trajectories of one task type are going. */
export interface TaskTrend {
  trajectories: number;
  successRate: number;
  averageDurationMs: number;
  /** Whether outcomes (success 1, partial 0.5, failure 0) are getting better; see {@link trendOf}. */
  trend: "improving" | "stable" | "declining";
}

type TrendInput = Pick<Trajectory, "id" | "taskType" | "status" | "startedAt" | "metrics">;

/** Per task type of the completed trajectories: success rate, average duration and trend, oldest to newest. */
export function taskTrends(trajectories: Iterable<TrendInput>): Record<string, TaskTrend> {
  const groups = new Map<string, TrendInput[]>();
  for (const trajectory of trajectories) {
    if (trajectory.status === "running") continue;
    const group = groups.get(trajectory.taskType) ?? [];
    group.push(trajectory);
    groups.set(trajectory.taskType, group);
  }
  const trends: Record<string, TaskTrend> = {};
  for (const [taskType, group] of groups) {
    const ordered = group.sort((a, b) => a.startedAt - b.startedAt || a.id.localeCompare(b.id));
    const outcomes = ordered.map((trajectory) => (trajectory.status === "success" ? 1 : trajectory.status === "partial" ? 0.5 : 0));
    trends[taskType] = {
      trajectories: ordered.length,
      successRate: outcomes.filter((outcome) => outcome === 1).length / ordered.length,
      averageDurationMs: ordered.reduce((sum, trajectory) => sum + trajectory.metrics.durationMs, 0) / ordered.length,
      trend: trendOf(outcomes),
    };
  }
  return trends;
}
