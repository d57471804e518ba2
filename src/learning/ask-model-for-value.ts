import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { HumanMessage, SystemMessage } from "@langchain/core/messages";
import { z } from "zod";
import { invokeStructured, type CircuitBreaker, type LlmUsage } from "../llm/index.js";
import type { QEntry } from "./q-entry.js";
import type { QPrediction } from "./q-prediction.js";
import { clampToRange } from "./value-range.js";

/** The model's answer when asked for a value. */
export const QValueAnswerSchema = z.object({
  reasoning: z.string().describe("why this value, in one or two sentences"),
  q_value: z.number().describe("expected return of taking the action in the state"),
  confidence: z.number().min(0).max(1).describe("how sure, from 0 to 1"),
  alternative_action: z.string().nullable().describe("a better action, if there is one"),
});

/** Options of {@link askModelForValue}. */
export interface AskModelForValueOptions {
  model: BaseChatModel;
  state: string;
  action: string;
  goal: string | undefined;
  /** Known pairs of similar states, shown as past experience (the first ten). */
  similar: readonly QEntry[];
  /** When given, the prompt names it and the answer is clamped to it. */
  rewardRange: readonly [number, number] | undefined;
  timeoutMs: number;
  usage: LlmUsage;
  /** The predictor's own breaker. */
  breaker: CircuitBreaker;
  /** The model's breaker, shared with its other callers. */
  transport: CircuitBreaker | undefined;
}

/**
 * Asks a language model for the value of a (state, action) pair, showing it similar known
 * pairs; the answer becomes a prediction of source `llm`.
 *
 * @throws JottyError `llm_error` when the model fails, times out, answers malformed or its breaker is open.
 */
export async function askModelForValue({ model, state, action, goal, similar, rewardRange, timeoutMs, usage, breaker, transport }: AskModelForValueOptions): Promise<QPrediction> {
  const experiences = similar
    .slice(0, 10)
    .map((entry) => `- when ${entry.state}, "${entry.action}": Q=${entry.value.toFixed(2)} over ${entry.visits} tries, average reward ${entry.averageReward.toFixed(2)}`)
    .join("\n");
  const range = rewardRange === undefined ? "" : ` Values lie between ${rewardRange[0]} and ${rewardRange[1]}.`;
  const answer = await invokeStructured({
    model,
    schema: QValueAnswerSchema,
    name: "q_value_prediction",
    timeoutMs,
    usage,
    breaker,
    ...(transport === undefined ? {} : { transport }),
    messages: [
      new SystemMessage(
        `You estimate the expected return (Q-value) of taking an action in a situation, from past experience.${range} Answer with reasoning, q_value, confidence and alternative_action.`,
      ),
      new HumanMessage(
        [
          goal === undefined ? "" : `Goal: ${goal}`,
          `Situation: ${state}`,
          `Proposed action: ${action}`,
          experiences === "" ? "No similar past experience." : `Similar past experiences:\n${experiences}`,
        ]
          .filter((line) => line !== "")
          .join("\n"),
      ),
    ],
  });
  return {
    action,
    q: clampToRange(answer.q_value, rewardRange),
    confidence: answer.confidence,
    source: "llm",
    reasoning: answer.reasoning,
    ...(answer.alternative_action === null || answer.alternative_action === "" ? {} : { alternative: answer.alternative_action }),
  };
}
