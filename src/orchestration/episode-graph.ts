import { END, START, StateGraph, type BaseCheckpointSaver, type BaseStore, type LangGraphRunnableConfig } from "@langchain/langgraph";
import { episodeContext, type EpisodeContext } from "./episode-context.js";
import { EpisodeState, type State, type Update } from "./episode-state.js";
import { actNode } from "./nodes/act.js";
import { finishNode } from "./nodes/finish.js";
import { learnNode } from "./nodes/learn.js";
import { observeNode } from "./nodes/observe.js";
import { planNode } from "./nodes/plan.js";
import { recallNode } from "./nodes/recall.js";

type EpisodeNode = (state: State, context: EpisodeContext) => Promise<Update>;

/**
 * A node that finds its episode context in LangGraph's runtime context. When checkpoints are
 * kept, its update also carries where the episode's generator and todo state are after it,
 * so every checkpoint holds all an episode needs to go on.
 */
function withContext(node: EpisodeNode) {
  return async (state: State, config: LangGraphRunnableConfig): Promise<Update> => {
    const context = episodeContext(config);
    const update = await node(state, context);
    return context.checkpointed ? { ...update, rng: context.rng.state(), todoState: context.todos.snapshot() } : update;
  };
}

/**
 * The episode graph: recall → plan → act → observe → learn (→ plan …) → finish. An episode
 * ends when the environment is done, the team is stopped, or after `maxSteps` steps. Invoke
 * it with `{ context: { episode } }` (an {@link EpisodeContext}). `store` is the graph's
 * LangGraph store (the team's memory, for any node through `config.store`).
 */
export function buildEpisodeGraph({ maxSteps, checkpointer, store }: { maxSteps: number; checkpointer?: BaseCheckpointSaver | undefined; store: BaseStore }) {
  return new StateGraph(EpisodeState)
    .addNode("recall", withContext(recallNode))
    .addNode("plan", withContext(planNode))
    .addNode("act", withContext(actNode))
    .addNode("observe", withContext(observeNode))
    .addNode("learn", withContext(learnNode))
    .addNode("finish", withContext(finishNode))
    .addEdge(START, "recall")
    .addEdge("recall", "plan")
    .addConditionalEdges("plan", (state) => (state.stopped ? "finish" : "act"), ["act", "finish"])
    .addEdge("act", "observe")
    .addEdge("observe", "learn")
    .addConditionalEdges("learn", (state) => (state.done || state.stopped || state.step >= maxSteps ? "finish" : "plan"), ["plan", "finish"])
    .addEdge("finish", END)
    .compile(checkpointer === undefined ? { store } : { checkpointer, store });
}

/** The compiled episode graph. */
export type EpisodeGraph = ReturnType<typeof buildEpisodeGraph>;
