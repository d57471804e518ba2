import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { QPredictorConfig } from "../config/index.js";
import { JottyError } from "../errors/index.js";
import { CircuitBreaker, LlmUsage } from "../llm/index.js";
import type { Clock } from "../util/index.js";
import { askModelForValue } from "./ask-model-for-value.js";
import type { QEntry } from "./q-entry.js";
import type { QPrediction } from "./q-prediction.js";
import type { QTable } from "./q-table.js";
import { similarEstimates } from "./similar-estimates.js";
import { normalizeText } from "./text-key.js";

/** Options of {@link QValueEstimator}. */
export interface QValueEstimatorOptions {
  table: QTable;
  settings: QPredictorConfig;
  rewardRange: readonly [number, number] | undefined;
  /** The prior: the value of a pair nothing is known about. */
  initialValue: number;
  llm: BaseChatModel | undefined;
  /** The model's circuit breaker, shared with its other callers. */
  modelBreaker: CircuitBreaker | undefined;
  /** Where the estimator's own circuit breaker reads time. */
  clock: Clock;
}

/**
 * Values (state, action) pairs of a Q-table: a known pair from the table, an unseen one from
 * the most similar known pairs, then from the model (when there is one and it is wanted),
 * then the prior. A failing model falls back to the prior, counted in {@link QValueEstimator.usage},
 * and opens the estimator's circuit breaker after `settings.breaker.failures` failures.
 */
export class QValueEstimator {
  /** Model calls, failures, skips and tokens. */
  readonly usage = new LlmUsage();
  private readonly options: Omit<QValueEstimatorOptions, "clock">;
  private readonly breaker: CircuitBreaker;

  constructor({ clock, ...options }: QValueEstimatorOptions) {
    this.options = options;
    this.breaker = new CircuitBreaker({ failureThreshold: options.settings.breaker.failures, cooldownMs: options.settings.breaker.cooldownMs, clock });
  }

  /**
   * The values of candidate actions in a state, in their order.
   *
   * @throws JottyError `invalid_argument` without a state or candidates.
   */
  async predict({ state, actions, goal, useLlm = true }: { state: string; actions: readonly string[]; goal?: string | undefined; useLlm?: boolean }): Promise<QPrediction[]> {
    const { table, settings, rewardRange, initialValue, llm } = this.options;
    if (typeof state !== "string" || actions.length === 0) {
      throw new JottyError({ code: "invalid_argument", message: "predictMany needs a state and at least one action." });
    }
    const results: Array<QPrediction | undefined> = actions.map((action) => {
      const entry = table.find(state, action);
      return entry === undefined ? undefined : { action, q: entry.value, confidence: 1 - 1 / (1 + entry.visits), source: "table", evidence: entry.visits };
    });
    const missing = actions.flatMap((action, index) => (results[index] === undefined ? [index] : []));
    if (missing.length === 0) return results as QPrediction[];
    const modelAsked = llm !== undefined && useLlm;
    const estimates = await similarEstimates({ table, state, actions: missing.map((index) => actions[index] as string), settings, rewardRange, modelAsked });
    for (const [position, index] of missing.entries()) {
      const estimate = estimates[position];
      if (estimate !== undefined) {
        results[index] = estimate;
        continue;
      }
      const action = actions[index] as string;
      if (modelAsked) {
        try {
          results[index] = await this.askModel(state, action, goal);
          continue;
        } catch (error) {
          if (!JottyError.is(error, "llm_error")) throw error;
        }
      }
      results[index] = { action, q: initialValue, confidence: 0, source: "prior" };
    }
    return results as QPrediction[];
  }

  /** The values of candidate actions in a state without asking the model (table, similar pairs, prior). */
  async offlineValues(state: string, actions: readonly string[]): Promise<number[]> {
    return (await this.predict({ state, actions, useLlm: false })).map((prediction) => prediction.q);
  }

  /** Asks the model, showing it up to ten known pairs from the states most like this one. */
  private async askModel(state: string, action: string, goal: string | undefined): Promise<QPrediction> {
    const { table, settings, rewardRange, llm, modelBreaker } = this.options;
    let similar: QEntry[] = [];
    if (table.searchable) {
      const vector = await table.stateVector(normalizeText(state));
      similar = table
        .nearStates(vector, 5)
        .flatMap((match) => table.entriesOf(match.id))
        .sort((a, b) => b.visits - a.visits)
        .slice(0, 10);
    }
    return askModelForValue({
      model: llm as BaseChatModel,
      state,
      action,
      goal,
      similar,
      rewardRange,
      timeoutMs: settings.llmTimeoutMs,
      usage: this.usage,
      breaker: this.breaker,
      transport: modelBreaker,
    });
  }
}
