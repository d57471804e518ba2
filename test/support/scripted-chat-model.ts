import type { BaseMessage } from "@langchain/core/messages";
import { AIMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";
import { FakeListChatModel } from "@langchain/core/utils/testing";

/**
 * A fake chat model that answers like a navigator of the cliff-walking grid (up from the
 * start, right along row 2, down into the goal) and remembers every prompt it was sent.
 */
export class CliffNavigatorModel extends FakeListChatModel {
  readonly prompts: string[] = [];

  constructor() {
    super({ responses: ["unused"] });
  }

  override async _generate(messages: BaseMessage[]): Promise<ChatResult> {
    const text = messages.map((message) => String(message.content)).join("\n");
    this.prompts.push(text);
    const situation = /Situation: You are at row (\d+), column (\d+) of a (\d+) × (\d+) grid/.exec(text);
    const [row, column, , columns] = (situation?.slice(1) ?? ["3", "0", "4", "12"]).map(Number) as [number, number, number, number];
    const action = row === 3 ? "move up" : column < columns - 1 ? "move right" : "move down";
    const answer = JSON.stringify({ reasoning: `at row ${row}, column ${column}`, action });
    return { generations: [{ text: answer, message: new AIMessage(answer) }] };
  }
}

/** A chat model that always fails. */
export class FailingChatModel extends FakeListChatModel {
  calls = 0;

  constructor() {
    super({ responses: ["unused"] });
  }

  override async _generate(): Promise<ChatResult> {
    this.calls += 1;
    throw new Error("model server unavailable");
  }
}
