import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { JottyConfig, JottyConfigInput } from "../config/index.js";
import type { Embedder } from "../embeddings/index.js";
import type { Environment } from "../environments/index.js";
import type { Clock } from "../util/index.js";
import type { Actor } from "./actor.js";

/** Options of {@link Conductor.create}. */
export interface ConductorOptions {
  /** The config, parsed or as written. */
  config: JottyConfig | JottyConfigInput;
  /** The team; built from `config.actors` when absent. */
  actors?: readonly Actor[];
  /**
   * Where episodes run: an environment, or a factory of them (what `train({ concurrency })`
   * needs, one instance an episode running at once); built from `config.environment` when absent.
   */
  environment?: Environment | (() => Environment);
  /** The chat model for LLM actors and summaries; built from `config.llm` when absent. */
  llm?: BaseChatModel;
  /** The embedder; built from `config.embeddings` when absent. */
  embedder?: Embedder;
  /** Where time is read. @default systemClock */
  clock?: Clock;
  /**
   * Told about what was handled without an error: runs skipped while loading, crash leftovers
   * cleaned, another process learning into the same folder, an episode a crash interrupted going on (or,
   * when its environment cannot capture its episode, starting again).
   */
  onWarning?: (warning: string) => void;
  /** Told about every error an episode records (actor failures, refused actions, fallbacks, learning errors). */
  onError?: (error: string, episode: number) => void;
}

