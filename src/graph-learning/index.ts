export { GraphLearning } from "./graph-learning.js";
export type { GraphLearningOptions, GraphLearningStats, LearnNode, LearnOptions, RecallNode, RecallOptions, RunOutcome } from "./graph-learning.js";
export { LearningAnnotation } from "./learning-annotation.js";
export type { LearningFields, LearningRecord, LearningRecordUpdate } from "./learning-annotation.js";
