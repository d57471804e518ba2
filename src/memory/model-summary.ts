import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { HumanMessage, SystemMessage } from "@langchain/core/messages";
import { z } from "zod";
import { LLM_DEFAULTS } from "../config/index.js";
import { CircuitBreaker, groundingIssue, invokeStructured, LlmUsage } from "../llm/index.js";
import type { Clock } from "../util/index.js";

/** The shape of a model's summary. */
export const SummaryAnswerSchema = z.object({ summary: z.string().describe("the summary, in at most three sentences") });

/** How a summary reaches the model, and what counts its use. */
export interface ModelSummaryAccess {
  model: BaseChatModel;
  usage: LlmUsage;
  /** This caller's breaker: rejected and failed summaries count against it. */
  breaker: CircuitBreaker;
  /** The model's breaker shared with its other callers: only errors and timeouts count. */
  transport?: CircuitBreaker;
  timeoutMs?: number;
}

/** How a memory reaches its model for summaries, from its options; undefined without a model. */
export function summaryAccessOf(
  options: { llm?: BaseChatModel; answerBreaker?: CircuitBreaker; modelBreaker?: CircuitBreaker; llmTimeoutMs?: number },
  clock: Clock,
): ModelSummaryAccess | undefined {
  if (options.llm === undefined) return undefined;
  return {
    model: options.llm,
    usage: new LlmUsage(),
    breaker: options.answerBreaker ?? new CircuitBreaker({ clock }),
    ...(options.modelBreaker === undefined ? {} : { transport: options.modelBreaker }),
    ...(options.llmTimeoutMs === undefined ? {} : { timeoutMs: options.llmTimeoutMs }),
  };
}

/**
 * Asks a chat model for a summary of numbered items, as a `{ summary }` answer that must be
 * grounded in the items (see {@link groundingIssue}).
 *
 * @throws JottyError `llm_error` when the call fails, the answer is malformed, empty or not
 *   grounded, or a breaker is open, so callers fall back to their rules.
 */
export async function modelSummary(
  { model, usage, breaker, transport, timeoutMs = LLM_DEFAULTS.timeoutMs }: ModelSummaryAccess,
  { instruction, items }: { instruction: string; items: readonly string[] },
): Promise<string> {
  const answer = await invokeStructured({
    model,
    schema: SummaryAnswerSchema,
    name: "summary",
    timeoutMs,
    usage,
    breaker,
    ...(transport === undefined ? {} : { transport }),
    check: ({ summary }) => groundingIssue(summary, items),
    messages: [
      new SystemMessage(
        "You distil an AI agent team's experiences into reusable knowledge. Answer with the summary only, in at most three sentences, in the words of the experiences.",
      ),
      new HumanMessage(`${instruction}\n\n${items.map((item, index) => `${index + 1}. ${item}`).join("\n")}`),
    ],
  });
  return answer.summary.trim();
}
