import { LLM_DEFAULTS, parseConfig, type JottyConfig } from "../config/index.js";
import type { Embedder } from "../embeddings/index.js";
import { createEnvironment, type Environment } from "../environments/index.js";
import { Experience } from "../experience/index.js";
import { DecisionEvidence } from "../knowledge/index.js";
import { QPredictor } from "../learning/index.js";
import { CircuitBreaker, createChatModel } from "../llm/index.js";
import { HierarchicalMemory, MemoryLearner } from "../memory/index.js";
import type { Vault } from "../persistence/index.js";
import { Telemetry } from "../telemetry/index.js";
import { systemClock } from "../util/index.js";
import type { Actor } from "./actor.js";
import { buildTeam } from "./build-team.js";
import type { ConductorOptions } from "./conductor-options.js";
import { restoreLearnedState, type DormantMemory, type LearnedStateParts } from "./learned-state.js";
import { openLearnedState, teamEmbedder } from "./open-learned-state.js";
import { TraceLibrary } from "./trace-library.js";

/** Everything a Conductor is made of: the team, its learned state (loaded per the learning mode) and its services. */
export interface ConductorParts {
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
  onError: ((error: string, episode: number) => void) | undefined;
  onWarning: ((warning: string) => void) | undefined;
  telemetry: Telemetry;
  embedder: Embedder;
  /** Local memories of actors left out of this run (`enabled: false`), carried over unchanged. */
  dormant: Record<string, DormantMemory>;
  /** Gives back the folder's writer lease (PERSISTENT mode). */
  releaseWriter: (() => Promise<void>) | undefined;
  /** The environment was built from the config or a factory (not handed in), so the Conductor closes it. */
  ownsEnvironment: boolean;
  /** Makes another instance of the environment, when the config or a factory says how. */
  makeEnvironment: (() => Environment) | undefined;
  /** Episodes of the runs it loaded. */
  episodes: number;
  /** The todo list's saved state, when a run was loaded. */
  todoState: unknown;
}

/**
 * Builds the team and its learned state and applies the learning mode: PERSISTENT takes the
 * folder's writer lease and loads the newest complete run, DISABLED only the run
 * `persistence.loadRun` names, CONTEXTUAL starts empty.
 *
 * @throws JottyError `config_invalid` for a bad config or an LLM actor without a model, and
 *   whatever loading the named state throws.
 */
export async function assembleConductor(options: ConductorOptions): Promise<ConductorParts> {
  const config = parseConfig(options.config);
  const clock = options.clock ?? systemClock;
  const telemetry = new Telemetry();
  // One LRU cache of vectors in front of the embedder, shared by memories, Q-predictor, traces and playbooks.
  const embedder = teamEmbedder(config, options.embedder);
  const llm = options.llm ?? (config.llm === undefined ? undefined : createChatModel(config.llm));
  // One breaker for the model, shared by all who call it: when the endpoint errs or times out, everyone stops asking.
  const modelBreaker = llm === undefined ? undefined : new CircuitBreaker({ clock });
  // And one for the learning loops' summaries and reflections: a model that cannot write them is not asked by each loop in turn.
  const withModel =
    llm === undefined || modelBreaker === undefined ? {} : { llm, modelBreaker, answerBreaker: new CircuitBreaker({ clock }), llmTimeoutMs: (config.llm ?? LLM_DEFAULTS).timeoutMs };
  // Episodes that run at once each need an instance: the config and a factory make more.
  const makeEnvironment =
    typeof options.environment === "function" ? options.environment : options.environment === undefined ? () => createEnvironment(config.environment.name, config.environment.options) : undefined;
  const environment = makeEnvironment?.() ?? (options.environment as Environment);
  const actors = buildTeam({ config, actors: options.actors, llm, modelBreaker });

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

  const parts: LearnedStateParts = {
    config,
    embedder,
    memoryOptions,
    localSettings,
    actorNames: new Set(localMemories.keys()),
    qOptions: { ...qEmbedder, ...qModel, clock, telemetry },
    experienceOptions,
  };
  const { vault, releaseWriter, loaded } = await openLearnedState({ config, clock, telemetry, onWarning: options.onWarning, restore: (state) => restoreLearnedState(state, parts) });
  let episodes = 0;
  let todoState: unknown;
  let dormant: Record<string, DormantMemory> = {};
  let learner = MemoryLearner.fromConfig(config);
  let traces = new TraceLibrary(embedder, config.conductor.executionModes);
  let evidence = new DecisionEvidence();
  if (loaded !== null) {
    const { restored } = loaded;
    for (const warning of restored.warnings) options.onWarning?.(warning);
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
  return {
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
    onError: options.onError,
    onWarning: options.onWarning,
    telemetry,
    embedder,
    dormant,
    releaseWriter,
    ownsEnvironment: makeEnvironment !== undefined,
    makeEnvironment,
    episodes,
    todoState,
  };
}
