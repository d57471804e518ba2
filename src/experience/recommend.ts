import { cosineSimilarity, type VectorCache } from "../embeddings/index.js";
import type { Reflection, Trajectory, TrajectoryStep } from "./schemas.js";

/** What {@link recommend} advises for a task. */
export interface Recommendation {
  /** The steps (observations left out) of the most similar success. */
  approach: string[];
  confidence: number;
  /** Helpful strategies recurring in the reflections of the similar successes, most frequent first. */
  keySuccessFactors: string[];
  /** The tools they used, most used first. */
  tools: string[];
  /** The ids of the similar successes. */
  basedOn: string[];
}

type Candidate = Pick<Trajectory, "id" | "task" | "taskType" | "status">;

/**
 * A recommendation for a task from the `k` most similar successful trajectories (cosine ≥ 0.2,
 * of the task type when given): the approach of the most similar, a confidence from their mean
 * similarity and number, their key success factors and tools.
 */
export async function recommend({
  task,
  taskType,
  k = 5,
  trajectories,
  vectors,
  steps,
  reflectionOf,
}: {
  task: string;
  taskType?: string | undefined;
  k?: number;
  trajectories: Iterable<Candidate>;
  vectors: VectorCache;
  /** The steps of a trajectory. */
  steps: (id: string) => TrajectoryStep[];
  /** The reflection of a trajectory, reflecting on it first when it has none. */
  reflectionOf: (id: string) => Promise<Reflection>;
}): Promise<Recommendation> {
  const target = await vectors.get(task);
  const candidates: Array<{ trajectory: Candidate; similarity: number }> = [];
  for (const trajectory of trajectories) {
    if (trajectory.status !== "success" || (taskType !== undefined && trajectory.taskType !== taskType)) continue;
    const similarity = cosineSimilarity(target, await vectors.get(trajectory.task));
    if (similarity >= 0.2) candidates.push({ trajectory, similarity });
  }
  candidates.sort((a, b) => b.similarity - a.similarity);
  const top = candidates.slice(0, k);
  if (top.length === 0) return { approach: [], confidence: 0, keySuccessFactors: [], tools: [], basedOn: [] };
  const best = top[0] as { trajectory: Candidate; similarity: number };
  const approach = steps(best.trajectory.id).filter((step) => step.type !== "observation").map((step) => step.description);
  const factors = new Map<string, number>();
  const tools = new Map<string, number>();
  for (const { trajectory } of top) {
    const reflection = await reflectionOf(trajectory.id);
    for (const strategy of reflection.helpfulStrategies) factors.set(strategy.description, (factors.get(strategy.description) ?? 0) + 1);
    for (const step of steps(trajectory.id)) if (step.tool !== undefined) tools.set(step.tool, (tools.get(step.tool) ?? 0) + 1);
  }
  const byCount = (map: Map<string, number>): string[] => [...map].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([name]) => name);
  const meanSimilarity = top.reduce((sum, item) => sum + item.similarity, 0) / top.length;
  return {
    approach,
    confidence: Math.min(1, meanSimilarity * (1 - 1 / (1 + top.length))),
    keySuccessFactors: byCount(factors).slice(0, 5),
    tools: byCount(tools),
    basedOn: top.map((item) => item.trajectory.id),
  };
}
