import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { z } from "zod";
import type { MemorySchema } from "../config/index.js";
import type { Embedder, VectorIndex } from "../embeddings/index.js";
import type { CircuitBreaker } from "../llm/index.js";
import type { Telemetry } from "../telemetry/index.js";
import type { Clock } from "../util/index.js";

/** Options of {@link HierarchicalMemory}. */
export interface HierarchicalMemoryOptions {
  /** Name of this memory, e.g. `shared` or an actor's name. @default "shared" */
  name?: string;
  /** Turns text into vectors. @default new HashingEmbedder() */
  embedder?: Embedder;
  /** Memory settings (the config's `memory` section); missing fields take their defaults. */
  settings?: z.input<typeof MemorySchema>;
  /** Where time is read. @default systemClock */
  clock?: Clock;
  /**
   * When given, consolidation asks it for summaries, checked for shape and grounding (falling
   * back to rules on failure; see {@link HierarchicalMemory.llmUsage}).
   */
  llm?: BaseChatModel;
  /** The model's circuit breaker, shared with its other callers. */
  modelBreaker?: CircuitBreaker;
  /** The longest one model call may take (the config's `llm.timeoutMs`). @default LLM_DEFAULTS.timeoutMs */
  llmTimeoutMs?: number;
  /**
   * Counts unusable answers (malformed, rejected, failed) and stops asking after three in a row,
   * for a while. Pass one to several learning loops so that a model unable to summarise stops
   * being asked by all of them. @default a breaker of its own
   */
  answerBreaker?: CircuitBreaker;
  /** Builds the vector index. @default the tiered index of `settings.index` (exact while small, then HNSW) */
  createIndex?: (dimensions: number) => VectorIndex;
  /** Where `retrieve` and `store` latencies are recorded. */
  telemetry?: Telemetry;
  /**
   * Nearest-neighbour searches kept for repeated queries (least recently used out first);
   * a write to a level invalidates the searches that covered it. 0 turns the cache off.
   * @default 1000
   */
  retrievalCache?: number;
}

/** How {@link HierarchicalMemory.restore} rebuilds a memory: its options, and what the snapshot comes with. */
export interface MemoryRestoreOptions extends HierarchicalMemoryOptions {
  /** The snapshot's vectors and index, from {@link HierarchicalMemory.snapshotVectors}. */
  vectors?: Uint8Array | undefined;
  /**
   * The snapshot is the memory's to keep (JSON just parsed, say): it is checked where it is and
   * its entries become the memory's own, instead of being copied first. At 100k memories this
   * saves most of the restore's validation time and a second copy of every entry. Do not use
   * the snapshot afterwards: the memory changes its entries. @default false
   */
  adopt?: boolean;
}
