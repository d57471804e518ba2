import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import type { JottyConfig } from "../config/index.js";
import type { Environment } from "../environments/index.js";
import { JottyError } from "../errors/index.js";
import type { Experience } from "../experience/index.js";
import type { DecisionEvidence, DecisionPoint } from "../knowledge/index.js";
import type { QPredictor, QUpdateInput } from "../learning/index.js";
import type { HierarchicalMemory, MemoryLearner, RetrievedMemory } from "../memory/index.js";
import type { Owner, Rng } from "../util/index.js";
import type { Actor } from "./actor.js";
import type { TodoList } from "./todo-list.js";
import type { TraceLibrary } from "./trace-library.js";

/** The team and its learned state: what every episode's nodes work with. */
export interface EpisodeServices {
  config: JottyConfig;
  environment: Environment;
  actors: ReadonlyMap<string, Actor>;
  sharedMemory: HierarchicalMemory;
  localMemories: ReadonlyMap<string, HierarchicalMemory>;
  learner: MemoryLearner;
  q: QPredictor;
  traces: TraceLibrary;
  evidence: DecisionEvidence;
  experience: Experience | undefined;
  todos: TodoList;
  /** The team's playbook in `experience`. */
  playbook: string;
  /** Lessons retracted since this process started: the finish node adds those its episode retracts. */
  retracted: string[];
}

/**
 * What an episode run alongside others would have changed, kept in order until its turn to
 * commit: concurrent episodes read the learned state as it was when they began and change
 * nothing, so their result does not depend on how they interleave.
 */
export interface DeferredLearning {
  /** Memories retrieved, in order: their accesses are recorded (and traced by the memory learner) at commit. */
  accesses: Array<{ memory: HierarchicalMemory; ids: string[] }>;
  /** The Q updates of the episode's steps, in order. */
  updates: QUpdateInput[];
  /** The steps for the episode's trajectory in the Experience module. */
  steps: Array<{ type: "action"; description: string; result: string }>;
}

/**
 * What one invocation of the episode graph runs with, handed to its nodes as LangGraph's
 * runtime context (`config.context`): the services, and what belongs to this episode alone.
 * Training and evaluation are different invocations: they differ in `learning`, `explore`
 * and `rng`, not in a flag on the Conductor.
 */
export interface EpisodeContext {
  services: EpisodeServices;
  /** Where this episode's random choices come from. */
  rng: Rng;
  /** The environment instance this episode runs in (its own when episodes run concurrently). */
  environment: Environment;
  /** The episode's todo state (its own when episodes run concurrently). */
  todos: TodoList;
  /** Set when the episode runs alongside others: its learning waits for its turn to commit. */
  deferred: DeferredLearning | undefined;
  /** The episode records and learns (PERSISTENT and CONTEXTUAL training). */
  learning: boolean;
  /** Actors may explore (not while evaluating). */
  explore: boolean;
  /** Each actor's local memories, recalled once an episode. */
  localRecall: Map<string, RetrievedMemory[]>;
  /** The decision points the episode met, by key. */
  points: Map<string, DecisionPoint>;
}

/**
 * The episode context a node was invoked with.
 *
 * @throws JottyError `invalid_argument` when the graph was invoked without one.
 */
export function episodeContext(config: LangGraphRunnableConfig | undefined): EpisodeContext {
  const context = (config?.context as { episode?: EpisodeContext } | undefined)?.episode;
  if (context === undefined) {
    throw new JottyError({
      code: "invalid_argument",
      message: "The episode graph was invoked without its episode context; invoke it with { context: { episode } } as the Conductor does.",
    });
  }
  return context;
}

/** Whether the episode changes the learned state as it goes: learning, and not deferred. */
export function recordsNow(context: EpisodeContext): boolean {
  return context.learning && context.deferred === undefined;
}

/** Who a decision of `actor` belongs to: the actor, and the team's user and tenant. */
export function ownerOf(config: JottyConfig, actor: string): Owner {
  return { actor, ...config.owner };
}
