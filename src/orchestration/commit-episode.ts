import type { EpisodeContext } from "./episode-context.js";
import type { State } from "./episode-state.js";
import { finishNode } from "./nodes/finish.js";
import { replayJournal } from "./replay-journal.js";

/**
 * Applies, in order, what an episode that ran alongside others deferred: its journal (its
 * learner episode with the accesses of the memories it retrieved, its trajectory in the
 * Experience module, its Q updates), then the end-of-episode steps — exactly what the episode
 * would have done had it run alone on the learned state it began from. Returns the errors of
 * the commit, for the episode's result.
 */
export async function commitEpisode({ state, context }: { state: State; context: EpisodeContext }): Promise<string[]> {
  const errors = await replayJournal(state, context);
  const finished = await finishNode(state, { ...context, deferred: false });
  return [...errors, ...((finished.errors as string[] | undefined) ?? [])];
}
