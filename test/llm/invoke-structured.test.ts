import { HumanMessage } from "@langchain/core/messages";
import { FakeListChatModel } from "@langchain/core/utils/testing";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { CircuitBreaker, groundingIssue, invokeStructured, JottyError, LlmUsage, ManualClock } from "../../src/index.js";
import { FailingChatModel } from "../support/scripted-chat-model.js";

const Schema = z.object({ summary: z.string() });
const messages = [new HumanMessage("summarise")];

async function reason(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
    return "answered";
  } catch (error) {
    if (!JottyError.is(error, "llm_error")) throw error;
    return error.details.reason;
  }
}

describe("invokeStructured", () => {
  it("counts an answer its check rejects as a failure, without counting it against the model's shared breaker", async () => {
    const clock = new ManualClock(0);
    const transport = new CircuitBreaker({ clock });
    const own = new CircuitBreaker({ clock });
    const usage = new LlmUsage();
    const model = new FakeListChatModel({ responses: [JSON.stringify({ summary: "{}" })] });
    const ask = () => invokeStructured({ model, schema: Schema, name: "summary", messages, usage, breaker: own, transport, check: ({ summary }) => groundingIssue(summary, ["a b"]) });
    for (let index = 0; index < 3; index += 1) expect(await reason(ask())).toBe("rejected");
    expect(usage.get()).toMatchObject({ calls: 3, failures: 3, rejected: 3, skipped: 0 });
    // The caller's own breaker is open; the model's is not, so others still call it.
    expect(own.state).toBe("open");
    expect(transport.state).toBe("closed");
    expect(await reason(ask())).toBe("circuit_open");
    expect(usage.get().skipped).toBe(1);
  });

  it("counts an answer that cannot be parsed against the caller, never against the model's shared breaker", async () => {
    const transport = new CircuitBreaker();
    const usage = new LlmUsage();
    for (const text of ["not json", JSON.stringify({ reasoning: "x", action: "y" })]) {
      const model = new FakeListChatModel({ responses: [text] });
      for (let index = 0; index < 3; index += 1) expect(await reason(invokeStructured({ model, schema: Schema, name: "summary", messages, usage, transport }))).toBe("failed");
    }
    expect(usage.get()).toMatchObject({ calls: 6, failures: 6, rejected: 0 });
    expect(transport.state).toBe("closed");
  });

  it("stops every caller of a model whose endpoint keeps failing, and lets one trial through after the cooldown", async () => {
    const clock = new ManualClock(0);
    const transport = new CircuitBreaker({ clock, cooldownMs: 1_000 });
    const actor = { usage: new LlmUsage(), breaker: new CircuitBreaker({ clock }) };
    const memory = { usage: new LlmUsage(), breaker: new CircuitBreaker({ clock }) };
    const failing = new FailingChatModel();
    const working = new FakeListChatModel({ responses: [JSON.stringify({ summary: "fine" })] });
    for (let index = 0; index < 3; index += 1) {
      // Each attempt a fresh own breaker would allow; the shared one counts the endpoint's errors.
      expect(await reason(invokeStructured({ model: failing, schema: Schema, name: "a", messages, usage: actor.usage, transport }))).toBe("failed");
    }
    expect(transport.state).toBe("open");
    expect(await reason(invokeStructured({ model: working, schema: Schema, name: "b", messages, ...memory, transport }))).toBe("circuit_open");
    expect(memory.usage.get()).toMatchObject({ calls: 0, skipped: 1 });
    // The memory's own breaker gave back the trial it was not allowed to make.
    expect(memory.breaker.state).toBe("closed");
    clock.advance(1_000);
    expect(await reason(invokeStructured({ model: working, schema: Schema, name: "b", messages, ...memory, transport }))).toBe("answered");
    expect(transport.state).toBe("closed");
  });
});

describe("groundingIssue", () => {
  const evidence = ["Revenue question about north in March: summed amount_cents of settled transactions, filtered on dt"];

  it("accepts a text in the words of its evidence, word forms included", () => {
    expect(groundingIssue("Revenue sums settled amount_cents, filtering on dt.", evidence)).toBeUndefined();
  });

  it("rejects empty text, JSON, too few words and text about something else, saying why", () => {
    expect(groundingIssue("  ", evidence)).toBe("the text is empty");
    expect(groundingIssue("{}", evidence)).toMatch(/JSON/);
    expect(groundingIssue('{"action": "filter dates on dt"}', evidence)).toMatch(/JSON/);
    expect(groundingIssue("ok", evidence)).toMatch(/fewer than 2/);
    expect(groundingIssue("Customers prefer weekly newsletters about gardening tools.", evidence)).toMatch(/occur in the evidence/);
  });
});
