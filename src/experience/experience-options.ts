import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { Embedder } from "../embeddings/index.js";
import type { CircuitBreaker } from "../llm/index.js";
import type { Clock } from "../util/index.js";

/** Options of the learning loops (`Experience`). */
export interface ExperienceOptions {
  /** For similarity of tasks, strategies, errors and memories. @default new HashingEmbedder() */
  embedder?: Embedder;
  /**
   * When given, reflections and consolidation summaries come from it, checked for shape and
   * grounding (rules on failure; see `Experience.llmUsage`).
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
  /** Where time is read. @default systemClock */
  clock?: Clock;
  /** Similarity at which a finding merges into an existing strategy. @default 0.8 */
  mergeSimilarity?: number;
  /** Active strategies a playbook keeps. @default 50 */
  maxStrategies?: number;
  /** Completed trajectories kept; beyond it the oldest go, with their reflections and unshared traces. @default 1000 */
  maxTrajectories?: number;
}
