import type { Environment } from "../environments/index.js";
import { errorMessage } from "../errors/index.js";
import { Rng } from "../util/index.js";
import { invocationOf } from "./begin-episode.js";
import type { EpisodeContext, EpisodeServices } from "./episode-context.js";
import type { EpisodeGraph } from "./episode-graph.js";
import type { State } from "./episode-state.js";
import { finishNode } from "./nodes/finish.js";
import { replayJournal } from "./replay-journal.js";
import type { TodoList } from "./todo-list.js";

/** What became of an episode a crash interrupted: it went on to its end, or it must start again (and why). */
export type Resumption = { resumed: true; final: State; context: EpisodeContext; from: number } | { resumed: false; episode: number | undefined; reason: string };

/**
 * Goes on with an episode a crash interrupted, from its last checkpoint: the environment's
 * episode, the generator and the todo state are put back as they were after its last step,
 * its journal is replayed onto the learned state (what its first part learned died with the
 * process), and the graph runs on from where it stopped. An episode whose environment cannot
 * capture its episode (no `snapshotEpisode`), or whose checkpoint cannot be read back, is not
 * resumed: the caller starts a new one and says why.
 */
export async function resumeEpisode({
  graph,
  services,
  threadId,
  environment,
  todos,
}: {
  graph: EpisodeGraph;
  services: EpisodeServices;
  threadId: string;
  environment: Environment;
  todos: TodoList;
}): Promise<Resumption> {
  const snapshot = await graph.getState({ configurable: { thread_id: threadId } });
  const state = snapshot.values as Partial<State>;
  if (state.episode === undefined || state.rng === undefined || state.todoState === undefined) {
    return { resumed: false, episode: state.episode, reason: "its checkpoint holds no episode state this version can go on from" };
  }
  if (state.environmentState === null || state.environmentState === undefined || environment.restoreEpisode === undefined) {
    return { resumed: false, episode: state.episode, reason: `the ${environment.name} environment cannot capture its episode (it has no snapshotEpisode)` };
  }
  let rng: Rng;
  try {
    await environment.restoreEpisode(state.environmentState);
    todos.restoreState(state.todoState);
    rng = Rng.fromState(state.rng);
  } catch (error) {
    return { resumed: false, episode: state.episode, reason: `its checkpoint could not be put back: ${errorMessage(error)}` };
  }
  const context: EpisodeContext = { services, rng, learning: true, explore: true, checkpointed: true, environment, todos, deferred: false, experienceId: "" };
  const resumedFrom = state as State;
  const replayed = await replayJournal(resumedFrom, context);
  if (snapshot.next.length === 0) {
    // The graph had ended, but what its last node learned died with the process: finish again.
    const finished = await finishNode(resumedFrom, context);
    return { resumed: true, final: { ...resumedFrom, errors: [...resumedFrom.errors, ...replayed, ...((finished.errors as string[] | undefined) ?? [])] }, context, from: resumedFrom.step };
  }
  const final = (await graph.invoke(null, invocationOf({ services, threadId, checkpointed: true, context }))) as State;
  return { resumed: true, final: { ...final, errors: [...replayed, ...final.errors] }, context, from: resumedFrom.step };
}
