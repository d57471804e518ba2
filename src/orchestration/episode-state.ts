import { Annotation, BinaryOperatorAggregate } from "@langchain/langgraph";
import type { JsonValue } from "../errors/index.js";
import { decisionPointOf, type ContextExample, type ContextStrategy, type DecisionPoint } from "../knowledge/index.js";
import type { QUpdateInput } from "../learning/index.js";
import type { RetrievedMemory } from "../memory/index.js";
import type { RngState } from "../util/index.js";
import type { ActorDecision } from "./actor.js";
import { creditActors } from "./credit.js";
import { ExecutionMode } from "./execution-mode.js";
import type { TodoSnapshot } from "./todo-list.js";

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
  /** The step an episode a crash interrupted went on from, in the process after it. */
  resumedAt?: number;
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

/** Memories an episode retrieved: whose memory (`shared` or an actor's), and the ids. */
export interface MemoryAccess {
  memory: string;
  ids: string[];
}

/** A step for the episode's trajectory in the Experience module. */
export interface LoggedStep {
  type: "action";
  description: string;
  result: string;
}

const concat = <T>(left: T[], right: T[]): T[] => left.concat(right);
const sum = (left: number, right: number): number => left + right;
const merge = <T>(left: Record<string, T>, right: Record<string, T>): Record<string, T> => ({ ...left, ...right });

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
  /** Each actor's local memories, recalled once an episode (at its first turn). */
  localRecall: Annotation<Record<string, RetrievedMemory[]>>({ reducer: merge, default: () => ({}) }),
  /** The decision points the episode met, by key. */
  points: Annotation<Record<string, DecisionPoint>>({ reducer: merge, default: () => ({}) }),
  /** Where the episode's generator is after the last node (when checkpoints are kept; else where it began): a resumed episode draws on from there. */
  rng: Annotation<RngState>,
  /** The episode's todo state after the last node (when checkpoints are kept; else as it began). */
  todoState: Annotation<TodoSnapshot>,
  /** The environment's episode after the last step (`snapshotEpisode`), when checkpoints are kept and it can capture one; else null. */
  environmentState: Annotation<JsonValue | null>,
  // The episode's journal: what it changes in the learned state, in order. An episode run
  // alongside others applies it when it commits; one a crash interrupted replays it.
  /** Memories retrieved while learning, whose accesses (and memory-learner traces) count. */
  accessed: Annotation<MemoryAccess[]>({ reducer: concat, default: () => [] }),
  /** The Q updates of the episode's steps. */
  qUpdates: Annotation<QUpdateInput[]>({ reducer: concat, default: () => [] }),
  /** The steps of its trajectory in the Experience module. */
  loggedSteps: Annotation<LoggedStep[]>({ reducer: concat, default: () => [] }),
  trajectory: Annotation<TrajectoryStep[]>({ reducer: concat, default: () => [] }),
  errors: Annotation<string[]>({ reducer: concat, default: () => [] }),
  llmCalls: Annotation<number>({ reducer: sum, default: () => 0 }),
  tokens: Annotation<number>({ reducer: sum, default: () => 0 }),
});

export type State = typeof EpisodeState.State;
export type Update = typeof EpisodeState.Update;

/** A field of the episode state. */
export type Field = keyof typeof EpisodeState.spec;

/**
 * The input schema of a node that works with `fields` alone: what it reads, and the fields it
 * writes that {@link changesOf} compares with what they hold (every last-value field, and a
 * keyed field such as `points`; an appended list needs no reading for that). LangGraph hands
 * such a node just these channels: it builds a node's input from every channel the node reads,
 * at every step, and a step node needs a third of the state.
 */
export function nodeInput<K extends Field>(fields: readonly K[]) {
  return Annotation.Root(Object.fromEntries(fields.map((field) => [field, EpisodeState.spec[field]])) as Pick<typeof EpisodeState.spec, K>);
}


/** The fields a reducer adds each update to (the others hold the last value written). */
const REDUCED: ReadonlySet<string> = new Set(Object.entries(EpisodeState.spec).flatMap(([key, channel]) => (channel instanceof BinaryOperatorAggregate ? [key] : [])));

/**
 * The fields that are lists only ever appended to (their reducer is `concat`), whose items no
 * node changes once written: a checkpoint stores what a step adds to them, not the whole list again.
 */
export const APPENDED_FIELDS: readonly string[] = Object.entries(EpisodeState.spec).flatMap(([key, channel]) =>
  channel instanceof BinaryOperatorAggregate && channel.operator === concat ? [key] : [],
);

/** Whether adding `value` to a reduced field changes nothing: no number, no items, no entry the field does not hold already. */
function addsNothing(value: unknown, held: unknown): boolean {
  if (value === 0) return true;
  if (Array.isArray(value)) return value.length === 0;
  if (typeof value !== "object" || value === null) return false;
  const holding = held as Record<string, unknown> | undefined;
  return Object.entries(value).every(([key, item]) => holding?.[key] === item);
}

/**
 * A node's update without the writes that change nothing: a field set to the value it holds,
 * or a reduced field given nothing to add (a field the node did not read is always written).
 * LangGraph pays for every channel a node writes, at every step, so the episode graph writes
 * only what changes; the state after the update is the same either way.
 */
export function changesOf(state: Partial<State>, update: Update): Update {
  const kept: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(update)) {
    const held = (state as Record<string, unknown>)[key];
    if (REDUCED.has(key) ? addsNothing(value, held) : value === held) continue;
    kept[key] = value;
  }
  return kept as Update;
}

/** The graph's input for a new episode: its goal and the environment's first observation. */
export function episodeInput({
  episode,
  goal,
  taskType,
  start,
  rng,
  todoState,
  environmentState,
}: {
  episode: number;
  goal: string;
  taskType: string;
  start: { observation: string; actions: string[]; info: Record<string, unknown> };
  rng: RngState;
  todoState: TodoSnapshot;
  environmentState: JsonValue | null;
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
    rng,
    todoState,
    environmentState,
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
