import { type DeferredLearning, type EpisodeContext } from "./episode-context.js";
import type { State } from "./episode-state.js";
import { finishNode } from "./nodes/finish.js";
import { startEpisodeRecord } from "./nodes/recall.js";
import { errorMessage } from "../errors/index.js";

/**
 * Applies, in order, what an episode that ran alongside others deferred: its learner episode
 * with the accesses of the memories it retrieved, its trajectory in the Experience module,
 * its Q updates, its todo totals, and then the end-of-episode steps — exactly what the
 * episode would have done had it run alone on the learned state it began from. Returns the
 * errors of the commit (each update or step that failed), for the episode's result.
 */
export async function commitEpisode({ state, context, deferred }: { state: State; context: EpisodeContext; deferred: DeferredLearning }): Promise<string[]> {
  const { experience, q, todos } = context.services;
  const errors: string[] = [];
  const live: EpisodeContext = { ...context, deferred: undefined };
  const experienceId = await startEpisodeRecord(state, context);
  for (const { memory, ids } of deferred.accesses) memory.markAccessed(ids);
  if (experience !== undefined) for (const step of deferred.steps) experience.logStep(experienceId, step);
  for (const update of deferred.updates) {
    try {
      await q.update(update);
    } catch (error) {
      errors.push(`learning failed: ${errorMessage(error)}`);
    }
  }
  todos.addTotals(context.todos);
  const finished = await finishNode({ ...state, experienceId }, live);
  return [...errors, ...((finished.errors as string[] | undefined) ?? [])];
}
