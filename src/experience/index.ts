export { Experience } from "./experience.js";
export type { ExperienceOptions } from "./experience-options.js";
export type { LearningContext, LearningOutcome } from "./execute-with-learning.js";
export type { ConsolidationGroup, ConsolidationOptions } from "./reflection-memory-store.js";
export type { Recommendation } from "./recommend.js";
export type { RecurringFailure, RecurringPattern } from "./recurring-patterns.js";
export type { TaskTrend } from "./task-trends.js";
export type { RlEpisode, RlTransition } from "./training-exports.js";
export type { StepInput, TrajectoryFilter } from "./trajectory-store.js";
export { ReflectionAnswerSchema } from "./model-reflection.js";
export { PlaybookStore } from "./playbook-store.js";
export type { CurationResult, PlaybookDiff, PlaybookStoreOptions } from "./playbook-store.js";
export { ruleReflection } from "./rule-reflection.js";
export { affinity, effectiveScore, trendOf } from "./scores.js";
export type { ScoreStrategy } from "./scores.js";
export { EXPERIENCE_SNAPSHOT_VERSION, ExperienceSnapshotSchema } from "./schemas.js";
export { EXPERIENCE_MIGRATIONS, migrateExperienceSnapshot } from "./migrate-experience-snapshot.js";
export type {
  ErrorSolution,
  ExperienceSnapshot,
  Feedback,
  PlaybookChange,
  PlaybookHistory,
  PlaybookScope,
  PlaybookVersion,
  Reflection,
  ReflectionMemory,
  Strategy,
  StoredTrajectory,
  Trajectory,
  TrajectoryStep as ExperienceStep,
} from "./schemas.js";
