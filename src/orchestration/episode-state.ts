import { Annotation } from "@langchain/langgraph";
import { decisionPointOf, type ContextExample, type ContextStrategy, type DecisionPoint } from "../knowledge/index.js";
import type { ActorDecision } from "./actor.js";
import { creditActors } from "./credit.js";
import { ExecutionMode } from "./execution-mode.js";

/** One step of an episode. */
export interface TrajectoryStep {
  step: number;
  actor: string;
  observation: string;
  /** null when the actor failed to decide. */
  action: string | null;
  reward: number;
  /**
   * Where the action came from: the actor, a replayed trace, the value policy after the actor
   * failed, a failure, or — while learning — a probe for a minimal pair, and for an LLM actor the
   * team's confident rule, a decision verified by its record, an exploration, or a proven option
   * taken on its behalf.
   */
  source: "actor" | "trace" | "fallback" | "failed" | "rule" | "verified" | "explore" | "probe" | "proven";
  reasoning?: string;
  /** The decision point (situation and options) the action was chosen at, when there was a choice. */
  point?: string;
  /** Memories shown to the actor for this decision (`<memory>/<id>`), when it reads the learned context. */
  memories?: string[];
}

/** What one episode did. */
export interface EpisodeResult {
  episode: number;
  success: boolean;
  /** Sum of the step rewards. */
  reward: number;
  steps: number;
  mode: ExecutionMode;
  actorsUsed: string[];
  llmCalls: number;
  tokens: number;
  /** Everything that went wrong and was handled (actor failures, refused actions, learning errors). */
  errors: string[];
  /** The episode's id (its LangGraph thread). */
  trajectoryId: string;
  /** Each actor's credit (own rewards plus its share of the team's return). */
  credit: Record<string, number>;
  trajectory: TrajectoryStep[];
}

/** What a caller may name of an episode: its goal, the task for the environment's `reset`, its type. */
export type EpisodeRequest = { goal?: string | undefined; task?: unknown; taskType?: string | undefined };

/** One event of `stream()`: a node of the episode graph finished. */
export interface StepEvent {
  node: "recall" | "plan" | "act" | "observe" | "learn" | "finish";
  episode: number;
  step: number;
  actor?: string;
  action?: string | null;
  reward?: number;
  mode?: ExecutionMode;
  done?: boolean;
}

export interface Decision extends ActorDecision {
  actor: string;
  source: TrajectoryStep["source"];
  action: string;
  memories?: string[];
}

export interface Transition {
  /** The actor whose decision it was. */
  actor: string;
  state: string;
  action: string;
  reward: number;
  nextState: string;
  nextActions: string[];
  done: boolean;
  /** The action was a real choice the Q-predictor should learn from. */
  learnable: boolean;
}

const concat = <T>(left: T[], right: T[]): T[] => left.concat(right);
const sum = (left: number, right: number): number => left + right;

/** The episode graph's state. */
export const EpisodeState = Annotation.Root({
  episode: Annotation<number>,
  goal: Annotation<string>,
  taskType: Annotation<string>,
  observation: Annotation<string>,
  actions: Annotation<string[]>,
  /** The capability the environment asks for at this step (routes the turn to an actor that has it). */
  capability: Annotation<string>,
  done: Annotation<boolean>,
  success: Annotation<boolean>,
  stopped: Annotation<boolean>,
  step: Annotation<number>,
  totalReward: Annotation<number>,
  mode: Annotation<ExecutionMode>,
  traceActions: Annotation<string[]>,
  traceSimilarity: Annotation<number>,
  traceId: Annotation<string>,
  actor: Annotation<string>,
  todoId: Annotation<string>,
  decision: Annotation<Decision | null>,
  transition: Annotation<Transition | null>,
  /** SARSA learns from a transition once the next action is known. */
  pending: Annotation<Transition | null>,
  /** The decision point of this step (null where there is nothing to choose). */
  point: Annotation<DecisionPoint | null>,
  /** Shared memories recalled for the episode: the learned context's examples. */
  examples: Annotation<ContextExample[]>,
  /** Playbook strategies recalled for the episode. */
  strategies: Annotation<ContextStrategy[]>,
  /** The episode's trajectory in the Experience module, when it records one. */
  experienceId: Annotation<string>,
  trajectory: Annotation<TrajectoryStep[]>({ reducer: concat, default: () => [] }),
  errors: Annotation<string[]>({ reducer: concat, default: () => [] }),
  llmCalls: Annotation<number>({ reducer: sum, default: () => 0 }),
  tokens: Annotation<number>({ reducer: sum, default: () => 0 }),
});

export type State = typeof EpisodeState.State;
export type Update = typeof EpisodeState.Update;


/** The graph's input for a new episode: its goal and the environment's first observation. */
export function episodeInput({
  episode,
  goal,
  taskType,
  start,
}: {
  episode: number;
  goal: string;
  taskType: string;
  start: { observation: string; actions: string[]; info: Record<string, unknown> };
}): Update {
  return {
    episode,
    goal,
    taskType,
    observation: start.observation,
    actions: start.actions,
    capability: typeof start.info.capability === "string" ? start.info.capability : "",
    done: false,
    success: false,
    stopped: false,
    step: 0,
    totalReward: 0,
    mode: ExecutionMode.LEARNER,
    traceActions: [],
    traceSimilarity: 0,
    traceId: "",
    actor: "",
    todoId: "",
    decision: null,
    transition: null,
    pending: null,
    point: decisionPointOf({ observation: start.observation, actions: start.actions, info: start.info }) ?? null,
    examples: [],
    strategies: [],
    experienceId: "",
  };
}

/** The event of `stream()` for a node's update over the state before it (only last-value fields are read). */
export function stepEvent(node: StepEvent["node"], update: Partial<State>, before: State): StepEvent {
  const actor = update.actor ?? before.actor;
  const last = update.trajectory?.at(-1);
  return {
    node,
    episode: update.episode ?? before.episode,
    step: update.step ?? before.step,
    ...(actor === "" || actor === undefined ? {} : { actor }),
    ...(last === undefined ? {} : { action: last.action, reward: last.reward }),
    mode: update.mode ?? before.mode,
    done: update.done ?? before.done,
  };
}

/** What an episode did, from its final state: the result `run` returns, with each actor's credit. */
export function episodeResult({ final, threadId, credit }: { final: State; threadId: string; credit: { own: number; cooperative: number } }): EpisodeResult {
  return {
    episode: final.episode,
    success: final.success,
    reward: final.totalReward,
    steps: final.step,
    mode: final.mode,
    actorsUsed: [...new Set(final.trajectory.map((step) => step.actor))],
    llmCalls: final.llmCalls,
    tokens: final.tokens,
    errors: final.errors,
    trajectoryId: threadId,
    credit: creditActors({ steps: final.trajectory.map((step) => ({ actor: step.actor, reward: step.reward })), episodeReturn: final.totalReward, ...credit }),
    trajectory: final.trajectory,
  };
}
