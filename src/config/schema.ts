import { z } from "zod";
import { defaulted } from "./defaulted.js";
import { KnowledgeSchema } from "./knowledge-schema.js";
import { QPredictorSchema } from "./q-predictor-schema.js";
import { ActorOverrideSchema, ActorSchema, ActorsSchema } from "./actor-schema.js";
import { PersistenceSchema } from "./persistence-schema.js";

/**
 * How much a run learns and keeps.
 *
 * - `DISABLED`: nothing learned changes; a state is loaded only when named (frozen inference).
 * - `CONTEXTUAL`: learns during the run, forgets at the end.
 * - `PERSISTENT`: learns, saves at the end (and every N episodes), and loads the newest state on start.
 */
export const LearningMode = {
  DISABLED: "disabled",
  CONTEXTUAL: "contextual",
  PERSISTENT: "persistent",
} as const;

/** One of the {@link LearningMode} values. */
export type LearningMode = (typeof LearningMode)[keyof typeof LearningMode];

/** zod schema of {@link LearningMode}. */
export const LearningModeSchema = z.enum([LearningMode.DISABLED, LearningMode.CONTEXTUAL, LearningMode.PERSISTENT]);

const probability = z.number().min(0).max(1);

/** How ε changes with the episode number. */
export const EpsilonScheduleSchema = z.discriminatedUnion("kind", [
  z.strictObject({
    kind: z.literal("constant"),
    value: probability.describe("ε for every episode"),
  }),
  z.strictObject({
    kind: z.literal("linear"),
    start: probability.describe("ε at episode 0"),
    end: probability.describe("ε from `steps` on"),
    steps: z.int().positive().describe("episodes over which ε moves from start to end"),
  }),
  z.strictObject({
    kind: z.literal("exponential"),
    start: probability.describe("ε at episode 0"),
    end: probability.describe("floor ε never goes below"),
    decay: z.number().gt(0).max(1).describe("factor applied to ε each episode"),
  }),
]);

/** An ε schedule: constant, linear or exponential decay. */
export type EpsilonSchedule = z.infer<typeof EpsilonScheduleSchema>;

/** Kinds of eligibility trace TD(λ) can keep. */
export const TraceKindSchema = z.enum(["accumulating", "replacing", "true-online"]);

/** One of `accumulating`, `replacing`, `true-online`. */
export type TraceKind = z.infer<typeof TraceKindSchema>;

/** Learning parameters shared by the TD(λ) and Q learners. */
export const LearningSchema = z.strictObject({
  alpha: z.number().gt(0).max(1).default(0.1).describe("step size α of value updates"),
  gamma: probability.default(0.99).describe("discount γ"),
  lambda: probability.default(0.95).describe("trace decay λ"),
  trace: TraceKindSchema.default("accumulating").describe("kind of eligibility trace"),
  epsilon: EpsilonScheduleSchema.default({ kind: "linear", start: 0.3, end: 0.05, steps: 500 }).describe(
    "exploration schedule of ε-greedy action selection",
  ),
});

const unit = z.number().min(0).max(1);

/** Weights of the retrieval score; they need not sum to one. */
export const RetrievalSchema = z.strictObject({
  weights: defaulted(
    z.strictObject({
      relevance: unit.default(0.5).describe("cosine similarity of query and memory"),
      value: unit.default(0.25).describe("learned value of the memory for this goal"),
      level: unit.default(0.1).describe("level weight: meta 1, causal .95, semantic .9, procedural .85, episodic .7"),
      recency: unit.default(0.1).describe("exp(−decay · hours since last use)"),
      frequency: unit.default(0.05).describe("min(1, ln(accesses + 1) / 10)"),
    }),
  ),
  recencyDecayPerHour: z.number().min(0).default(0.029),
  ucb: z
    .number()
    .min(0)
    .default(0)
    .describe("weight c of the exploration bonus c·√(ln(N+1)/(visits+1)); 0 turns it off"),
  candidates: z.int().positive().default(64).describe("nearest neighbours re-ranked by the full score"),
  minRelevance: z.number().min(-1).max(1).default(0).describe("memories less relevant than this are never returned"),
});

/** The vector index of each memory (and of the Q-predictor's states). */
export const VectorIndexSchema = z.strictObject({
  approximateFrom: z
    .int()
    .min(0)
    .default(20_000)
    .describe("vectors from which the approximate (HNSW) index replaces the exact one; 0: approximate from the start"),
  m: z.int().min(2).max(127).default(16).describe("links an HNSW node keeps per layer (twice as many on the bottom layer)"),
  efConstruction: z.int().positive().default(64).describe("candidates considered when a vector is linked into the graph"),
  efSearch: z.int().positive().default(448).describe("candidates a search keeps (at least the k asked for): higher finds more of the true neighbours, slower"),
});

/** Settings of `consolidate()`. */
export const ConsolidationSchema = z.strictObject({
  clusterSimilarity: unit.default(0.6).describe("cosine at which episodic memories join a cluster"),
  minClusterSize: z.int().min(2).default(5),
  minSuccesses: z.int().min(1).default(3).describe("successes of a task type needed for a procedure"),
  minFailures: z.int().min(1).default(2).describe("failures of a task type needed for a procedure"),
  minHighValue: z.int().min(1).default(3).describe("high-value memories needed for a meta memory"),
  highValue: unit.default(0.7),
  lowValue: unit.default(0.3),
  pruneAfterHours: z.number().min(0).default(24).describe("episodic memories older than this may be pruned"),
  pruneBelowValue: unit.default(0.3),
  pruneMaxFraction: unit.default(0.2).describe("at most this share of episodic memories pruned a pass"),
});

/** A rule for pruning memories; a memory goes when any rule marks it, a protected one never. */
export const PrunePolicySchema = z.discriminatedUnion("kind", [
  z.strictObject({ kind: z.literal("age"), maxIdleDays: z.number().positive().default(90).describe("days without use") }),
  z.strictObject({ kind: z.literal("value"), floor: unit.default(0.2).describe("best learned value below which a memory goes") }),
  z.strictObject({ kind: z.literal("usage"), minPerDay: z.number().positive().describe("accesses a day below which a memory goes (after a week)") }),
  z.strictObject({
    kind: z.literal("budget"),
    keep: z.int().min(0).describe("the most valuable memories kept"),
    level: z
      .enum(["episodic", "semantic", "procedural", "meta", "causal", "each", "all"])
      .default("each")
      .describe("a level, each level separately, or all levels together"),
  }),
]);

/** Pruning on a schedule of episodes. */
export const PruningSchema = z
  .strictObject({
    every: z.int().min(0).default(0).describe("prune every this many learning episodes (0: never)"),
    policies: z.array(PrunePolicySchema).default([]),
  })
  .refine((pruning) => pruning.every === 0 || pruning.policies.length > 0, {
    message: "pruning.every needs at least one policy (age, value, usage or budget)",
    path: ["policies"],
  });

/** The hierarchical memory: capacities, de-duplication, retrieval, goal transfer, consolidation, TD credit. */
export const MemorySchema = z.strictObject({
  capacities: defaulted(
    z.strictObject({
      episodic: z.int().positive().default(1000),
      semantic: z.int().positive().default(500),
      procedural: z.int().positive().default(200),
      meta: z.int().positive().default(100),
      causal: z.int().positive().default(150),
    }),
  ).describe("how many entries each level keeps before evicting"),
  nearDuplicateThreshold: unit.default(0.92).describe("cosine at which a new memory is merged into an existing one"),
  goalSimilarityThreshold: unit
    .default(0.25)
    .describe("goals at least this similar share values (fallback for unseen goals, transfer of updates)"),
  retrieval: defaulted(RetrievalSchema),
  index: defaulted(VectorIndexSchema),
  consolidation: defaulted(ConsolidationSchema),
  pruning: defaulted(PruningSchema),
  baseline: z
    .boolean()
    .default(false)
    .describe("credit memories against a moving-average return per task type instead of the raw return"),
  rewardRange: z
    .tuple([z.number(), z.number()])
    .default([0, 1])
    .refine(([low, high]) => low < high, "the first number must be below the second")
    .describe("episode returns are mapped from this range onto memory values in [0, 1]"),
});

/** How the Conductor runs episodes. */
export const ConductorSchema = z.strictObject({
  goal: z.string().min(1).optional().describe("the goal of every episode; the environment's description when absent"),
  recall: defaulted(z.strictObject({ k: z.int().positive().default(5), maxTokens: z.int().positive().default(600) })).describe("shared memories recalled at the start of an episode"),
  onActorError: z.enum(["continue", "stop"]).default("continue").describe("what an episode does when an actor throws"),
  actorErrorReward: z.number().default(-1).describe("reward of a step whose actor threw"),
  invalidActionReward: z.number().default(-1).describe("reward of a step whose action the environment refused"),
  credit: defaulted(
    z.strictObject({
      own: z.number().min(0).default(1).describe("weight of an actor's own step rewards"),
      cooperative: z.number().min(0).default(0.5).describe("weight of the team's episode return, shared by every actor used"),
    }),
  ),
  executionModes: defaulted(
    z.strictObject({
      enabled: z.boolean().default(true),
      follower: unit.default(0.92).describe("goal similarity to a stored trace from which the trace is replayed"),
      mixed: unit.default(0.75).describe("similarity from which the trace guides the actors"),
      mixedBonus: z.number().min(0).default(0.5).describe("value bonus a policy actor gives the trace's action in MIXED mode"),
      adaptAfter: z.int().positive().default(5).describe("episodes of a mode before its threshold follows its success rate"),
      exploration: z
        .union([z.literal("policy"), unit])
        .default("policy")
        .describe("share of FOLLOWER/MIXED episodes run as LEARNER to find better paths; the policy's ε by default"),
    }),
  ),
  consolidateEvery: z.int().min(0).default(10).describe("episodes between memory consolidations; 0 never"),
  memoryPrior: z.number().min(0).max(5).default(0.3).describe("weight of the prior a policy actor takes from its recalled memories: the options a memory names move by weight × relevance × (value − ½), as far as its value was learned; 0 ignores memory"),
  knowledge: KnowledgeSchema,
});

/** Conductor settings, parsed. */
export type ConductorConfig = z.infer<typeof ConductorSchema>;

/** The learning loops: trajectories, reflection, playbooks. */
export const ExperienceSchema = z.strictObject({
  enabled: z.boolean().default(true).describe("record every episode as a trajectory, reflect on it and curate the team's playbook"),
  maxTrajectories: z.int().positive().default(1000).describe("completed trajectories kept; the oldest go first"),
  strategies: z.int().min(0).default(3).describe("playbook strategies shown in the learned context"),
  mergeSimilarity: unit.default(0.8).describe("similarity at which a finding merges into an existing strategy"),
  maxStrategies: z.int().positive().default(50).describe("active strategies a playbook keeps"),
});

/** Experience settings, parsed. */
export type ExperienceConfig = z.infer<typeof ExperienceSchema>;

/** How text becomes vectors: the offline hashing embedder, or an OpenAI-compatible embeddings model. */
export const EmbeddingsSchema = z.discriminatedUnion("provider", [
  z.strictObject({
    provider: z.literal("hashing"),
    dimensions: z.int().min(8).max(65_536).default(384),
  }),
  z.strictObject({
    provider: z.literal("openai"),
    model: z.string().min(1),
    baseURL: z.url().optional(),
    apiKeyEnv: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name")
      .default("OPENAI_API_KEY"),
    dimensions: z.int().positive().optional(),
  }),
]);

/** An OpenAI-compatible chat model; the key is read from the environment variable named here. */
export const LlmSchema = z.strictObject({
  provider: z.literal("openai").default("openai").describe("any OpenAI-compatible endpoint"),
  model: z.string().min(1).describe("model name sent to the endpoint"),
  baseURL: z.url().optional().describe("endpoint base URL, e.g. http://127.0.0.1:8000/v1"),
  apiKeyEnv: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name")
    .default("OPENAI_API_KEY")
    .describe("name of the environment variable holding the API key"),
  temperature: z.number().min(0).max(2).default(0),
  timeoutMs: z.int().positive().default(30_000),
  maxRetries: z.int().min(0).default(2),
  costPer1kTokens: z
    .number()
    .min(0)
    .default(0)
    .describe("price of a thousand tokens, for the cost column of metrics (0: not priced)"),
});

/** How long a model call may take and how often an unusable answer is retried, where no `llm` section says: its defaults. */
export const LLM_DEFAULTS = { timeoutMs: LlmSchema.shape.timeoutMs.parse(undefined), maxRetries: LlmSchema.shape.maxRetries.parse(undefined) };

/** The environment an experiment runs in, by its registered name. */
export const EnvironmentSchema = z.strictObject({
  name: z.string().min(1).describe("a built-in environment such as random-walk, cliff-walking or bandit"),
  options: z.record(z.string(), z.unknown()).default({}).describe("options passed to the environment"),
});

/** LRU caches in front of the embedder and of memory searches. */
export const CacheSchema = z.strictObject({
  embeddings: z.int().min(0).default(10_000).describe("texts whose vectors are kept (0 turns the embedding cache off)"),
  retrieval: z
    .int()
    .min(0)
    .default(1000)
    .describe("memory searches kept per memory, dropped on any write to a level they cover (0 turns it off)"),
});

/** Who the team's learned state belongs to, stamped on memories, Q entries and the team's playbook. */
export const OwnerConfigSchema = z.strictObject({
  user: z.string().min(1).optional().describe("the user the team works for"),
  tenant: z.string().min(1).optional().describe("the tenant (organisation) the team works for"),
});

/** Episode counts of a training loop. */
export const TrainingSchema = z.strictObject({
  episodes: z.int().positive().default(100),
  maxStepsPerEpisode: z.int().positive().default(200),
  saveEvery: z.int().positive().default(10).describe("PERSISTENT mode saves every this many episodes"),
});

/**
 * The whole Jotty configuration. Every field has a default, so `{}` is a valid config.
 */
export const JottyConfigSchema = z
  .strictObject({
    $schema: z.string().optional().describe("path of the JSON Schema, for editors"),
    name: z.string().min(1).default("jotty-experiment"),
    learningMode: LearningModeSchema.default(LearningMode.PERSISTENT),
    outputDir: z.string().min(1).default("outputs"),
    seed: z.int().min(0).max(0xffff_ffff).default(42),
    learning: defaulted(LearningSchema),
    memory: defaulted(MemorySchema),
    embeddings: defaulted(EmbeddingsSchema, { provider: "hashing" }),
    qPredictor: defaulted(QPredictorSchema),
    persistence: defaulted(PersistenceSchema),
    conductor: defaulted(ConductorSchema),
    experience: defaulted(ExperienceSchema),
    llm: LlmSchema.optional(),
    environment: defaulted(EnvironmentSchema, { name: "random-walk" }),
    actors: ActorsSchema.default([ActorSchema.parse({ name: "explorer" })]),
    training: defaulted(TrainingSchema),
    cache: defaulted(CacheSchema),
    owner: defaulted(OwnerConfigSchema),
    actorOverrides: z
      .record(z.string(), ActorOverrideSchema)
      .default({})
      .describe("per-actor settings by actor name: enabled, local memory capacities, learning rate"),
  })
  .superRefine((config, context) => {
    const names = new Set(config.actors.map((actor) => actor.name));
    for (const name of Object.keys(config.actorOverrides)) {
      if (!names.has(name)) {
        context.addIssue({
          code: "custom",
          path: ["actorOverrides", name],
          message: `no actor is named "${name}"; overrides must name an actor of the team (${[...names].join(", ")})`,
        });
      }
    }
    if (config.actors.every((actor) => config.actorOverrides[actor.name]?.enabled === false)) {
      context.addIssue({ code: "custom", path: ["actorOverrides"], message: "every actor is disabled; leave at least one enabled" });
    }
  });

/** Memory settings, parsed. */
export type MemoryConfig = z.infer<typeof MemorySchema>;

/** Embeddings settings, parsed. */
export type EmbeddingsConfig = z.infer<typeof EmbeddingsSchema>;

/** A parsed, fully defaulted Jotty configuration. */
export type JottyConfig = z.infer<typeof JottyConfigSchema>;

/** What a user may write: every field optional. */
export type JottyConfigInput = z.input<typeof JottyConfigSchema>;
