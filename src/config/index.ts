export { ActorSchema, ActorsSchema } from "./actor-schema.js";
export { CONFIG_DEFAULTS } from "./config-defaults.js";
export {
  ConductorSchema,
  ExperienceSchema,
  ConsolidationSchema,
  EmbeddingsSchema,
  EnvironmentSchema,
  EpsilonScheduleSchema,
  JottyConfigSchema,
  LearningMode,
  LearningModeSchema,
  LearningSchema,
  LLM_DEFAULTS,
  LlmSchema,
  MemorySchema,
  PrunePolicySchema,
  PruningSchema,
  RetrievalSchema,
  VectorIndexSchema,
  TraceKindSchema,
  TrainingSchema,
} from "./schema.js";
export type {
  ConductorConfig,
  ExperienceConfig,
  EmbeddingsConfig,
  EpsilonSchedule,
  JottyConfig,
  JottyConfigInput,
  MemoryConfig,
  TraceKind,
} from "./schema.js";
export { PolicySchema, QPredictorSchema } from "./q-predictor-schema.js";
export type { QPredictorConfig } from "./q-predictor-schema.js";
export { PersistenceSchema } from "./persistence-schema.js";
export type { PersistenceConfig } from "./persistence-schema.js";
export { defineConfig, loadConfig, parseConfig } from "./load-config.js";
export type { ConfigIssue } from "./load-config.js";
export { configJsonSchema } from "./json-schema.js";
export { resolveApiKey } from "./resolve-api-key.js";
