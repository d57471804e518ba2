/**
 * An LLM actor. Offline, a scripted stand-in for a chat model answers; to use a real model,
 * pass createChatModel({ provider: "openai", model: "gpt-4o-mini", apiKeyEnv: "OPENAI_API_KEY",
 * temperature: 0, timeoutMs: 30000, maxRetries: 2 }) instead (any OpenAI-compatible server works
 * through baseURL). The second identical task is replayed in FOLLOWER mode without a model call.
 * Run: npx tsx examples/llm-actor.ts
 */
import { AIMessage, type BaseMessage } from "@langchain/core/messages";
import type { ChatResult } from "@langchain/core/outputs";
import { FakeListChatModel } from "@langchain/core/utils/testing";
import { Conductor, LLMActor } from "../src/index.js";

/** Answers like a careful navigator: up from the start, right along the top of the cliff, down to the goal. */
class NavigatorModel extends FakeListChatModel {
  calls = 0;
  constructor() {
    super({ responses: ["unused"] });
  }
  override async _generate(messages: BaseMessage[]): Promise<ChatResult> {
    this.calls += 1;
    const text = messages.map((message) => String(message.content)).join("\n");
    const [, row = "3", column = "0", , columns = "12"] = /row (\d+), column (\d+) of a (\d+) × (\d+) grid/.exec(text) ?? [];
    const action = row === "3" ? "move up" : Number(column) < Number(columns) - 1 ? "move right" : "move down";
    const answer = JSON.stringify({ reasoning: `at row ${row}, column ${column}`, action });
    return { generations: [{ text: answer, message: new AIMessage(answer) }] };
  }
}

const model = new NavigatorModel();
const conductor = await Conductor.create({
  config: {
    learningMode: "contextual",
    environment: { name: "cliff-walking", options: { columns: 8, maxSteps: 40 } },
    conductor: { executionModes: { exploration: 0 } },
  },
  actors: [new LLMActor({ name: "navigator", model })],
});
for (let episode = 1; episode <= 2; episode += 1) {
  const result = await conductor.run();
  console.log(`episode ${episode}: ${result.success ? "reached the goal" : "failed"} in ${result.steps} steps, mode ${result.mode}, ${result.llmCalls} model calls`);
}
console.log(`the model was called ${model.calls} times in all`);
