import { JottyError } from "../errors/index.js";
import { modelReflection, type ReflectionModelAccess } from "./model-reflection.js";
import { ruleReflection } from "./rule-reflection.js";
import type { Reflection, Trajectory, TrajectoryStep } from "./schemas.js";

/**
 * What a completed trajectory teaches: from the model when one is given, by rules when none is
 * or its answer is unusable (any other error is thrown).
 */
export async function reflectOnTrajectory({
  llm,
  trajectory,
  steps,
  score,
  context,
}: {
  llm: ReflectionModelAccess | undefined;
  trajectory: Pick<Trajectory, "id" | "task" | "taskType" | "status" | "error">;
  steps: readonly TrajectoryStep[];
  /** The score the outcome is judged by. */
  score: number;
  context?: string | undefined;
}): Promise<Pick<Reflection, "helpfulStrategies" | "harmfulPatterns" | "observations" | "source">> {
  if (llm !== undefined) {
    try {
      return { ...(await modelReflection(llm, { trajectory, steps, score, ...(context === undefined ? {} : { context }) })), source: "llm" };
    } catch (error) {
      if (!JottyError.is(error, "llm_error")) throw error;
    }
  }
  return { ...ruleReflection({ trajectoryId: trajectory.id, task: trajectory.task, steps, score, error: trajectory.error }), source: "rules" };
}
