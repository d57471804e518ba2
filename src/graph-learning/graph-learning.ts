import { parseConfig, type JottyConfig, type JottyConfigInput } from "../config/index.js";
import type { Embedder } from "../embeddings/index.js";
import { JottyError } from "../errors/index.js";
import { renderLearnedContext } from "../knowledge/index.js";
import { QPredictor } from "../learning/index.js";
import { HierarchicalMemory, JottyMemoryStore, MemoryLearner } from "../memory/index.js";
import { openLearnedState, restoreLearnedState, teamEmbedder } from "../orchestration/index.js";
import { COMPONENT_STEMS, type JottyState, type Vault } from "../persistence/index.js";
import { Telemetry } from "../telemetry/index.js";
import { Rng, systemClock, type Clock } from "../util/index.js";
import type { LearningFields, LearningRecordUpdate } from "./learning-annotation.js";

/** Options of {@link GraphLearning.create}. */
export interface GraphLearningOptions {
  /** The config, parsed or as written: `learningMode`, `outputDir`, `memory`, `learning`, `qPredictor`, `persistence` are read. */
  config: JottyConfig | JottyConfigInput;
  /** The embedder; built from `config.embeddings` when absent. */
  embedder?: Embedder;
  /** Where time is read. @default systemClock */
  clock?: Clock;
  /** Told about what was handled without an error (runs skipped while loading, an episode left open). */
  onWarning?: (warning: string) => void;
}

/** How a run of your graph ended: success, and a reward (by default 1 for success, else 0). */
export interface RunOutcome {
  success: boolean;
  reward?: number;
}

/** Options of {@link GraphLearning.recallNode}: `goal` reads the run's goal from your state; `taskType` groups runs; `k` memories at most. */
export interface RecallOptions<S> {
  goal: (state: S) => string;
  /** @default "general" */
  taskType?: string | ((state: S) => string);
  /** @default conductor.recall.k */
  k?: number;
}

/** The recall node: the learned context and the start of the run's record. */
export type RecallNode<S> = (state: S) => Promise<{ learnedContext: string; learning: LearningRecordUpdate }>;

/** Options of {@link GraphLearning.learnNode}: `outcome` reads how the run ended (by default the state's `success`). */
export interface LearnOptions<S> {
  outcome?: (state: S) => RunOutcome;
}

/** The learn node: it learns and changes no field of your state. */
export type LearnNode<S> = (state: S) => Promise<Record<string, never>>;

/** What {@link GraphLearning.stats} returns. */
export interface GraphLearningStats {
  /** Runs learned from, the loaded runs' included. */
  episodes: number;
  memories: number;
  qEntries: number;
  /** Runs whose recall was not followed by a learn before the next recall: their memories were not credited. */
  abandoned: number;
}

/**
 * Jotty's learning for a LangGraph graph of your own, without the Conductor: a node that
 * recalls what was learned into the state before your agent runs, a way for your nodes to
 * take learned decisions, and a node that learns from the outcome after it. What is learned
 * is kept as the Conductor keeps it (a hierarchical memory whose values are learned by TD(λ),
 * a Q-predictor over plain-text situations) and persisted by the Vault per `learningMode`:
 * PERSISTENT loads the newest run and saves, CONTEXTUAL learns within the process, DISABLED
 * only uses the run `persistence.loadRun` names. Compile your graph with `store` to reach the
 * memory through LangGraph's `BaseStore` API in any node.
 *
 * One run of the graph at a time: the memory learner follows one episode.
 *
 * @example
 * ```ts
 * const learning = await GraphLearning.create({ config: { learningMode: "persistent", outputDir: "outputs/my-graph" } });
 * const State = Annotation.Root({ ...LearningAnnotation, request: Annotation<string>, success: Annotation<boolean> });
 * const graph = new StateGraph(State)
 *   .addNode("recall", learning.recallNode({ goal: (state) => state.request }))
 *   .addNode("agent", agent)
 *   .addNode("learn", learning.learnNode({ outcome: (state) => ({ success: state.success }) }))
 *   .addEdge(START, "recall").addEdge("recall", "agent").addEdge("agent", "learn").addEdge("learn", END)
 *   .compile({ store: learning.store });
 * ```
 */
export class GraphLearning {
  readonly config: JottyConfig;
  /** The team's memory: what `recallNode` recalls and `learnNode` writes. */
  readonly memory: HierarchicalMemory;
  /** The memory behind LangGraph's `BaseStore`: pass it to `compile({ store })`. */
  readonly store: JottyMemoryStore;
  /** Values of (situation, action) pairs in plain text, for {@link decide}. */
  readonly q: QPredictor;
  readonly learner: MemoryLearner;
  /** The run the learned state was loaded from, or null. */
  readonly loadedFrom: string | null;
  private readonly vault: Vault | undefined;
  private readonly releaseWriter: (() => Promise<void>) | undefined;
  /** The loaded state: what this class does not learn (a Conductor's traces, say) is saved again unchanged. */
  private readonly carried: JottyState | undefined;
  private readonly rng: Rng;
  private readonly onWarning: ((warning: string) => void) | undefined;
  private lastRun: string | null;
  private episodeCount: number;
  private unsaved = 0;
  private abandoned = 0;
  private closed = false;

  private constructor(parts: {
    config: JottyConfig;
    memory: HierarchicalMemory;
    q: QPredictor;
    learner: MemoryLearner;
    vault: Vault | undefined;
    releaseWriter: (() => Promise<void>) | undefined;
    loaded: { run: string; state: JottyState; episodes: number } | null;
    onWarning: ((warning: string) => void) | undefined;
  }) {
    this.config = parts.config;
    this.memory = parts.memory;
    this.store = new JottyMemoryStore(parts.memory);
    this.q = parts.q;
    this.learner = parts.learner;
    this.vault = parts.vault;
    this.releaseWriter = parts.releaseWriter;
    this.carried = parts.loaded?.state;
    this.loadedFrom = parts.loaded?.run ?? null;
    this.lastRun = this.loadedFrom;
    this.episodeCount = parts.loaded?.episodes ?? 0;
    this.rng = new Rng(parts.config.seed);
    this.onWarning = parts.onWarning;
  }

  /**
   * Builds the memory and Q-predictor and applies the learning mode.
   *
   * @throws JottyError `config_invalid` for a bad config, and whatever loading the named run throws.
   */
  static async create(options: GraphLearningOptions): Promise<GraphLearning> {
    const config = parseConfig(options.config);
    const clock = options.clock ?? systemClock;
    const telemetry = new Telemetry();
    const embedder = teamEmbedder(config, options.embedder);
    const memoryOptions = { embedder, clock, telemetry, retrievalCache: config.cache.retrieval };
    const qOptions = { ...(config.qPredictor.similarity ? { embedder } : {}), clock, telemetry };
    const parts = {
      config: { ...config, experience: { ...config.experience, enabled: false } },
      embedder,
      memoryOptions,
      localSettings: () => config.memory,
      actorNames: new Set<string>(),
      qOptions,
      experienceOptions: { embedder, clock },
    };
    // What this class does not learn (a Conductor's experience, traces, local memories) is carried in the loaded state.
    const { vault, releaseWriter, loaded } = await openLearnedState({ config, clock, telemetry, onWarning: options.onWarning, restore: (state) => restoreLearnedState(state, parts) });
    for (const warning of loaded?.restored.warnings ?? []) options.onWarning?.(warning);
    const memory = loaded?.restored.sharedMemory ?? HierarchicalMemory.fromConfig(config, { name: "shared", ...memoryOptions });
    const q = loaded?.restored.q ?? QPredictor.fromConfig(config, qOptions);
    const learner = loaded?.restored.learner ?? MemoryLearner.fromConfig(config);
    learner.attach(memory);
    return new GraphLearning({
      config,
      memory,
      q,
      learner,
      vault,
      releaseWriter,
      loaded: loaded === null ? null : { run: loaded.run, state: loaded.state, episodes: loaded.restored.episodes },
      onWarning: options.onWarning,
    });
  }

  /** Whether runs learn (PERSISTENT and CONTEXTUAL) or only use what was learned (DISABLED). */
  get learning(): boolean {
    return this.config.learningMode !== "disabled";
  }

  /**
   * A node for the start of your graph: recalls the memories learned for the run's goal and
   * writes them, rendered, into `learnedContext`, and starts the run's record in `learning`.
   *
   * @param options - `goal` reads the run's goal from your state (a request, a question);
   *   `taskType` groups runs (default "general"); `k` memories at most (`conductor.recall.k`).
   */
  recallNode<S extends LearningFields>({ goal, taskType = "general", k = this.config.conductor.recall.k }: RecallOptions<S>): RecallNode<S> {
    return async (state) => {
      const text = goal(state);
      if (typeof text !== "string" || text.trim() === "") {
        throw new JottyError({ code: "invalid_argument", message: "recallNode's goal must read a non-empty string from the state; check the field it reads." });
      }
      const type = typeof taskType === "function" ? taskType(state) : taskType;
      if (this.learning) {
        if (this.learner.active) {
          // A run that recalled and never learned: what it recalled goes uncredited, and it is counted.
          this.learner.abandonEpisode();
          this.abandoned += 1;
          this.onWarning?.("a run of the graph recalled but did not reach its learn node; its memories were not credited");
        }
        await this.learner.startEpisode({ goal: text, taskType: type });
      }
      const recalled = await this.memory.retrieve({ goal: text, k, maxTokens: this.config.conductor.recall.maxTokens, record: this.learning, levels: ["episodic", "semantic"] });
      const context = renderLearnedContext({
        rules: [],
        examples: recalled.map((memory) => ({ id: `${this.memory.name}/${memory.id}`, kind: memory.kind, content: memory.content, value: memory.value })),
        maxExamples: k,
        maxTokens: this.config.conductor.knowledge.maxTokens,
      });
      return { learnedContext: context.text, learning: { reset: true, goal: text, taskType: type, recalled: context.memories, decisions: [] } };
    };
  }

  /**
   * The learning nodes typed by your graph's state annotation, so the functions that read
   * your state are checked against it.
   *
   * @example
   * ```ts
   * const nodes = learning.nodesFor(State);
   * builder.addNode("recall", nodes.recall({ goal: (state) => state.request }));
   * ```
   */
  nodesFor<S extends LearningFields>(_annotation: { State: S }): {
    recall: (options: RecallOptions<S>) => RecallNode<S>;
    learn: (options?: LearnOptions<S>) => LearnNode<S>;
  } {
    return { recall: (options) => this.recallNode<S>(options), learn: (options) => this.learnNode<S>(options) };
  }

  /**
   * A learned decision for one of your nodes: the option the Q-predictor values best for the
   * situation (with the configured policy's exploration while learning). Return `update` from
   * your node so the decision is learned from the run's outcome.
   *
   * @throws JottyError `invalid_argument` for an empty situation or no options.
   */
  async decide({ situation, options }: { situation: string; options: readonly string[] }): Promise<{ action: string; update: { learning: LearningRecordUpdate } }> {
    if (typeof situation !== "string" || situation.trim() === "" || options.length === 0) {
      throw new JottyError({ code: "invalid_argument", message: "decide needs a non-empty situation and at least one option." });
    }
    const { action } = await this.q.selectAction({ state: situation, actions: options, rng: this.rng, ...(this.learning ? {} : { policy: { kind: "greedy" as const } }) });
    return { action, update: { learning: { decisions: [{ situation, action }] } } };
  }

  /**
   * A node for the end of your graph: learns from the run's outcome. The memories recalled
   * are credited by TD(λ), the run is remembered (what was decided, and whether it worked),
   * its decisions are learned by Monte-Carlo returns, and in PERSISTENT mode the state is
   * saved every `training.saveEvery` runs. In DISABLED mode it learns nothing.
   *
   * @param options - `outcome` reads how the run ended from your state; by default its
   *   `success` field.
   */
  learnNode<S extends LearningFields>({ outcome = (state) => ({ success: (state as unknown as { success?: unknown }).success === true }) }: LearnOptions<S> = {}): LearnNode<S> {
    return async (state) => {
      if (!this.learning) return {};
      const { success, reward = success ? 1 : 0 } = outcome(state);
      if (!Number.isFinite(reward)) throw new JottyError({ code: "invalid_argument", message: `learnNode's outcome gave the reward ${reward}; give a finite number.` });
      const record = state.learning;
      if (this.learner.active) await this.learner.endEpisode({ reward: success ? 1 : 0 });
      const actions = record.decisions.map((decision) => decision.action);
      await this.memory.store({
        level: "episodic",
        kind: success ? "success" : "failure",
        content: `For "${record.goal}"${actions.length === 0 ? "" : `, ${actions.join(" → ")}`} ${success ? "worked" : "did not work"}.`,
        taskType: record.taskType,
        goal: record.goal,
        value: success ? 0.7 : 0.3,
        sourceEpisode: `episode-${this.episodeCount}`,
        ...this.config.owner,
      });
      if (record.decisions.length > 0) {
        const last = record.decisions.length - 1;
        await this.q.learnEpisode(record.decisions.map((decision, index) => ({ state: decision.situation, action: decision.action, reward: index === last ? reward : 0 })));
      }
      this.q.endEpisode({ return: reward });
      this.episodeCount += 1;
      this.unsaved += 1;
      if (this.unsaved >= this.config.training.saveEvery) await this.save();
      return {};
    };
  }

  /** Counts of what has been learned. */
  stats(): GraphLearningStats {
    return { episodes: this.episodeCount, memories: this.memory.size(), qEntries: this.q.size, abandoned: this.abandoned };
  }

  /**
   * Saves the learned state as a new run (PERSISTENT mode) and returns its name; otherwise
   * nothing is written and it returns null.
   *
   * @throws JottyError `invalid_argument` once closed.
   */
  async save(): Promise<string | null> {
    if (this.vault === undefined || this.config.learningMode !== "persistent") return null;
    if (this.closed) throw new JottyError({ code: "invalid_argument", message: "This GraphLearning is closed; create a new one to learn more." });
    const carried = this.carried ?? { schemaVersion: 1 as const };
    // The memory's and Q-predictor's vectors are written anew; carried local memories keep theirs.
    const vectors = { ...(carried.vectors ?? {}) };
    const memoryVectors = this.memory.snapshotVectors();
    const qVectors = this.q.snapshotVectors();
    delete vectors[COMPONENT_STEMS.sharedMemory];
    delete vectors[COMPONENT_STEMS.qPredictor];
    if (memoryVectors !== undefined) vectors[COMPONENT_STEMS.sharedMemory] = memoryVectors;
    if (qVectors !== undefined) vectors[COMPONENT_STEMS.qPredictor] = qVectors;
    const state: JottyState = {
      ...carried,
      schemaVersion: 1,
      config: JSON.parse(JSON.stringify(this.config)) as Record<string, unknown>,
      summary: { episodes: [], graphLearning: this.stats() },
      sharedMemory: this.memory.snapshot(memoryVectors === undefined ? { columns: true } : { includeVectors: false, columns: true }),
      qPredictor: this.q.snapshot(),
      vectors,
      brainState: { ...(carried.brainState ?? {}), memory_learner: this.learner.snapshot(), conductor: { schemaVersion: 1, episodes: this.episodeCount } },
    };
    const run = await this.vault.save(state, { base: this.lastRun });
    this.lastRun = run;
    this.unsaved = 0;
    return run;
  }

  /** Saves what is unsaved (PERSISTENT mode) and gives the output folder's writer lease back. */
  async close(): Promise<void> {
    if (this.closed) return;
    if (this.unsaved > 0) await this.save();
    this.closed = true;
    await this.releaseWriter?.();
  }
}
