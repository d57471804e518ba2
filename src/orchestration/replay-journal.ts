import { errorMessage } from "../errors/index.js";
import { memoryNamed, type EpisodeContext } from "./episode-context.js";
import type { State } from "./episode-state.js";
import { startEpisodeRecord } from "./nodes/recall.js";

/**
 * Applies an episode's journal (in its state) to the learned state, in order: starts its
 * learner episode and its trajectory in the Experience module (`context.experienceId`),
 * records the accesses of the memories it retrieved, logs its steps and applies its Q
 * updates. An episode run alongside others does this at its commit; an episode a crash
 * interrupted does it on resuming, to bring back what its first part learned in the process
 * that died. Returns the errors (each update that failed, each memory no longer there).
 */
export async function replayJournal(state: State, context: EpisodeContext): Promise<string[]> {
  const { experience, q } = context.services;
  const errors: string[] = [];
  context.experienceId = await startEpisodeRecord(state, context);
  for (const { memory: name, ids } of state.accessed) {
    const memory = memoryNamed(context.services, name);
    if (memory === undefined) errors.push(`learning failed: the episode recalled memories of "${name}", which is not in the team any more`);
    else memory.markAccessed(ids);
  }
  if (experience !== undefined) for (const step of state.loggedSteps) experience.logStep(context.experienceId, step);
  for (const update of state.qUpdates) {
    try {
      await q.update(update);
    } catch (error) {
      errors.push(`learning failed: ${errorMessage(error)}`);
    }
  }
  return errors;
}
