/**
 * Jotty's public API. Everything a user imports comes from here; domain helpers stay private.
 */
export { JottyError } from "./errors/index.js";
export type { JottyErrorCode, JottyErrorOptions, JsonValue } from "./errors/index.js";

export { ManualClock, OwnerSchema, Rng, systemClock } from "./util/index.js";
export type { Clock, Owner, RngState } from "./util/index.js";

export {
  configJsonSchema,
  EmbeddingsSchema,
  ConductorSchema,
  MemorySchema,
  PersistenceSchema,
  QPredictorSchema,
  defineConfig,
  JottyConfigSchema,
  LearningMode,
  LearningModeSchema,
  loadConfig,
  parseConfig,
} from "./config/index.js";
export type {
  ConductorConfig,
  ConfigIssue,
  EmbeddingsConfig,
  EpsilonSchedule,
  JottyConfig,
  JottyConfigInput,
  MemoryConfig,
  PersistenceConfig,
  QPredictorConfig,
  TraceKind,
} from "./config/index.js";

export {
  contentWords,
  cosineSimilarity,
  baseEmbedder,
  CachedEmbedder,
  createEmbedder,
  embedderId,
  FlatVectorIndex,
  HashingEmbedder,
  HnswVectorIndex,
  TieredVectorIndex,
  tokenize,
} from "./embeddings/index.js";
export type {
  CacheStats,
  Embedder,
  FlatVectorIndexOptions,
  HashingEmbedderOptions,
  HnswCounters,
  HnswVectorIndexOptions,
  TagValues,
  TieredVectorIndexOptions,
  VectorFilter,
  VectorIndex,
  VectorMatch,
  VectorTags,
} from "./embeddings/index.js";

export {
  HierarchicalMemory,
  INITIAL_VALUES,
  JottyMemoryStore,
  LEVEL_WEIGHTS,
  MEMORY_LEVELS,
  MEMORY_SNAPSHOT_VERSION,
  MemoryLearner,
  MemoryLevel,
  MemorySnapshotSchema,
  parseMemorySnapshot,
  MEMORY_COLUMNS_VERSION,
  MemoryColumnsSchema,
  PrunePolicySchema,
  retrievalScore,
  strengthenConfidence,
  weakenConfidence,
} from "./memory/index.js";
export type {
  CausalLink,
  ChangeListener,
  ConsolidationReport,
  EpisodeCredit,
  HierarchicalMemoryOptions,
  MemoryRestoreOptions,
  MemoryChange,
  MemoryEntry,
  MemoryKind,
  MemoryLearnerOptions,
  MemorySnapshot,
  MemoryColumns,
  MemoryValueChange,
  PrunePolicy,
  PruneReport,
  RetrievedMemory,
  RetrieveInput,
  StoreMemoryInput,
  StoreMemoryResult,
} from "./memory/index.js";

export {
  eligibilityTrace,
  epsilonAt,
  epsilonGreedy,
  epsilonGreedyProbabilities,
  expectedSarsaTarget,
  greedy,
  qLearningTarget,
  qUpdate,
  sarsaTarget,
  softmax,
  softmaxProbabilities,
  tdError,
  ucb1,
  wilsonInterval,
} from "./learning/math/index.js";
export type { EligibilityTraceKind } from "./learning/math/index.js";
export {
  calibrationReport,
  lessonFor,
  PrioritizedExperienceBuffer,
  Q_PREDICTOR_SNAPSHOT_VERSION,
  QPredictor,
  qPredictorOptionsFromConfig,
  QPredictorSnapshotSchema,
  retentionScore,
  TDLambda,
  TDLambdaSnapshotSchema,
} from "./learning/index.js";
export type {
  CalibrationBin,
  CalibrationReport,
  Lesson,
  LessonKind,
  Policy,
  PredictionSource,
  QChange,
  QEntry,
  QMethod,
  QPrediction,
  QPredictorOptions,
  QPredictorRestoreOptions,
  QPredictorServices,
  QPredictorSnapshot,
  QUpdateInput,
  QUpdateResult,
  SampledExperience,
  TDLambdaOptions,
  TDLambdaSnapshot,
  TDLambdaStepResult,
} from "./learning/index.js";

export {
  AUDIT_ACTIONS,
  AuditLog,
  AuditRecordSchema,
  deriveKey,
  firstUnsafeValue,
  JottyStateSchema,
  migrateState,
  STATE_SCHEMA_VERSION,
  Vault,
  VaultCheckpointer,
} from "./persistence/index.js";
export type {
  AuditAction,
  AuditAnchor,
  AuditEntry,
  AuditRecord,
  AuditVerification,
  ConcurrentWriters,
  JottyState,
  LoadedState,
  Migration,
  RunInfo,
  RunStatus,
  SaveOptions,
  VaultCheckpointerOptions,
  VaultOptions,
  VaultUsage,
} from "./persistence/index.js";

export { affinity, effectiveScore, Experience, PlaybookStore, ruleReflection, trendOf } from "./experience/index.js";
export type {
  CurationResult,
  ErrorSolution,
  ExperienceOptions,
  ExperienceSnapshot,
  ExperienceStep,
  Feedback,
  LearningContext,
  LearningOutcome,
  PlaybookDiff,
  PlaybookScope,
  PlaybookVersion,
  Reflection,
  ReflectionMemory,
  ScoreStrategy,
  Strategy,
  Trajectory,
} from "./experience/index.js";

export {
  ActorMemory,
  BaseActor,
  Conductor,
  creditActors,
  ExecutionMode,
  LLMActor,
  PolicyActor,
  RunnableActor,
  TodoList,
  TraceLibrary,
} from "./orchestration/index.js";
export type {
  Actor,
  ActorContext,
  ActorDecision,
  ActorFunction,
  ActorIdentity,
  ConductorMetrics,
  ConductorOptions,
  MemoryScope,
  ScopedMemory,
  EpisodeResult,
  ExecutionTrace,
  LLMActorOptions,
  ModeStats,
  PolicyActorOptions,
  RunnableActorOptions,
  StepEvent,
  TodoItem,
  TrajectoryStep,
} from "./orchestration/index.js";

export { GraphLearning, LearningAnnotation } from "./graph-learning/index.js";
export type { GraphLearningOptions, GraphLearningStats, LearnNode, LearnOptions, RecallNode, RecallOptions, LearningFields, LearningRecord, LearningRecordUpdate, RunOutcome } from "./graph-learning/index.js";

export { LatencyHistogram, Telemetry, TIMED_OPERATIONS } from "./telemetry/index.js";
export type { LatencySummary, TimedOperation } from "./telemetry/index.js";

export { nearestNeighbourReference, trainRun } from "./evaluation/index.js";
export type { NearestNeighbourResult, RunReport } from "./evaluation/index.js";

export { CircuitBreaker, createChatModel, groundingIssue, invokeStructured, LlmUsage } from "./llm/index.js";
export type { CircuitBreakerOptions, GroundingOptions, LlmConfig, LlmUsageCounts } from "./llm/index.js";

export {
  Bandit,
  CliffWalking,
  createEnvironment,
  environmentNames,
  parseEnvironmentOptions,
  RandomWalk,
  registerEnvironment,
  TextEnvironment,
  composeSql,
  goldDecisions,
  parseTasksJsonl,
  SqlAnalyst,
  SqlTaskSchema,
  ToolRouter,
  ToolRouterOptionsSchema,
} from "./environments/index.js";
export type {
  BanditOptions,
  CliffWalkingOptions,
  Environment,
  EnvironmentFactory,
  EnvironmentInfo,
  EnvironmentReset,
  EnvironmentStep,
  MaybePromise,
  RandomWalkOptions,
  ResetOptions,
  Decisions,
  Intent,
  SqlAnalystOptions,
  SqlTask,
  ToolRequest,
  ToolRouterOptions,
} from "./environments/index.js";
