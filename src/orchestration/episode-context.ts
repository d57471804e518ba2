import type { LangGraphRunnableConfig } from "@langchain/langgraph";
import type { JottyConfig } from "../config/index.js";
import type { Environment } from "../environments/index.js";
import { JottyError } from "../errors/index.js";
import type { Experience } from "../experience/index.js";
import type { DecisionEvidence } from "../knowledge/index.js";
import type { QPredictor } from "../learning/index.js";
import type { HierarchicalMemory, MemoryLearner } from "../memory/index.js";
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
  /**
   * Set when the episode runs alongside others: it reads the learned state as it was when it
   * began and changes nothing; its journal (in its state) is applied when its turn to commit
   * comes, so the result does not depend on how episodes interleave.
   */
  deferred: boolean;
  /** The episode records and learns (PERSISTENT and CONTEXTUAL training). */
  learning: boolean;
  /** Actors may explore (not while evaluating). */
  explore: boolean;
  /** Checkpoints are kept (PERSISTENT mode): the environment's episode is captured after each step. */
  checkpointed: boolean;
  /**
   * The episode's trajectory in the Experience module ("" while it records none): a handle
   * into this process's learned state, so it lives here and not in the checkpointed state.
   */
  experienceId: string;
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
  return context.learning && !context.deferred;
}

/** The memory a journal names: the shared one or an actor's. */
export function memoryNamed(services: EpisodeServices, name: string): HierarchicalMemory | undefined {
  return name === services.sharedMemory.name ? services.sharedMemory : services.localMemories.get(name);
}

/** Who a decision of `actor` belongs to: the actor, and the team's user and tenant. */
export function ownerOf(config: JottyConfig, actor: string): Owner {
  return { actor, ...config.owner };
}
