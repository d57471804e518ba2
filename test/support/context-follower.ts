import type { BaseMessage } from "@langchain/core/messages";
import { AIMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";
import { FakeListChatModel } from "@langchain/core/utils/testing";

/** The readings a model takes when nothing tells it otherwise: each is wrong in the SQL analyst. */
const OBVIOUS = ["use transaction_category", "filter dates on ts", "all statuses", "amount_cents"];

function section(prompt: string, header: string): string {
  const start = prompt.indexOf(`${header}\n`);
  if (start < 0) return "";
  const rest = prompt.slice(start + header.length + 1);
  const end = rest.search(/\n\n(?:Your own experience:|A similar past success|What the team has learned:|Candidate actions:)/);
  return end < 0 ? rest : rest.slice(0, end);
}

/**
 * How a careful model reads a prompt of an LLM actor: it takes the obvious reading, unless the
 * learned context has a rule for this situation — `USE "X" (not "Y") when <situation>` makes it
 * take X, `AVOID "Y" when <situation>` makes it take another candidate. A rule about another
 * situation (its `when` is not in the prompt's situation) is ignored, as is any other text.
 */
export function followerAnswer(prompt: string): { reasoning: string; action: string } {
  const situation = (/Situation: (.*)/.exec(prompt)?.[1] ?? "").toLowerCase();
  const candidates = section(prompt, "Candidate actions:")
    .split("\n")
    .filter((line) => line.startsWith("- "))
    .map((line) => line.slice(2).trim());
  const avoid = new Set<string>();
  for (const line of section(prompt, "What the team has learned:").split("\n")) {
    const use = /^- USE "(.+?)" \(not (.+?)\) when (.+?) — /.exec(line);
    if (use !== null && situation.includes((use[3] as string).toLowerCase()) && candidates.includes(use[1] as string)) {
      return { reasoning: `the team's rule for ${use[3]}`, action: use[1] as string };
    }
    const against = /^- AVOID "(.+?)" when (.+?) — /.exec(line);
    if (against !== null && situation.includes((against[2] as string).toLowerCase())) avoid.add(against[1] as string);
  }
  const obvious = candidates.find((candidate) => OBVIOUS.includes(candidate)) ?? candidates[0] ?? "";
  if (!avoid.has(obvious)) return { reasoning: "the obvious reading", action: obvious };
  const other = candidates.find((candidate) => !avoid.has(candidate)) ?? obvious;
  return { reasoning: `the team warns against "${obvious}"`, action: other };
}

/** The text of a chat request's messages, as the model would read it. */
export function promptOf(messages: ReadonlyArray<{ content: unknown }>): string {
  return messages.map((message) => (typeof message.content === "string" ? message.content : JSON.stringify(message.content))).join("\n\n");
}

/** A scripted chat model that answers every actor prompt with {@link followerAnswer}, counting calls. */
export class ContextFollowerModel extends FakeListChatModel {
  calls = 0;
  readonly prompts: string[] = [];

  constructor() {
    super({ responses: ["unused"] });
  }

  override async _generate(messages: BaseMessage[]): Promise<ChatResult> {
    this.calls += 1;
    const prompt = promptOf(messages);
    this.prompts.push(prompt);
    const answer = JSON.stringify(followerAnswer(prompt));
    return { generations: [{ text: answer, message: new AIMessage(answer) }] };
  }
}
