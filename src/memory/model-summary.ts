import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { HumanMessage, SystemMessage } from "@langchain/core/messages";
import { JottyError } from "../errors/index.js";

/**
 * Asks a chat model for a one-paragraph summary of numbered items.
 *
 * @throws JottyError `llm_error` when the call fails or the answer is empty, so callers fall back.
 */
export async function modelSummary(
  model: BaseChatModel,
  { instruction, items, timeoutMs = 30_000 }: { instruction: string; items: readonly string[]; timeoutMs?: number },
): Promise<string> {
  let text: string;
  try {
    const answer = await model.invoke(
      [
        new SystemMessage(
          "You distil an AI agent team's experiences into reusable knowledge. Answer with the summary only, in at most three sentences.",
        ),
        new HumanMessage(`${instruction}\n\n${items.map((item, index) => `${index + 1}. ${item}`).join("\n")}`),
      ],
      { timeout: timeoutMs },
    );
    text = typeof answer.content === "string" ? answer.content : answer.text;
  } catch (error) {
    throw new JottyError({
      code: "llm_error",
      message: `The model could not summarise: ${error instanceof Error ? error.message : String(error)}`,
      cause: error,
    });
  }
  const summary = text.trim();
  if (summary.length === 0) {
    throw new JottyError({ code: "llm_error", message: "The model answered with an empty summary." });
  }
  return summary;
}
