import { epsilonAt } from "../../learning/math/index.js";
import type { EpisodeContext } from "../episode-context.js";
import type { State, Update } from "../episode-state.js";
import { ExecutionMode } from "../execution-mode.js";

/** What the plan node reads and writes (its input schema in the episode graph; see `nodeInput`). */
export const PLAN_FIELDS = ["step", "goal", "capability", "stopped", "mode", "traceActions", "traceSimilarity", "traceId", "actor", "todoId"] as const;

/** The share of learning episodes that reason afresh instead of following a stored trace. */
function explorationRate(context: EpisodeContext): number {
  const { config, q } = context.services;
  const setting = config.conductor.executionModes.exploration;
  if (setting !== "policy") return setting;
  const policy = config.qPredictor.policy;
  if (policy.kind === "epsilon-greedy") return policy.epsilon ?? epsilonAt(config.learning.epsilon, q.episode);
  return policy.kind === "greedy" ? 0 : epsilonAt(config.learning.epsilon, q.episode);
}

/**
 * Chooses the execution mode on the first step (a stored trace to follow, to use as guidance,
 * or none) and gives the turn to the next actor: the one with the capability the environment
 * asks for, else the next in the todo order.
 */
export async function planNode(state: Pick<State, (typeof PLAN_FIELDS)[number]>, context: EpisodeContext): Promise<Update> {
  const { actors, traces } = context.services;
  const { todos } = context;
  const update: Update = {};
  if (state.step === 0) {
    const match = await traces.match(state.goal);
    let mode = traces.chooseMode(match?.similarity);
    // Exploration episodes (at the policy's ε) reason afresh, so a better path can replace the stored one.
    if (context.learning && mode !== ExecutionMode.LEARNER && context.rng.next() < explorationRate(context)) mode = ExecutionMode.LEARNER;
    update.mode = mode;
    update.traceActions = mode === ExecutionMode.LEARNER || match === undefined ? [] : match.trace.actions;
    update.traceSimilarity = match?.similarity ?? 0;
    update.traceId = mode === ExecutionMode.LEARNER || match === undefined ? "" : match.trace.id;
  }
  const wanted = state.capability === "" ? undefined : [...actors.values()].find((actor) => actor.capabilities.includes(state.capability));
  const item = wanted === undefined ? todos.next() : todos.take(wanted.name);
  if (item === undefined) {
    return { ...update, stopped: true, errors: [`step ${state.step}: every actor's turn is blocked`] };
  }
  todos.start(item.id);
  return { ...update, actor: item.actor, todoId: item.id };
}
