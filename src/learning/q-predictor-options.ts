import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { z } from "zod";
import { LearningSchema, QPredictorSchema, type JottyConfig, type MemoryConfig, type QPredictorConfig } from "../config/index.js";
import type { Embedder } from "../embeddings/index.js";
import { issueList, JottyError } from "../errors/index.js";
import type { CircuitBreaker } from "../llm/index.js";
import type { Telemetry } from "../telemetry/index.js";
import type { Clock } from "../util/index.js";
import type { EpsilonSchedule } from "./math/index.js";

/** The one-step target a Q-predictor learns with (the config's `qPredictor.method`). */
export type QMethod = QPredictorConfig["method"];

/** Options of {@link QPredictor}. */
export interface QPredictorOptions {
  /** Step size α. */
  alpha: number;
  /** Discount γ. */
  gamma: number;
  /** Target. @default "q-learning" */
  method?: QMethod;
  /** Value of a pair nothing is known about. @default 0 */
  initialValue?: number;
  /** Without one the predictor is purely tabular; with one, unseen pairs are estimated from similar ones. */
  embedder?: Embedder;
  /** Asked for a value when nothing similar is known. */
  llm?: BaseChatModel;
  /** The model's circuit breaker, shared with its other callers (errors and timeouts open it for all). */
  modelBreaker?: CircuitBreaker;
  /** Values kept within this range; lessons and calibration read rewards against it. */
  rewardRange?: readonly [number, number];
  /** ε schedule of ε-greedy selection and of Expected SARSA's target policy. @default linear 0.3 → 0.05 over 500 */
  epsilon?: EpsilonSchedule;
  /** The rest of the config's `qPredictor` section. */
  settings?: z.input<typeof QPredictorSchema>;
  /** The index of the states' vectors (the config's `memory.index`). @default CONFIG_DEFAULTS.memory.index */
  vectorIndex?: MemoryConfig["index"];
  /** Where time is read (circuit breaker). @default systemClock */
  clock?: Clock;
  /** Where `predict` latencies are recorded. */
  telemetry?: Telemetry;
}

/** What a Q-predictor is built with besides its settings: the embedder, the model, the clock and telemetry. */
export type QPredictorServices = Pick<QPredictorOptions, "embedder" | "llm" | "modelBreaker" | "clock" | "telemetry">;

/**
 * Options of {@link QPredictor.restore}: the settings the restored predictor runs with, as for
 * the constructor (a snapshot holds learned data only), and its services.
 */
export type QPredictorRestoreOptions = Omit<QPredictorOptions, "alpha" | "gamma"> & {
  /** Step size α. @default the config's default `learning.alpha` (0.1) */
  alpha?: number;
  /** Discount γ. @default the config's default `learning.gamma` (0.99) */
  gamma?: number;
};

/**
 * The settings of a Q-predictor in a config: α, γ and the ε schedule of its `learning`
 * section, and its `qPredictor` section (what {@link QPredictor.fromConfig} builds with; pass
 * them to {@link QPredictor.restore} too).
 */
export function qPredictorOptionsFromConfig(config: Pick<JottyConfig, "learning" | "qPredictor"> & { memory?: Pick<MemoryConfig, "index"> }): QPredictorOptions {
  return {
    ...(config.memory === undefined ? {} : { vectorIndex: config.memory.index }),
    alpha: config.learning.alpha,
    gamma: config.learning.gamma,
    // The config's zod schema defines an ε schedule's shape; what it parses must be a schedule the math reads.
    epsilon: config.learning.epsilon satisfies EpsilonSchedule,
    settings: config.qPredictor,
  };
}

/** The options of {@link QPredictor.restore} with α and γ filled in from the config's defaults where not given. */
export function restoreOptionsWithDefaults(options: QPredictorRestoreOptions): QPredictorOptions {
  const defaults = LearningSchema.parse({});
  return { ...options, alpha: options.alpha ?? defaults.alpha, gamma: options.gamma ?? defaults.gamma };
}

/** The settings of a Q-predictor, checked, with every default filled in. */
export interface QPredictorSettings {
  alpha: number;
  gamma: number;
  method: QMethod;
  initialValue: number;
  rewardRange: readonly [number, number] | undefined;
  epsilon: EpsilonSchedule;
  /** The config's `qPredictor` section, parsed. */
  settings: QPredictorConfig;
}

function invalid(message: string): JottyError {
  return new JottyError({ code: "invalid_argument", message });
}

/**
 * Checks the settings of {@link QPredictorOptions} and fills in their defaults: method,
 * initial value and reward range from `settings` unless given, ε the config's default schedule.
 *
 * @throws JottyError `invalid_argument` when α, γ, the reward range or the initial value are
 *   out of range, `config_invalid` when `settings` do not match the schema.
 */
export function resolveQPredictorSettings(options: QPredictorOptions): QPredictorSettings {
  const parsed = QPredictorSchema.safeParse(options.settings ?? {});
  if (!parsed.success) {
    throw new JottyError({ code: "config_invalid", message: `Invalid Q-predictor settings: ${issueList(parsed.error).join("; ")}.` });
  }
  const settings = parsed.data;
  if (!(options.alpha > 0 && options.alpha <= 1)) throw invalid(`QPredictor alpha must be in (0, 1], got ${options.alpha}.`);
  if (!(options.gamma >= 0 && options.gamma <= 1)) throw invalid(`QPredictor gamma must be in [0, 1], got ${options.gamma}.`);
  const rewardRange = options.rewardRange ?? settings.rewardRange;
  if (rewardRange !== undefined && !(rewardRange[0] < rewardRange[1])) {
    throw invalid(`rewardRange must be [low, high] with low < high, got [${rewardRange.join(", ")}].`);
  }
  const initialValue = options.initialValue ?? settings.initialValue;
  if (!Number.isFinite(initialValue)) throw invalid(`initialValue must be a finite number, got ${initialValue}.`);
  return {
    alpha: options.alpha,
    gamma: options.gamma,
    method: options.method ?? settings.method,
    initialValue,
    rewardRange,
    epsilon: options.epsilon ?? LearningSchema.parse({}).epsilon,
    settings,
  };
}
