import { normalizeText } from "../../learning/index.js";
import type { HierarchicalMemory } from "../../memory/index.js";
import { ActorMemory } from "../actor-memory.js";
import type { Actor } from "../actor.js";
import { decisionContext, decisionOnBehalf } from "../decision-knowledge.js";
import { recordsNow, type EpisodeContext } from "../episode-context.js";
import type { State, Update } from "../episode-state.js";
import { ExecutionMode } from "../execution-mode.js";
import { errorMessage } from "../../errors/index.js";

/** What the act node reads and writes (its input schema in the episode graph; see `nodeInput`). */
export const ACT_FIELDS = [
  "actor",
  "traceActions",
  "traceSimilarity",
  "step",
  "mode",
  "goal",
  "taskType",
  "episode",
  "observation",
  "actions",
  "localRecall",
  "point",
  "trajectory",
  "examples",
  "strategies",
  "decision",
] as const;

/**
 * The actor whose turn it is decides: a follower replays its trace; while learning, the
 * Conductor may decide on its behalf (a probe, a rule, a proven option); else the actor acts
 * on the observation, its recalled memories and the learned context. A failing actor is
 * recorded, not thrown.
 */
export async function actNode(state: Pick<State, (typeof ACT_FIELDS)[number]>, context: EpisodeContext): Promise<Update> {
  const { config, actors, localMemories: memories, sharedMemory, evidence, q } = context.services;
  const actor = actors.get(state.actor) as Actor;
  const expected = state.traceActions[state.step];
  if (state.mode === ExecutionMode.FOLLOWER) {
    const replay = expected === undefined ? undefined : state.actions.find((candidate) => normalizeText(candidate) === normalizeText(expected));
    if (replay !== undefined) return { decision: { actor: actor.name, action: replay, source: "trace" } };
  }
  // A follower that diverged from its trace goes on as a learner.
  const mode = state.mode === ExecutionMode.FOLLOWER ? ExecutionMode.LEARNER : state.mode;
  const localMemory = memories.get(actor.name) as HierarchicalMemory;
  let localMemories = state.localRecall[actor.name];
  // The actor's first turn recalls its memories; the state keeps them (and, while learning, the access) for its later turns.
  let recalled: Update = {};
  if (localMemories === undefined) {
    localMemories = await localMemory.retrieve({ goal: state.goal, k: 3, record: recordsNow(context) });
    const accessed = context.learning ? [{ memory: localMemory.name, ids: localMemories.map((memory) => memory.id) }] : [];
    recalled = { localRecall: { [actor.name]: localMemories }, accessed };
  }
  const hint = mode === ExecutionMode.MIXED && expected !== undefined ? { action: expected, similarity: state.traceSimilarity } : undefined;
  const reads = actor.readsLearnedContext === true;
  // Only at a decision the environment names can the Conductor decide on the actor's behalf.
  if (context.learning && state.point?.named === true) {
    const provenSoFar = state.trajectory.every((step) => step.point === undefined || (step.action !== null && evidence.proven(step.point, step.action)));
    const probed = state.trajectory.some((step) => step.source === "probe");
    const decided = new Set(state.trajectory.flatMap((step) => (step.point === undefined ? [] : [step.point])));
    // A point of this task still to come where nothing is proven yet (the evidence keeps those points).
    const { pointsByTask, unprovenPoints } = evidence.knowledge();
    const taskPoints = pointsByTask.get(state.taskType) ?? new Set<string>();
    let unprovenAhead = false;
    for (const point of unprovenPoints) {
      if (point !== state.point.key && !decided.has(point) && taskPoints.has(point)) {
        unprovenAhead = true;
        break;
      }
    }
    const taken = decisionOnBehalf({
      evidence,
      point: state.point,
      actions: state.actions,
      settings: config.conductor.knowledge,
      rng: context.rng,
      readsContext: reads,
      provenSoFar,
      probed,
      unprovenAhead,
    });
    if (taken !== undefined) return { ...recalled, mode, decision: { actor: actor.name, ...taken } };
  }
  // The learned context is rendered when something reads it: an actor that does not is spared the work.
  let rendered: ReturnType<typeof decisionContext> | undefined;
  const learned = () =>
    (rendered ??= decisionContext({
      evidence,
      point: state.point,
      taskType: state.taskType,
      examples: state.examples,
      strategies: state.strategies,
      maxTokens: config.conductor.knowledge.maxTokens,
    }));
  // What was in the actor's view: only these memories can be credited with its decision.
  const shownContext = reads ? [...learned().memories, ...localMemories.map((memory) => `${localMemory.name}/${memory.id}`)] : undefined;
  try {
    const decision = await actor.act({
      goal: state.goal,
      observation: state.observation,
      actions: state.actions,
      step: state.step,
      episode: state.episode,
      get learnedContext() {
        return learned().text;
      },
      localMemories,
      localMemory,
      memory: new ActorMemory(actor.name, localMemory, sharedMemory, config.owner, recordsNow(context)),
      q,
      mode,
      ...(hint === undefined ? {} : { hint }),
      rng: context.rng,
      explore: context.explore,
    });
    const shown = [...new Set([...(shownContext ?? []), ...(decision.memories ?? [])])];
    return {
      ...recalled,
      mode,
      decision: { ...decision, actor: actor.name, source: decision.fallback === undefined ? "actor" : "fallback", ...(shown.length === 0 ? {} : { memories: shown }) },
      llmCalls: decision.llmCalls ?? 0,
      tokens: decision.tokens ?? 0,
      errors: decision.fallback === undefined ? [] : [`step ${state.step}: ${actor.name} fell back to the value policy: ${decision.fallback}`],
    };
  } catch (error) {
    return {
      ...recalled,
      mode,
      decision: { actor: actor.name, action: "", source: "failed", reasoning: errorMessage(error) },
      errors: [`step ${state.step}: ${actor.name} failed: ${errorMessage(error)}`],
    };
  }
}
