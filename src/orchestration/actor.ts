import type { QPredictor } from "../learning/index.js";
import type { HierarchicalMemory, RetrievedMemory } from "../memory/index.js";
import type { Rng } from "../util/index.js";
import type { ActorMemory } from "./actor-memory.js";
import type { ExecutionMode } from "./execution-mode.js";

/** What an actor sees when it is its turn. */
export interface ActorContext {
  /** What the team is trying to achieve. */
  goal: string;
  /** The situation, in plain words. */
  observation: string;
  /** The actions the environment accepts now. */
  actions: readonly string[];
  /** Step of the episode, from 0. */
  step: number;
  /** Episode number, from 0. */
  episode: number;
  /** What the team has learned that bears on this decision: rules with their evidence, procedures, causes, examples. */
  learnedContext: string;
  /** This actor's own memories for the goal. */
  localMemories: readonly RetrievedMemory[];
  /** This actor's own memory. */
  localMemory: HierarchicalMemory;
  /** Reads of its own and the shared memory (never another actor's), writes of its own. */
  memory: ActorMemory;
  /** The team's Q-predictor, for valuing candidate actions. */
  q: QPredictor;
  /** The episode's execution mode. */
  mode: ExecutionMode;
  /** In MIXED mode, the action a similar past success took at this step. */
  hint?: { action: string; similarity: number };
  /** The seeded generator for any random choice. */
  rng: Rng;
  /** False when evaluating: choose the best-valued action, no exploration. */
  explore: boolean;
}

/** What an actor decides. */
export interface ActorDecision {
  /** One of the candidate actions (or free text where the environment accepts it). */
  action: string;
  /** Why, when the actor says. */
  reasoning?: string;
  /** Model calls made for this decision. */
  llmCalls?: number;
  /** Tokens spent on them. */
  tokens?: number;
  /** `<memory>/<id>` of the memories that bore on the decision: they are credited with its outcome. */
  memories?: string[];
  /** Set when the actor could not decide itself and fell back (and why). */
  fallback?: string;
}

/**
 * An actor of the team: a name, what it can do, which actors must act before it, and a way to
 * decide. `act` may throw; the Conductor then fails the step with a negative reward.
 */
export interface Actor {
  readonly name: string;
  readonly capabilities: readonly string[];
  /** Names of actors whose turn comes first in each round. */
  readonly dependsOn: readonly string[];
  /**
   * True for an actor that decides from the learned context (an LLM actor): while learning, the
   * Conductor may decide on its behalf (a confident rule, or exploration), and memories shown to
   * it are credited with its decisions. Absent or false: the context does not sway it.
   */
  readonly readsLearnedContext?: boolean;
  act(context: ActorContext): Promise<ActorDecision>;
}

/** Name, capabilities and dependencies of an actor. */
export interface ActorIdentity {
  name: string;
  capabilities?: readonly string[];
  dependsOn?: readonly string[];
}

/** Holds an actor's name, capabilities and dependencies; subclasses decide how to act. */
export abstract class BaseActor implements Actor {
  readonly name: string;
  readonly capabilities: readonly string[];
  readonly dependsOn: readonly string[];

  constructor(identity: ActorIdentity) {
    this.name = identity.name;
    this.capabilities = [...(identity.capabilities ?? [])];
    this.dependsOn = [...(identity.dependsOn ?? [])];
  }

  abstract act(context: ActorContext): Promise<ActorDecision>;
}
