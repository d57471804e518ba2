import { invalidArgument } from "./invalid-argument.js";
import type { Trajectory } from "./schemas.js";

/**
 * Marks a trajectory for re-reflection; of two marks the higher priority is kept.
 *
 * @throws JottyError `invalid_argument` for a priority that is not a whole number from 0 to 10.
 */
export function markForRelearning(trajectory: Pick<Trajectory, "relearning">, { reason, priority = 5, now }: { reason: string; priority?: number; now: number }): void {
  if (!Number.isInteger(priority) || priority < 0 || priority > 10) throw invalidArgument(`Relearning priority is a whole number from 0 to 10, got ${priority}.`);
  if (trajectory.relearning === undefined || trajectory.relearning.priority < priority) {
    trajectory.relearning = { reason, priority, markedAt: now };
  }
}

/** The trajectories marked for relearning, in the order they are processed: priority, then latest feedback, then newest id. */
export function relearningQueue(trajectories: Iterable<Pick<Trajectory, "id" | "feedback" | "relearning">>): Array<{ id: string; priority: number; reason: string }> {
  const lastFeedback = (trajectory: Pick<Trajectory, "feedback">): number => trajectory.feedback.reduce((latest, item) => Math.max(latest, item.at), 0);
  return [...trajectories]
    .filter((trajectory) => trajectory.relearning !== undefined)
    .sort((a, b) => (b.relearning?.priority ?? 0) - (a.relearning?.priority ?? 0) || lastFeedback(b) - lastFeedback(a) || b.id.localeCompare(a.id))
    .map((trajectory) => ({ id: trajectory.id, priority: trajectory.relearning?.priority ?? 0, reason: trajectory.relearning?.reason ?? "" }));
}
