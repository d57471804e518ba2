import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { Annotation, END, START, StateGraph } from "@langchain/langgraph";
import { parseConfig, type JottyConfig, type JottyConfigInput } from "../config/index.js";
import { createHash } from "node:crypto";
import { CachedEmbedder, cacheStats, createEmbedder, type CacheStats, type Embedder } from "../embeddings/index.js";
import { createEnvironment, type Environment } from "../environments/index.js";
import { JottyError } from "../errors/index.js";
import { Experience } from "../experience/index.js";
import { DecisionEvidence, decisionPointOf, type ContextExample, type ContextStrategy, type DecisionPoint } from "../knowledge/index.js";
import { normalizeText, QPredictor } from "../learning/index.js";
import { epsilonAt } from "../learning/math/index.js";
import { CircuitBreaker, createChatModel, LlmUsage } from "../llm/index.js";
import { HierarchicalMemory, MEMORY_LEVELS, MemoryLearner, type MemoryChange, type MemoryLevel, type RetrievedMemory } from "../memory/index.js";
import { Vault, type JottyState, type VaultCheckpointer, type VaultUsage } from "../persistence/index.js";
import { Telemetry, type LatencySummary, type TimedOperation } from "../telemetry/index.js";
import { Rng, systemClock, type Clock, type Owner } from "../util/index.js";
import { ActorMemory } from "./actor-memory.js";
import type { Actor, ActorDecision } from "./actor.js";
import { creditActors } from "./credit.js";
import { ExecutionMode } from "./execution-mode.js";
import { LLMActor } from "./llm-actor.js";
import { PolicyActor } from "./policy-actor.js";
import { TodoList } from "./todo-list.js";
import { TraceLibrary } from "./trace-library.js";
import { checkLearnedState, restoreLearnedState, type LearnedStateParts, type RestoredState } from "./learned-state.js";
import { decisionContext, decisionOnBehalf } from "./decision-knowledge.js";
import { writeKnowledgeMemories } from "./knowledge-memories.js";
import { memoryTargets } from "./memory-credit.js";

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

/** What {@link Conductor.metrics} returns: how the learned state is used and how big it is. */
export interface ConductorMetrics {
  /** p50 / p95 / p99 (and count, mean, extremes) in milliseconds, since this process started. */
  latency: Record<TimedOperation, LatencySummary>;
  memories: {
    total: number;
    byLevel: Record<MemoryLevel, number>;
    /** Memories per owner: `shared` for the team's memory, else the actor's name. */
    byActor: Record<string, number>;
  };
  qEntries: number;
  /** Lessons in force: drawn from the decision evidence. */
  lessons: number;
  /** What the decision evidence holds: episodes, decision points, procedures, causes, meta statements, retractions. */
  knowledge: { episodes: number; points: number; procedures: number; causes: number; meta: number; retractions: number; retractedThisRun: number };
  /** Model calls, tokens and cost (tokens × `llm.costPer1kTokens` / 1000) per execution mode, over every run. */
  llm: {
    byMode: Record<ExecutionMode, { episodes: number; calls: number; tokens: number; cost: number }>;
    /** Calls the Q-predictor made for values (for policy actors' decisions: already counted in `byMode`). */
    qPredictor: { calls: number; tokens: number; cost: number };
    /**
     * Summaries and reflections the learning loops asked for (memory consolidation, reflection,
     * reflection summaries) since this process started. Each failure, an answer rejected for its
     * shape or grounding included, fell back to the rules; `skipped` calls were not made while a
     * circuit breaker was open.
     */
    learning: { calls: number; failures: number; rejected: number; skipped: number; tokens: number; cost: number };
    total: { calls: number; tokens: number; cost: number };
  };
  /** Hits of the embedding cache and of the memory search caches since this process started. */
  cache: { embeddings: CacheStats; retrieval: CacheStats; hitRate: number };
  /** Learned state on disk (PERSISTENT and loaded DISABLED runs; null without a Vault). */
  disk: VaultUsage | null;
}

/** Options of {@link Conductor.create}. */
export interface ConductorOptions {
  /** The config, parsed or as written. */
  config: JottyConfig | JottyConfigInput;
  /** The team; built from `config.actors` when absent. */
  actors?: readonly Actor[];
  /** Where episodes run; built from `config.environment` when absent. */
  environment?: Environment;
  /** The chat model for LLM actors and summaries; built from `config.llm` when absent. */
  llm?: BaseChatModel;
  /** The embedder; built from `config.embeddings` when absent. */
  embedder?: Embedder;
  /** Where time is read. @default systemClock */
  clock?: Clock;
  /**
   * Told about what was handled without an error: runs skipped while loading, crash leftovers
   * cleaned, another process learning into the same folder, checkpoints of unfinished episodes dropped.
   */
  onWarning?: (warning: string) => void;
  /** Told about every error an episode records (actor failures, refused actions, fallbacks, learning errors). */
  onError?: (error: string, episode: number) => void;
}

interface Decision extends ActorDecision {
  actor: string;
  source: TrajectoryStep["source"];
  action: string;
  memories?: string[];
}

interface Transition {
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
const EpisodeState = Annotation.Root({
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

type State = typeof EpisodeState.State;
type Update = typeof EpisodeState.Update;

/** Thread ids of the Conductor's episodes start with this (older Jottys wrote `episode-<n>-<time>`). */
const EPISODE_THREAD = "jotty-episode-";

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Coordinates a team of actors over a LangGraph graph and learns from every step.
 *
 * Each episode runs the graph recall → plan → act → observe → learn (→ plan …) → finish:
 * memories and lessons are recalled for the goal, a stored trace may be replayed (FOLLOWER)
 * or used as guidance (MIXED), the next actor is taken from the todo state, its action is
 * applied to the environment, the Q-predictor learns from the transition, and at the end the
 * memories used are credited by TD(λ), the episode is remembered, and (in PERSISTENT mode)
 * the learned state is saved through the Vault.
 *
 * @example
 * ```ts
 * const conductor = await Conductor.create({ config: { learningMode: "persistent", environment: { name: "cliff-walking" } } });
 * await conductor.train({ episodes: 200 });
 * await conductor.close();
 * ```
 */
export class Conductor {
  readonly config: JottyConfig;
  readonly environment: Environment;
  readonly actors: ReadonlyMap<string, Actor>;
  readonly sharedMemory: HierarchicalMemory;
  readonly localMemories: ReadonlyMap<string, HierarchicalMemory>;
  readonly learner: MemoryLearner;
  readonly q: QPredictor;
  readonly traces: TraceLibrary;
  /** Per decision point, the outcomes of each option: where lessons, procedures, causes and meta statements come from. */
  readonly evidence: DecisionEvidence;
  readonly todos: TodoList;
  /** The learning loops (trajectories, reflection, the team's playbook), when enabled. */
  readonly experience: Experience | undefined;
  /** The team's playbook in `experience`. */
  readonly playbook: string;
  /** The run the learned state was loaded from, or null. */
  readonly loadedFrom: string | null;
  private readonly vault: Vault | undefined;
  private rng: Rng;
  private readonly clock: Clock;
  private checkpointer: VaultCheckpointer | undefined;
  private graph: ReturnType<Conductor["buildGraph"]>;
  private episodeCount = 0;
  /** Set while `evaluate` runs: nothing is learned and actors do not explore. */
  private evaluating = false;
  /** Episodes that learned (the persisted count); DISABLED episodes do not add to it. */
  private learnedEpisodes = 0;
  private unsaved = 0;
  private summary: Array<Record<string, unknown>> = [];
  private localRecall = new Map<string, RetrievedMemory[]>();
  /** Lessons retracted since this process started, when their evidence turned. */
  private retracted: string[] = [];
  /** The decision points of the running episode, by key. */
  private episodePoints = new Map<string, DecisionPoint>();
  private readonly onError: ((error: string, episode: number) => void) | undefined;
  private readonly onWarning: ((warning: string) => void) | undefined;
  private readonly telemetry: Telemetry;
  private readonly embedder: Embedder;
  /** Local memories of actors left out of this run (`enabled: false`), carried over unchanged. */
  private readonly dormant: Record<string, Record<string, unknown>>;
  /** Gives back the folder's writer lease (PERSISTENT mode). */
  private releaseWriter: (() => Promise<void>) | undefined;
  /** The run this Conductor's state grew from: the one it loaded or last saved. */
  private lastRun: string | null;
  private closed = false;
  /** Built from the config (not handed in), so the Conductor closes it. */
  private readonly ownsEnvironment: boolean;
  /** Ids created, updated and removed since the last save, for the audit log. */
  private changes: Record<"create" | "update" | "delete" | "prune", Set<string>> = { create: new Set(), update: new Set(), delete: new Set(), prune: new Set() };

  private constructor(parts: {
    config: JottyConfig;
    environment: Environment;
    actors: readonly Actor[];
    sharedMemory: HierarchicalMemory;
    localMemories: Map<string, HierarchicalMemory>;
    learner: MemoryLearner;
    q: QPredictor;
    traces: TraceLibrary;
    evidence: DecisionEvidence;
    experience: Experience | undefined;
    vault: Vault | undefined;
    loadedFrom: string | null;
    clock: Clock;
    onError: ((error: string, episode: number) => void) | undefined;
    onWarning: ((warning: string) => void) | undefined;
    telemetry: Telemetry;
    embedder: Embedder;
    dormant: Record<string, Record<string, unknown>>;
    releaseWriter: (() => Promise<void>) | undefined;
    ownsEnvironment: boolean;
  }) {
    this.releaseWriter = parts.releaseWriter;
    this.ownsEnvironment = parts.ownsEnvironment;
    this.lastRun = parts.loadedFrom;
    this.onError = parts.onError;
    this.onWarning = parts.onWarning;
    this.telemetry = parts.telemetry;
    this.embedder = parts.embedder;
    this.dormant = parts.dormant;
    this.config = parts.config;
    this.environment = parts.environment;
    this.actors = new Map(parts.actors.map((actor) => [actor.name, actor]));
    this.sharedMemory = parts.sharedMemory;
    this.localMemories = parts.localMemories;
    this.learner = parts.learner;
    this.q = parts.q;
    this.traces = parts.traces;
    this.evidence = parts.evidence;
    this.experience = parts.experience;
    this.playbook = `team:${parts.config.name}`;
    this.vault = parts.vault;
    this.loadedFrom = parts.loadedFrom;
    this.clock = parts.clock;
    this.rng = new Rng(parts.config.seed);
    this.todos = new TodoList(parts.actors.map((actor) => ({ name: actor.name, dependsOn: actor.dependsOn.filter((name) => this.actors.has(name)) })));
    this.graph = this.buildGraph();
    if (this.vault !== undefined) {
      // Every change of learned state is written to the audit log with the save that persists it.
      for (const memory of [this.sharedMemory, ...this.localMemories.values()]) {
        memory.onChange((change) => this.noteChange(`${memory.name}/${change.id}`, change));
      }
      this.q.onChange((change) => this.noteChange(`q/${createHash("sha256").update(change.key).digest("hex").slice(0, 16)}`, change));
    }
  }

  private noteChange(id: string, change: { action: "create" | "update" | "delete"; reason?: MemoryChange["reason"] }): void {
    const action = change.reason === "pruned" ? "prune" : change.action;
    // An entry made and then changed since the last save counts as made; one removed is no longer updated.
    if (action === "update" && this.changes.create.has(id)) return;
    if (action === "delete" || action === "prune") this.changes.update.delete(id);
    this.changes[action].add(id);
  }

  /** Who a decision of `actor` belongs to: the actor, and the team's user and tenant. */
  private ownerOf(actor: string): Owner {
    return { actor, ...this.config.owner };
  }

  /** The team playbook's scope: its tenant, else its user, else global. */
  private playbookScope(): { kind: "tenant" | "user" | "global"; id?: string } {
    const { tenant, user } = this.config.owner;
    if (tenant !== undefined) return { kind: "tenant", id: tenant };
    return user === undefined ? { kind: "global" } : { kind: "user", id: user };
  }

  /** Whether this run learns (PERSISTENT and CONTEXTUAL) or only acts (DISABLED). */
  get learning(): boolean {
    return this.config.learningMode !== "disabled" && !this.evaluating;
  }

  /** Episodes run, including those of the runs it loaded. */
  get episodes(): number {
    return this.episodeCount;
  }

  /**
   * Builds the team and its learned state and applies the learning mode: PERSISTENT loads the
   * newest complete run (see `loadedFrom`), DISABLED only the run `persistence.loadRun` names,
   * CONTEXTUAL starts empty.
   *
   * @throws JottyError `config_invalid` for a bad config or an LLM actor without a model, and
   *   whatever loading the named state throws.
   */
  static async create(options: ConductorOptions): Promise<Conductor> {
    const config = parseConfig(options.config);
    const clock = options.clock ?? systemClock;
    const telemetry = new Telemetry();
    const rawEmbedder = options.embedder ?? createEmbedder(config.embeddings);
    // One LRU cache of vectors in front of the embedder, shared by memories, Q-predictor, traces and playbooks.
    const embedder = config.cache.embeddings > 0 ? new CachedEmbedder(rawEmbedder, { capacity: config.cache.embeddings }) : rawEmbedder;
    const llm = options.llm ?? (config.llm === undefined ? undefined : createChatModel(config.llm));
    // One breaker for the model, shared by all who call it: when the endpoint errs or times out, everyone stops asking.
    const modelBreaker = llm === undefined ? undefined : new CircuitBreaker({ clock });
    // And one for the learning loops' summaries and reflections: a model that cannot write them is not asked by each loop in turn.
    const withModel = llm === undefined || modelBreaker === undefined ? {} : { llm, modelBreaker, answerBreaker: new CircuitBreaker({ clock }) };
    const environment = options.environment ?? createEnvironment(config.environment.name, config.environment.options);
    const enabled = (name: string): boolean => config.actorOverrides[name]?.enabled !== false;
    const team =
      options.actors ??
      config.actors.filter((actor) => enabled(actor.name)).map((actor) => {
        if (actor.kind === "llm") {
          if (llm === undefined) {
            throw new JottyError({
              code: "config_invalid",
              message: `Actor "${actor.name}" is an LLM actor but no model is configured; add an llm section to the config or pass llm.`,
            });
          }
          return new LLMActor({ ...actor, model: llm, ...(modelBreaker === undefined ? {} : { modelBreaker }), maxRetries: config.llm?.maxRetries ?? 2, timeoutMs: config.llm?.timeoutMs ?? 30_000 });
        }
        return new PolicyActor({ ...actor, hintBonus: config.conductor.executionModes.mixedBonus, memoryWeight: config.conductor.memoryPrior });
      });
    // Actors handed in are left out by their overrides too.
    const actors = team.filter((actor) => enabled(actor.name));
    if (actors.length === 0) throw new JottyError({ code: "config_invalid", message: "A Conductor needs at least one actor." });
    const names = new Set(actors.map((actor) => actor.name));
    if (names.size !== actors.length) throw new JottyError({ code: "config_invalid", message: "Actor names must be unique." });
    // An actor's name names its memory's file in every saved run: it must be a plain file name.
    for (const actor of actors) {
      if (typeof actor.name !== "string" || !/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(actor.name) || actor.name.length > 100) {
        throw new JottyError({
          code: "config_invalid",
          message: `Actor name ${JSON.stringify(actor.name)} cannot be used: names are letters, digits, '.', '_' and '-' (starting with a letter or digit, at most 100), since each actor's memory is saved under its name.`,
        });
      }
    }

    const memoryOptions = { embedder, clock, telemetry, retrievalCache: config.cache.retrieval, ...withModel };
    /** An actor's memory settings: the team's, with the actor's capacity overrides. */
    const localSettings = (name: string) => {
      const overrides = Object.entries(config.actorOverrides[name]?.capacities ?? {}).filter(([, capacity]) => capacity !== undefined);
      return { ...config.memory, capacities: { ...config.memory.capacities, ...Object.fromEntries(overrides) } };
    };
    let sharedMemory = HierarchicalMemory.fromConfig(config, { name: "shared", ...memoryOptions });
    const localMemories = new Map(
      actors.map((actor) => [actor.name, HierarchicalMemory.fromConfig({ ...config, memory: localSettings(actor.name) }, { name: actor.name, ...memoryOptions })]),
    );
    const qEmbedder = config.qPredictor.similarity ? { embedder } : {};
    // The Q-predictor asks the model for pairs nothing near is known about (policy actors' decisions).
    const qModel = llm === undefined || modelBreaker === undefined ? {} : { llm, modelBreaker };
    let q = QPredictor.fromConfig(config, { ...qEmbedder, ...qModel, clock, telemetry });
    const experienceOptions = {
      embedder,
      clock,
      mergeSimilarity: config.experience.mergeSimilarity,
      maxStrategies: config.experience.maxStrategies,
      maxTrajectories: config.experience.maxTrajectories,
      ...withModel,
    };
    let experience = config.experience.enabled ? new Experience(experienceOptions) : undefined;

    const needsVault = config.learningMode === "persistent" || (config.learningMode === "disabled" && config.persistence.loadRun !== undefined);
    const vault = needsVault
      ? await Vault.fromConfig(config, {
          clock,
          telemetry,
          ...(config.owner.user === undefined ? {} : { auditBy: config.owner.user }),
          ...(options.onWarning === undefined ? {} : { onWarning: options.onWarning }),
        })
      : undefined;
    // One learning process a folder at a time (or as persistence.concurrentWriters says), taken
    // before loading so that a waiting run starts from what the other one saved.
    const releaseWriter = config.learningMode === "persistent" && vault !== undefined ? await vault.acquireWriter({ onBusy: config.persistence.concurrentWriters }) : undefined;
    const parts: LearnedStateParts = {
      config,
      embedder,
      memoryOptions,
      localSettings,
      actorNames: new Set(localMemories.keys()),
      qOptions: { ...qEmbedder, ...qModel, clock, telemetry },
      experienceOptions,
    };
    let loaded: { run: string; restored: RestoredState } | null = null;
    try {
      // A run whose state does not restore is skipped (with a warning) for the one before it.
      if (config.learningMode === "persistent") loaded = (await vault?.loadLatest({ restore: (state) => restoreLearnedState(state, parts) })) ?? null;
      else if (vault !== undefined && config.persistence.loadRun !== undefined) {
        const named = await vault.load(config.persistence.loadRun);
        loaded = { run: named.run, restored: await restoreLearnedState(named.state, parts) };
      }
    } catch (error) {
      await releaseWriter?.();
      throw error;
    }
    let episodes = 0;
    let todoState: unknown;
    let dormant: Record<string, Record<string, unknown>> = {};
    let learner = MemoryLearner.fromConfig(config);
    let traces = new TraceLibrary(embedder, config.conductor.executionModes);
    let evidence = new DecisionEvidence();
    if (loaded !== null) {
      const { restored } = loaded;
      if (restored.sharedMemory !== undefined) sharedMemory = restored.sharedMemory;
      for (const [name, memory] of restored.localMemories) localMemories.set(name, memory);
      if (restored.q !== undefined) q = restored.q;
      if (restored.experience !== undefined) experience = restored.experience;
      ({ learner, traces, evidence, episodes, todoState, dormant } = restored);
    }
    learner.attach(sharedMemory);
    for (const [name, memory] of localMemories) {
      const alpha = config.actorOverrides[name]?.learningRate;
      learner.attach(memory, alpha === undefined ? {} : { alpha });
    }
    const conductor = new Conductor({
      config,
      environment,
      actors,
      sharedMemory,
      localMemories,
      learner,
      q,
      traces,
      evidence,
      experience,
      vault,
      loadedFrom: loaded?.run ?? null,
      clock,
      onError: options.onError,
      onWarning: options.onWarning,
      telemetry,
      embedder,
      dormant,
      releaseWriter,
      ownsEnvironment: options.environment === undefined,
    });
    conductor.episodeCount = episodes;
    conductor.learnedEpisodes = conductor.episodeCount;
    if (todoState !== undefined) conductor.todos.restoreState(todoState);
    return conductor;
  }

  private buildGraph() {
    return new StateGraph(EpisodeState)
      .addNode("recall", (state) => this.recall(state))
      .addNode("plan", (state) => this.plan(state))
      .addNode("act", (state) => this.act(state))
      .addNode("observe", (state) => this.observe(state))
      .addNode("learn", (state) => this.learn(state))
      .addNode("finish", (state) => this.finish(state))
      .addEdge(START, "recall")
      .addEdge("recall", "plan")
      .addConditionalEdges("plan", (state) => (state.stopped ? "finish" : "act"), ["act", "finish"])
      .addEdge("act", "observe")
      .addEdge("observe", "learn")
      .addConditionalEdges(
        "learn",
        (state) => (state.done || state.stopped || state.step >= this.config.training.maxStepsPerEpisode ? "finish" : "plan"),
        ["plan", "finish"],
      )
      .addEdge("finish", END)
      .compile(this.checkpointer === undefined ? {} : { checkpointer: this.checkpointer });
  }

  private async recall(state: State): Promise<Update> {
    const record = this.learning;
    if (record) {
      if (this.learner.active) this.learner.abandonEpisode();
      await this.learner.startEpisode({ goal: state.goal, taskType: state.taskType });
    }
    const { k, maxTokens } = this.config.conductor.recall;
    // The team's context goes to every actor: it holds no memory an actor owns. Episodes are
    // its examples; rules, procedures and causes come from the decision evidence at each step.
    const memories = await this.sharedMemory.retrieve({
      goal: state.goal,
      query: `${state.goal}\n${state.observation}`,
      k,
      maxTokens,
      record,
      visibleTo: null,
      levels: ["episodic", "semantic"],
    });
    const examples: ContextExample[] = memories.map((memory) => ({ id: `${this.sharedMemory.name}/${memory.id}`, kind: memory.kind, content: memory.content, value: memory.value }));
    this.localRecall = new Map();
    let strategies: ContextStrategy[] = [];
    let experienceId = "";
    if (this.experience !== undefined) {
      const relevant = await this.experience.playbooks.relevantStrategies({ name: this.playbook, task: state.goal, k: this.config.experience.strategies });
      strategies = relevant.map((strategy) => ({ type: strategy.type, description: strategy.description, helpful: strategy.helpfulCount, harmful: strategy.harmfulCount }));
      if (record) {
        experienceId = this.experience.startTrajectory({
          task: state.goal,
          taskType: state.taskType,
          agentId: this.todos.actorOrder.join("+"),
          userId: "conductor",
          playbook: this.playbook,
        });
      }
    }
    return { examples, strategies, experienceId };
  }

  private async plan(state: State): Promise<Update> {
    const update: Update = {};
    if (state.step === 0) {
      const match = await this.traces.match(state.goal);
      let mode = this.traces.chooseMode(match?.similarity);
      // Exploration episodes (at the policy's ε) reason afresh, so a better path can replace the stored one.
      if (this.learning && mode !== ExecutionMode.LEARNER && this.rng.next() < this.explorationRate()) mode = ExecutionMode.LEARNER;
      update.mode = mode;
      update.traceActions = mode === ExecutionMode.LEARNER || match === undefined ? [] : match.trace.actions;
      update.traceSimilarity = match?.similarity ?? 0;
      update.traceId = mode === ExecutionMode.LEARNER || match === undefined ? "" : match.trace.id;
    }
    const wanted = state.capability === "" ? undefined : [...this.actors.values()].find((actor) => actor.capabilities.includes(state.capability));
    const item = wanted === undefined ? this.todos.next() : this.todos.take(wanted.name);
    if (item === undefined) {
      return { ...update, stopped: true, errors: [`step ${state.step}: every actor's turn is blocked`] };
    }
    this.todos.start(item.id);
    return { ...update, actor: item.actor, todoId: item.id };
  }

  private explorationRate(): number {
    const setting = this.config.conductor.executionModes.exploration;
    if (setting !== "policy") return setting;
    const policy = this.config.qPredictor.policy;
    if (policy.kind === "epsilon-greedy") return policy.epsilon ?? epsilonAt(this.config.learning.epsilon, this.q.episode);
    return policy.kind === "greedy" ? 0 : epsilonAt(this.config.learning.epsilon, this.q.episode);
  }

  private async act(state: State): Promise<Update> {
    const actor = this.actors.get(state.actor) as Actor;
    const expected = state.traceActions[state.step];
    if (state.mode === ExecutionMode.FOLLOWER) {
      const replay = expected === undefined ? undefined : state.actions.find((candidate) => normalizeText(candidate) === normalizeText(expected));
      if (replay !== undefined) return { decision: { actor: actor.name, action: replay, source: "trace" } };
    }
    // A follower that diverged from its trace goes on as a learner.
    const mode = state.mode === ExecutionMode.FOLLOWER ? ExecutionMode.LEARNER : state.mode;
    const localMemory = this.localMemories.get(actor.name) as HierarchicalMemory;
    let localMemories = this.localRecall.get(actor.name);
    if (localMemories === undefined) {
      localMemories = await localMemory.retrieve({ goal: state.goal, k: 3, record: this.learning });
      this.localRecall.set(actor.name, localMemories);
    }
    const hint =
      mode === ExecutionMode.MIXED && expected !== undefined ? { action: expected, similarity: state.traceSimilarity } : undefined;
    const reads = actor.readsLearnedContext === true;
    if (this.learning) {
      const provenSoFar = state.trajectory.every((step) => step.point === undefined || (step.action !== null && this.evidence.proven(step.point, step.action)));
      const probed = state.trajectory.some((step) => step.source === "probe");
      const decided = new Set(state.trajectory.flatMap((step) => (step.point === undefined ? [] : [step.point])));
      const ahead = [...(this.evidence.knowledge().pointsByTask.get(state.taskType) ?? [])].filter((point) => point !== state.point?.key && !decided.has(point));
      const unprovenAhead = ahead.some((point) => !(this.evidence.point(point)?.options ?? []).some((option) => this.evidence.proven(point, option)));
      const taken = decisionOnBehalf({
        evidence: this.evidence,
        point: state.point,
        actions: state.actions,
        settings: this.config.conductor.knowledge,
        rng: this.rng,
        readsContext: reads,
        provenSoFar,
        probed,
        unprovenAhead,
      });
      if (taken !== undefined) return { mode, decision: { actor: actor.name, ...taken } };
    }
    const context = decisionContext({
      evidence: this.evidence,
      point: state.point,
      taskType: state.taskType,
      examples: state.examples,
      strategies: state.strategies,
      maxTokens: this.config.conductor.knowledge.maxTokens,
    });
    // What was in the actor's view: only these memories can be credited with its decision.
    const memories = reads ? [...context.memories, ...localMemories.map((memory) => `${localMemory.name}/${memory.id}`)] : undefined;
    try {
      const decision = await actor.act({
        goal: state.goal,
        observation: state.observation,
        actions: state.actions,
        step: state.step,
        episode: state.episode,
        learnedContext: context.text,
        localMemories,
        localMemory,
        memory: new ActorMemory(actor.name, localMemory, this.sharedMemory, this.config.owner, this.learning),
        q: this.q,
        mode,
        ...(hint === undefined ? {} : { hint }),
        rng: this.rng,
        explore: !this.evaluating,
      });
      const shown = [...new Set([...(memories ?? []), ...(decision.memories ?? [])])];
      return {
        mode,
        decision: { ...decision, actor: actor.name, source: decision.fallback === undefined ? "actor" : "fallback", ...(shown.length === 0 ? {} : { memories: shown }) },
        llmCalls: decision.llmCalls ?? 0,
        tokens: decision.tokens ?? 0,
        errors: decision.fallback === undefined ? [] : [`step ${state.step}: ${actor.name} fell back to the value policy: ${decision.fallback}`],
      };
    } catch (error) {
      return {
        mode,
        decision: { actor: actor.name, action: "", source: "failed", reasoning: describe(error) },
        errors: [`step ${state.step}: ${actor.name} failed: ${describe(error)}`],
      };
    }
  }

  private async observe(state: State): Promise<Update> {
    const decision = state.decision as Decision;
    const { actorErrorReward, invalidActionReward, onActorError } = this.config.conductor;
    const failure = (reward: number, error: string, stop: boolean): Update => ({
      transition: {
        actor: decision.actor,
        state: state.observation,
        action: decision.action,
        reward,
        nextState: state.observation,
        nextActions: state.actions,
        done: stop,
        learnable: false,
      },
      stopped: stop,
      step: state.step + 1,
      totalReward: state.totalReward + reward,
      trajectory: [{ step: state.step, actor: decision.actor, observation: state.observation, action: null, reward, source: "failed", reasoning: error }],
    });
    if (decision.source === "failed") return failure(actorErrorReward, decision.reasoning ?? "", onActorError === "stop");
    if (state.point !== null) this.episodePoints.set(state.point.key, state.point);
    let result: Awaited<ReturnType<Environment["step"]>>;
    try {
      result = await this.environment.step(decision.action);
    } catch (error) {
      const refused = JottyError.is(error, "invalid_action");
      return {
        ...failure(refused ? invalidActionReward : actorErrorReward, describe(error), !refused && onActorError === "stop"),
        errors: [`step ${state.step}: ${refused ? "the environment refused the action" : "the environment failed"}: ${describe(error)}`],
      };
    }
    return {
      transition: {
        actor: decision.actor,
        state: state.observation,
        action: decision.action,
        reward: result.reward,
        nextState: result.observation,
        nextActions: result.actions,
        done: result.done,
        learnable: true,
      },
      observation: result.observation,
      actions: result.actions,
      capability: typeof result.info.capability === "string" ? result.info.capability : "",
      point: result.done ? null : (decisionPointOf({ observation: result.observation, actions: result.actions, info: result.info }) ?? null),
      done: result.done,
      success: result.done && result.info.success === true,
      step: state.step + 1,
      totalReward: state.totalReward + result.reward,
      trajectory: [
        {
          step: state.step,
          actor: decision.actor,
          observation: state.observation,
          action: decision.action,
          reward: result.reward,
          source: decision.source,
          ...(decision.reasoning === undefined ? {} : { reasoning: decision.reasoning }),
          ...(state.point === null ? {} : { point: state.point.key }),
          ...(decision.memories === undefined ? {} : { memories: decision.memories }),
        },
      ],
    };
  }

  private async learn(state: State): Promise<Update> {
    const transition = state.transition as Transition;
    const decision = state.decision as Decision;
    if (this.experience !== undefined && state.experienceId !== "") {
      const step = state.trajectory.at(-1);
      const firstSentence = transition.nextState.split(/(?<=\.)\s/)[0] ?? "";
      this.experience.logStep(state.experienceId, {
        type: "action",
        description: `${decision.actor}: ${step?.action ?? "(no action)"}`,
        result: step?.source === "failed" ? `failed: ${step.reasoning ?? ""}` : `reward ${transition.reward}; ${firstSentence}`,
      });
    }
    if (decision.source === "failed" || !transition.learnable) this.todos.block(state.todoId, `step ${state.step - 1} failed`);
    else this.todos.complete(state.todoId);
    // A blocked turn starts a fresh round on the next plan, so one failure does not end the team.
    if (decision.source === "failed" && !transition.done && !state.stopped) this.todos.reset();
    if (!this.learning || this.q.method === "monte-carlo") return { pending: null };
    const errors: string[] = [];
    const sarsa = this.q.method === "sarsa";
    const update = async (t: Transition, nextAction?: string): Promise<void> => {
      try {
        await this.q.update({
          state: t.state,
          action: t.action,
          reward: t.reward,
          nextState: t.done ? null : t.nextState,
          nextActions: t.nextActions,
          ...(nextAction === undefined ? {} : { nextAction }),
          done: t.done || nextAction === undefined && sarsa,
          owner: this.ownerOf(t.actor),
          alpha: this.config.actorOverrides[t.actor]?.learningRate,
        });
      } catch (error) {
        errors.push(`step ${state.step - 1}: learning failed: ${describe(error)}`);
      }
    };
    let pending: Transition | null = null;
    if (sarsa) {
      // SARSA needs the next action: learn the previous transition now that it is known.
      if (state.pending !== null && transition.learnable) await update(state.pending, transition.action);
      else if (state.pending !== null) await update({ ...state.pending, done: true });
      if (transition.learnable) {
        if (transition.done) await update(transition);
        else pending = transition;
      }
    } else if (transition.learnable) {
      await update(transition);
    }
    const ending = transition.done || state.stopped || state.step >= this.config.training.maxStepsPerEpisode;
    if (ending && pending !== null) {
      await update({ ...pending, done: true });
      pending = null;
    }
    return { pending, errors };
  }

  private async finish(state: State): Promise<Update> {
    const errors: string[] = [];
    const used = [...new Set(state.trajectory.map((step) => step.actor))];
    if (this.learning) {
      try {
        const { blamed, decisions } = await this.recordEvidence(state);
        // Memory values are probabilities of success, whatever the environment's reward scale; a
        // memory is credited only for the decisions it was shown for (see memoryTargets).
        if (this.learner.active) {
          await this.learner.endEpisode({
            reward: state.success ? 1 : 0,
            target: memoryTargets({
              steps: state.trajectory,
              success: state.success,
              blamed,
              optionsOf: (point) => this.episodePoints.get(point)?.options,
            }),
          });
        }
        await writeKnowledgeMemories({ memory: this.sharedMemory, evidence: this.evidence, taskType: state.taskType, decisions, success: state.success, blamed });
        const actions = state.trajectory.filter((step) => step.action !== null).map((step) => step.action as string);
        const outcome = state.success ? "succeeded" : "did not succeed";
        const path = actions.length <= 12 ? actions.join(" → ") : `${actions.slice(0, 6).join(" → ")} … ${actions.slice(-5).join(" → ")}`;
        await this.sharedMemory.store({
          level: "episodic",
          kind: state.success ? "success" : "failure",
          content: `Goal "${state.goal}" ${outcome} in ${state.step} steps with return ${state.totalReward.toFixed(2)}: ${path}`,
          taskType: state.taskType,
          goal: state.goal,
          value: state.success ? 0.7 : 0.3,
          sourceEpisode: `episode-${state.episode}`,
          ...this.config.owner,
        });
        for (const name of used) {
          const own = state.trajectory.filter((step) => step.actor === name);
          const choices = own.map((step) => step.action ?? "(failed)");
          await (this.localMemories.get(name) as HierarchicalMemory).store({
            level: "episodic",
            kind: state.success ? "success" : "failure",
            content: `For "${state.goal}" I chose ${choices.slice(0, 8).join(", ")}${choices.length > 8 ? ` and ${choices.length - 8} more` : ""}; the team ${outcome}.`,
            taskType: state.taskType,
            actor: name,
            goal: state.goal,
            value: state.success ? 0.7 : 0.3,
            sourceEpisode: `episode-${state.episode}`,
            ...this.config.owner,
          });
        }
        if (state.success && actions.length > 0) await this.traces.record({ goal: state.goal, actions, reward: state.totalReward });
        this.traces.recordOutcome(state.mode, { success: state.success, llmCalls: state.llmCalls, tokens: state.tokens });
        if (state.traceId !== "") this.traces.recordReplay(state.traceId, state.success);
        if (this.experience !== undefined && state.experienceId !== "") {
          this.experience.completeTrajectory(state.experienceId, {
            status: state.success ? "success" : "failure",
            metrics: { tokens: state.tokens },
            ...(state.success ? {} : { error: state.stopped ? "stopped" : "the goal was not reached" }),
          });
          await this.experience.curateFrom(state.experienceId, { playbook: this.playbook, scope: this.playbookScope() });
          this.experience.playbooks.recordUsage(this.playbook, { success: state.success });
        }
        if (this.q.method === "monte-carlo") {
          // A probe episode is the probe's outcome alone: the proven decisions around it are not blamed for it.
          const probe = state.trajectory.find((step) => step.source === "probe");
          await this.q.learnEpisode(
            (probe === undefined ? state.trajectory : [{ ...probe, reward: state.totalReward }])
              .filter((step) => step.action !== null)
              .map((step) => ({
                state: step.observation,
                action: step.action as string,
                reward: step.reward,
                owner: this.ownerOf(step.actor),
                alpha: this.config.actorOverrides[step.actor]?.learningRate,
              })),
          );
        }
        this.q.endEpisode({ return: state.totalReward });
        // Prioritised replay between episodes: the most surprising experiences are learned again.
        if (this.config.qPredictor.replayBatch > 0) await this.q.replay(this.config.qPredictor.replayBatch, this.rng);
        const every = this.config.conductor.consolidateEvery;
        if (every > 0 && (state.episode + 1) % every === 0) {
          for (const memory of [this.sharedMemory, ...this.localMemories.values()]) await memory.consolidate();
          await this.experience?.consolidateReflections();
        }
        const pruning = this.config.memory.pruning;
        // What a scheduled prune removes reaches the audit log with the save that persists it.
        if (pruning.every > 0 && (state.episode + 1) % pruning.every === 0) {
          for (const memory of [this.sharedMemory, ...this.localMemories.values()]) memory.prune({ policies: pruning.policies });
        }
      } catch (error) {
        errors.push(`finish: learning failed: ${describe(error)}`);
        if (this.learner.active) this.learner.abandonEpisode();
      }
    }
    return { errors };
  }

  /** Adds the episode to the decision evidence; returns its decisions and what its failure is blamed on. */
  private async recordEvidence(state: State): Promise<{ blamed: string[]; decisions: Array<{ point: string; chosen: string }> }> {
    const decisions = state.trajectory.flatMap((step) => {
      const point = step.point === undefined ? undefined : this.episodePoints.get(step.point);
      return point === undefined || step.action === null ? [] : [{ point, chosen: step.action }];
    });
    const outcome = state.done ? (state.observation.split(/(?<=[.!?])\s/)[0] ?? "").slice(0, 200) : state.stopped ? "stopped" : "ran out of steps";
    const { retracted, blamed } = this.evidence.record({
      episode: state.episode,
      taskType: state.taskType,
      success: state.success,
      return: state.totalReward,
      outcome,
      decisions,
    });
    this.retracted.push(...retracted);
    return { blamed, decisions: decisions.map(({ point, chosen }) => ({ point: point.key, chosen })) };
  }

  private input(goal: string, taskType: string, start: { observation: string; actions: string[]; info: Record<string, unknown> }): Update {
    return {
      episode: this.episodeCount,
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

  private async begin({ goal, task, taskType }: { goal?: string | undefined; task?: unknown; taskType?: string | undefined }) {
    if (this.config.learningMode === "persistent" && this.checkpointer === undefined && this.vault !== undefined) {
      this.checkpointer = await this.vault.checkpointer();
      // Episodes of a process that ended mid-episode: the Conductor does not resume them, so they go.
      const unfinished = this.checkpointer.adopted.filter((thread) => thread.startsWith(EPISODE_THREAD) || /^episode-\d+-\d+$/.test(thread));
      for (const thread of unfinished) await this.checkpointer.deleteThread(thread);
      if (unfinished.length > 0) this.warn(`dropped the checkpoints of ${unfinished.length} unfinished episode(s) of a process that stopped; episodes are not resumed, what they learned before their last save is kept`);
      this.graph = this.buildGraph();
    }
    const start = await this.environment.reset(this.rng.fork(), task === undefined ? {} : { task });
    this.todos.reset();
    this.episodePoints = new Map();
    const episodeGoal = goal ?? this.config.conductor.goal ?? this.environment.description;
    const threadId = `${EPISODE_THREAD}${this.episodeCount}-${this.clock.now()}`;
    const config = {
      recursionLimit: this.config.training.maxStepsPerEpisode * 5 + 20,
      configurable: { thread_id: threadId },
    };
    return { input: this.input(episodeGoal, taskType ?? this.environment.name, start), config, threadId };
  }

  private async complete(final: State, threadId: string, { counted = true }: { counted?: boolean } = {}): Promise<EpisodeResult> {
    const credit = creditActors({
      steps: final.trajectory.map((step) => ({ actor: step.actor, reward: step.reward })),
      episodeReturn: final.totalReward,
      ...this.config.conductor.credit,
    });
    const result: EpisodeResult = {
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
      credit,
      trajectory: final.trajectory,
    };
    for (const error of result.errors) this.onError?.(error, result.episode);
    await this.checkpointer?.deleteThread(threadId);
    if (!counted) return result;
    this.summary.push({
      episode: result.episode,
      success: result.success,
      reward: result.reward,
      steps: result.steps,
      mode: result.mode,
      llmCalls: result.llmCalls,
      tokens: result.tokens,
      errors: result.errors.length,
    });
    this.episodeCount += 1;
    if (this.learning) {
      this.learnedEpisodes += 1;
      this.unsaved += 1;
    }
    return result;
  }

  /**
   * Runs one episode.
   *
   * @param options - the goal (the config's or the environment's description by default),
   *   the task handed to the environment's `reset`, and its type (for baselines).
   */
  async run({ goal, task, taskType }: { goal?: string; task?: unknown; taskType?: string } = {}): Promise<EpisodeResult> {
    const { input, config, threadId } = await this.begin({ goal, task, taskType });
    const final = (await this.graph.invoke(input, config)) as State;
    return this.complete(final, threadId);
  }

  /**
   * Runs one episode, yielding an event as each node of the graph finishes (LangGraph's
   * `updates` stream); the last event is `finish`.
   */
  async *stream({ goal, task, taskType }: { goal?: string; task?: unknown; taskType?: string } = {}): AsyncGenerator<StepEvent, EpisodeResult> {
    const { input, config, threadId } = await this.begin({ goal, task, taskType });
    let state = { ...input, trajectory: [], errors: [], llmCalls: 0, tokens: 0 } as unknown as State;
    const stream = await this.graph.stream(input, { ...config, streamMode: "updates" });
    for await (const chunk of stream) {
      for (const [node, raw] of Object.entries(chunk as Record<string, Partial<State> | null>)) {
        const update = raw ?? {};
        const merged = { ...state, ...update } as State;
        merged.trajectory = state.trajectory.concat(update.trajectory ?? []);
        merged.errors = state.errors.concat(update.errors ?? []);
        merged.llmCalls = state.llmCalls + (update.llmCalls ?? 0);
        merged.tokens = state.tokens + (update.tokens ?? 0);
        state = merged;
        const last = update.trajectory?.at(-1);
        yield {
          node: node as StepEvent["node"],
          episode: state.episode,
          step: state.step,
          ...(state.actor === "" ? {} : { actor: state.actor }),
          ...(last === undefined ? {} : { action: last.action, reward: last.reward }),
          mode: state.mode,
          done: state.done,
        };
      }
    }
    return this.complete(state, threadId);
  }

  /**
   * Measures what has been learned without changing it: each task runs as an episode with
   * learning off and actors choosing their best-valued action (no exploration). Returns the
   * share of successes and the results.
   */
  async evaluate({ tasks }: { tasks: ReadonlyArray<{ goal?: string; task?: unknown; taskType?: string }> }): Promise<{ successRate: number; results: EpisodeResult[] }> {
    this.evaluating = true;
    // Its own generator from the seed: the same tasks evaluate the same way every time, and
    // the training stream is left where it was.
    const training = this.rng;
    this.rng = new Rng(this.config.seed);
    const results: EpisodeResult[] = [];
    try {
      for (const task of tasks) {
        const { input, config, threadId } = await this.begin(task);
        const final = (await this.graph.invoke(input, config)) as State;
        results.push(await this.complete(final, threadId, { counted: false }));
      }
    } finally {
      this.evaluating = false;
      this.rng = training;
    }
    return { successRate: results.length === 0 ? 0 : results.filter((result) => result.success).length / results.length, results };
  }

  /**
   * Runs many episodes. In PERSISTENT mode it saves every `training.saveEvery` episodes and at the end.
   *
   * @param options - how many episodes (the config's by default) and a callback after each.
   */
  async train({
    episodes = this.config.training.episodes,
    onEpisode,
    goal,
  }: { episodes?: number; onEpisode?: (result: EpisodeResult) => void | Promise<void>; goal?: string } = {}): Promise<EpisodeResult[]> {
    if (!Number.isInteger(episodes) || episodes < 1) {
      throw new JottyError({ code: "invalid_argument", message: `train needs a positive whole number of episodes, got ${episodes}.` });
    }
    const results: EpisodeResult[] = [];
    for (let episode = 0; episode < episodes; episode += 1) {
      const result = await this.run(goal === undefined ? {} : { goal });
      results.push(result);
      await onEpisode?.(result);
      await this.autosave();
    }
    if (this.config.learningMode === "persistent" && this.unsaved > 0) await this.save();
    return results;
  }

  /**
   * Saves when `training.saveEvery` learning episodes are unsaved (PERSISTENT mode), so a run
   * killed at any moment loses at most the episodes since its last save. Returns the run, or
   * null when it did not save.
   */
  async autosave(): Promise<string | null> {
    return this.config.learningMode === "persistent" && this.unsaved >= this.config.training.saveEvery ? this.save() : null;
  }

  /** Learning episodes run since the last save (PERSISTENT mode). */
  get unsavedEpisodes(): number {
    return this.unsaved;
  }

  /** The whole learned state: the Vault's input. */
  snapshot(): JottyState {
    return {
      schemaVersion: 1,
      config: JSON.parse(JSON.stringify(this.config)) as Record<string, unknown>,
      summary: { episodes: this.summary.map((entry) => ({ ...entry })) },
      sharedMemory: this.sharedMemory.snapshot(),
      localMemories: { ...this.dormant, ...Object.fromEntries([...this.localMemories].map(([name, memory]) => [name, memory.snapshot()])) },
      qPredictor: this.q.snapshot(),
      brainState: {
        memory_learner: this.learner.snapshot(),
        execution_traces: this.traces.snapshot(),
        decision_evidence: this.evidence.snapshot(),
        conductor: { schemaVersion: 1, episodes: this.learnedEpisodes },
      },
      todos: this.todos.snapshot(),
      ...(this.experience === undefined ? {} : { experience: { experience: this.experience.snapshot() } }),
    };
  }

  /**
   * Saves the learned state as a new run (PERSISTENT mode) and returns its name; in the other
   * modes nothing is written and it returns null.
   */
  async save(): Promise<string | null> {
    if (this.vault === undefined || this.config.learningMode !== "persistent") return null;
    if (this.closed) {
      throw new JottyError({
        code: "invalid_argument",
        message: "This Conductor is closed: it saved what it had learned and gave the output folder back to other writers. Create a new Conductor to learn more.",
      });
    }
    const state = this.snapshot();
    state.summary = { ...state.summary, metrics: await this.metrics() };
    checkLearnedState(state);
    // The changes since the last save go into the audit log with the save that persists them;
    // a save that fails keeps them for the next one.
    const audit = (["create", "update", "delete", "prune"] as const).flatMap((action) => {
      const ids = [...this.changes[action]].sort();
      return ids.length === 0 ? [] : [{ action, ids, details: { count: ids.length } }];
    });
    const run = await this.vault.save(state, { audit, base: this.lastRun });
    this.changes = { create: new Set(), update: new Set(), delete: new Set(), prune: new Set() };
    this.lastRun = run;
    this.unsaved = 0;
    this.summary = [];
    return run;
  }

  /**
   * How the learned state is used and how big it is: latency percentiles of retrieve, store,
   * predict, save and load; memories per level and owner; Q entries and lessons; model calls,
   * tokens and cost per execution mode; cache hit rates; size on disk and growth per run.
   */
  async metrics(): Promise<ConductorMetrics> {
    const memories = [this.sharedMemory, ...this.localMemories.values()];
    const byLevel = Object.fromEntries(MEMORY_LEVELS.map((level) => [level, memories.reduce((total, memory) => total + memory.size(level), 0)])) as Record<MemoryLevel, number>;
    const price = (this.config.llm?.costPer1kTokens ?? 0) / 1000;
    const modes = this.traces.modeStats();
    const byMode = Object.fromEntries(
      Object.entries(modes).map(([mode, stats]) => [mode, { episodes: stats.episodes, calls: stats.llmCalls, tokens: stats.tokens, cost: stats.tokens * price }]),
    ) as ConductorMetrics["llm"]["byMode"];
    const usage = this.q.llmUsage();
    const qTokens = usage.inputTokens + usage.outputTokens;
    const qPredictor = { calls: usage.calls, tokens: qTokens, cost: qTokens * price };
    const loops = new LlmUsage();
    for (const memory of memories) loops.add(memory.llmUsage());
    if (this.experience !== undefined) loops.add(this.experience.llmUsage());
    const { inputTokens, outputTokens, ...learningCounts } = loops.get();
    const learning = { ...learningCounts, tokens: loops.tokens, cost: loops.tokens * price };
    const calls = Object.values(byMode).reduce((total, mode) => total + mode.calls, learning.calls);
    const tokens = Object.values(byMode).reduce((total, mode) => total + mode.tokens, learning.tokens);
    const embeddings = this.embedder instanceof CachedEmbedder ? this.embedder.stats() : cacheStats(0, 0, 0, 0);
    const searches = memories.map((memory) => memory.cacheStats());
    const retrieval = cacheStats(
      searches.reduce((total, stats) => total + stats.hits, 0),
      searches.reduce((total, stats) => total + stats.misses, 0),
      searches.reduce((total, stats) => total + stats.size, 0),
      searches.reduce((total, stats) => total + stats.capacity, 0),
    );
    const lookups = embeddings.hits + embeddings.misses + retrieval.hits + retrieval.misses;
    return {
      latency: this.telemetry.latency(),
      memories: {
        total: memories.reduce((total, memory) => total + memory.size(), 0),
        byLevel,
        byActor: Object.fromEntries(memories.map((memory) => [memory.name, memory.size()])),
      },
      qEntries: this.q.size,
      lessons: this.evidence.knowledge().lessons.length,
      knowledge: { ...this.knowledgeCounts(), retractedThisRun: this.retracted.length },
      llm: { byMode, qPredictor, learning, total: { calls, tokens, cost: tokens * price } },
      cache: { embeddings, retrieval, hitRate: lookups === 0 ? 0 : (embeddings.hits + retrieval.hits) / lookups },
      disk: this.vault === undefined ? null : await this.vault.usage(),
    };
  }

  /**
   * Saves what is unsaved (PERSISTENT mode) and ends the run: the checkpoint folder, the
   * environment it built and the output folder's writer lease are given back. When the save
   * fails, nothing is given back and the error is thrown: close again to retry. Once closed, the
   * Conductor saves no more.
   */
  async close(): Promise<void> {
    // Episodes run after closing cannot be saved any more: saying so beats dropping them quietly.
    if (this.closed) {
      if (this.unsaved > 0) await this.save();
      return;
    }
    // A save that fails keeps the lease: calling close again retries it, still the folder's only writer.
    if (this.unsaved > 0) await this.save();
    this.closed = true;
    await this.checkpointer?.close();
    this.checkpointer = undefined;
    if (this.ownsEnvironment) await this.environment.close?.();
    await this.releaseWriter?.();
  }

  private knowledgeCounts(): Omit<ConductorMetrics["knowledge"], "retractedThisRun"> {
    const view = this.evidence.knowledge();
    const stats = this.evidence.stats();
    return { episodes: stats.episodes, points: stats.points, procedures: view.procedures.length, causes: view.causes.length, meta: view.meta.length, retractions: stats.retractions };
  }

  private warn(warning: string): void {
    this.onWarning?.(warning);
  }

  /** Counts of what has been learned. */
  stats(): {
    episodes: number;
    memories: { shared: Record<string, number>; local: Record<string, Record<string, number>> };
    qEntries: number;
    lessons: number;
    traces: number;
    modes: ReturnType<TraceLibrary["modeStats"]>;
    trajectories: number;
    strategies: number;
  } {
    return {
      episodes: this.episodeCount,
      memories: {
        shared: this.sharedMemory.counts(),
        local: Object.fromEntries([...this.localMemories].map(([name, memory]) => [name, memory.counts()])),
      },
      qEntries: this.q.size,
      lessons: this.evidence.knowledge().lessons.length,
      traces: this.traces.size,
      modes: this.traces.modeStats(),
      trajectories: this.experience?.queryTrajectories({ limit: Number.MAX_SAFE_INTEGER }).length ?? 0,
      strategies:
        this.experience === undefined || !this.experience.playbooks.names().includes(this.playbook)
          ? 0
          : this.experience.playbooks.get(this.playbook).strategies.filter((strategy) => !strategy.retired).length,
    };
  }
}
