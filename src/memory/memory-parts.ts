import type { MemoryConfig } from "../config/index.js";
import type { Embedder } from "../embeddings/index.js";
import type { Clock } from "../util/index.js";
import type { GoalValues } from "./goal-values.js";
import type { MemoryTable } from "./memory-table.js";
import type { SearchCache } from "./search-cache.js";

/**
 * The state a {@link HierarchicalMemory} hands to the functions its operations are written as,
 * so each of them says by its parameter which parts it reads and writes.
 */
export interface MemoryParts {
  table: MemoryTable;
  goals: GoalValues;
  embedder: Embedder;
  settings: MemoryConfig;
  clock: Clock;
  searches: SearchCache;
}
