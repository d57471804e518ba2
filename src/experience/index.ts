export { Experience } from "./experience.js";
export { ReflectionAnswerSchema } from "./model-reflection.js";
export type { ExperienceOptions, LearningContext, LearningOutcome } from "./experience.js";
export { PlaybookStore } from "./playbook-store.js";
export type { CurationResult, PlaybookDiff, PlaybookStoreOptions } from "./playbook-store.js";
export { ruleReflection } from "./rule-reflection.js";
export { affinity, effectiveScore, trendOf } from "./scores.js";
export type { ScoreStrategy } from "./scores.js";
export { EXPERIENCE_SNAPSHOT_VERSION, ExperienceSnapshotSchema } from "./schemas.js";
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
  Trajectory,
  TrajectoryStep as ExperienceStep,
} from "./schemas.js";
