export {
  ActorSchema,
  ActorsSchema,
  EnvironmentSchema,
  EpsilonScheduleSchema,
  JottyConfigSchema,
  LearningMode,
  LearningModeSchema,
  LearningSchema,
  LlmSchema,
  MemorySchema,
  TraceKindSchema,
  TrainingSchema,
} from "./schema.js";
export type { EpsilonSchedule, JottyConfig, JottyConfigInput, TraceKind } from "./schema.js";
export { defineConfig, loadConfig, parseConfig } from "./load-config.js";
export type { ConfigIssue } from "./load-config.js";
export { configJsonSchema } from "./json-schema.js";
