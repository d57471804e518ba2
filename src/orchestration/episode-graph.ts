import { Command, END, START, StateGraph, type BaseCheckpointSaver, type BaseStore, type LangGraphRunnableConfig } from "@langchain/langgraph";
import { episodeContext, type EpisodeContext } from "./episode-context.js";
import { changesOf, EpisodeState, nodeInput, type Field, type State, type Update } from "./episode-state.js";
import { ACT_FIELDS, actNode } from "./nodes/act.js";
import { finishNode } from "./nodes/finish.js";
import { LEARN_FIELDS, learnNode } from "./nodes/learn.js";
import { OBSERVE_FIELDS, observeNode } from "./nodes/observe.js";
import { PLAN_FIELDS, planNode } from "./nodes/plan.js";
import { recallNode } from "./nodes/recall.js";

type EpisodeNode<K extends Field> = (state: Pick<State, K>, context: EpisodeContext) => Promise<Update>;

/**
 * A node that finds its episode context in LangGraph's runtime context and writes only what
 * its update changes ({@link changesOf}). When checkpoints are kept, its update also carries
 * where the episode's generator and todo state are after it, so every checkpoint holds all
 * an episode needs to go on.
 */
function withContext<K extends Field>(node: EpisodeNode<K>) {
  return async (state: Pick<State, K>, config: LangGraphRunnableConfig): Promise<Update> => {
    const context = episodeContext(config);
    const update = changesOf(state, await node(state, context));
    return context.checkpointed ? { ...update, rng: context.rng.state(), todoState: context.todos.snapshot() } : update;
  };
}

/**
 * A node that also names the node after it, from the state with its update, as a LangGraph
 * `Command`. Routing in the node's own answer spares a conditional edge, which LangGraph runs
 * as two more runnables and a fresh read of the channels the node wrote, on every step.
 */
function routed<K extends Field, Next extends string>(node: EpisodeNode<K>, next: (state: Pick<State, K>, update: Update) => Next) {
  const inner = withContext(node);
  return async (state: Pick<State, K>, config: LangGraphRunnableConfig) => {
    const update = await inner(state, config);
    return new Command({ update, goto: next(state, update) });
  };
}

/** A last-value field of the state as a node's update leaves it. */
function after<K extends "done" | "stopped" | "step">(state: Pick<State, K>, update: Update, key: K): State[K] {
  return (update[key] ?? state[key]) as State[K];
}

/**
 * The episode graph: recall → plan → act → observe → learn (→ plan …) → finish. An episode
 * ends when the environment is done, the team is stopped, or after `maxSteps` steps. Invoke
 * it with `{ context: { episode } }` (an {@link EpisodeContext}). `store` is the graph's
 * LangGraph store (the team's memory, for any node through `config.store`).
 */
export function buildEpisodeGraph({ maxSteps, checkpointer, store }: { maxSteps: number; checkpointer?: BaseCheckpointSaver | undefined; store: BaseStore }) {
  const planNext = (state: Pick<State, "stopped">, update: Update) => (after(state, update, "stopped") ? "finish" : "act");
  const learnNext = (state: Pick<State, "done" | "stopped" | "step">, update: Update) =>
    after(state, update, "done") || after(state, update, "stopped") || after(state, update, "step") >= maxSteps ? "finish" : "plan";
  return new StateGraph(EpisodeState)
    .addNode("recall", withContext(recallNode))
    .addNode("plan", routed(planNode, planNext), { ends: ["act", "finish"], input: nodeInput(PLAN_FIELDS) })
    .addNode("act", withContext(actNode), { input: nodeInput(ACT_FIELDS) })
    .addNode("observe", withContext(observeNode), { input: nodeInput(OBSERVE_FIELDS) })
    .addNode("learn", routed(learnNode, learnNext), { ends: ["plan", "finish"], input: nodeInput(LEARN_FIELDS) })
    .addNode("finish", withContext(finishNode))
    .addEdge(START, "recall")
    .addEdge("recall", "plan")
    .addEdge("act", "observe")
    .addEdge("observe", "learn")
    .addEdge("finish", END)
    .compile(checkpointer === undefined ? { store } : { checkpointer, store });
}

/** The compiled episode graph. */
export type EpisodeGraph = ReturnType<typeof buildEpisodeGraph>;
