export { HierarchicalMemory } from "./hierarchical-memory.js";
export type { AccessListener } from "./hierarchical-memory.js";
export type { HierarchicalMemoryOptions, MemoryRestoreOptions } from "./hierarchical-memory-options.js";
export type { ConsolidationReport } from "./consolidate-memories.js";
export { PrunePolicySchema } from "./prune-memories.js";
export type { PrunePolicy, PruneReport } from "./prune-memories.js";
export type { RetrievedMemory, RetrieveInput } from "./retrieve-memories.js";
export { StoreMemoryInputSchema } from "./store-memory.js";
export type { StoreMemoryInput, StoreMemoryResult } from "./store-memory.js";
export type { ChangeListener, MemoryChange } from "./memory-change.js";
export { MemoryLearner } from "./memory-learner.js";
export type { EpisodeCredit, MemoryLearnerOptions, MemoryValueChange } from "./memory-learner.js";
export { JottyMemoryStore } from "./jotty-memory-store.js";
export {
  defaultKind,
  INITIAL_VALUES,
  LEVEL_WEIGHTS,
  MEMORY_LEVELS,
  MemoryKindSchema,
  MemoryLevel,
  MemoryLevelSchema,
} from "./memory-level.js";
export type { MemoryKind } from "./memory-level.js";
export { CausalLinkSchema, GoalValueSchema, itemId, MemoryEntrySchema, memoryId } from "./memory-entry.js";
export type { CausalLink, MemoryEntry } from "./memory-entry.js";
export { checkMemorySnapshot, MEMORY_SNAPSHOT_VERSION, MemorySnapshotSchema, parseMemorySnapshot } from "./memory-snapshot.js";
export { MEMORY_COLUMNS_VERSION, MemoryColumnsSchema } from "./memory-columns.js";
export type { MemoryColumns } from "./memory-columns.js";
export type { MemorySnapshot } from "./memory-snapshot.js";
export { strengthenConfidence, weakenConfidence } from "./causal-confidence.js";
export { retrievalScore } from "./retrieval-score.js";
export type { RetrievalScoreInput, RetrievalSettings } from "./retrieval-score.js";
