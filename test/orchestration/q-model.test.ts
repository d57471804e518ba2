import { FakeListChatModel } from "@langchain/core/utils/testing";
import { describe, expect, it } from "vitest";
import { Conductor } from "../../src/index.js";

describe("a policy actor in a team with a model", () => {
  it("has the Q-predictor ask the model for pairs nothing near is known about, counted once in the episode and per mode", async () => {
    const answer = JSON.stringify({ reasoning: "arm 2 pays best", q_value: 0.9, confidence: 0.7, alternative_action: null });
    const model = new FakeListChatModel({ responses: [answer] });
    const conductor = await Conductor.create({
      config: {
        learningMode: "contextual",
        seed: 1,
        environment: { name: "bandit", options: { arms: 3, means: [0, 1, 0.5], stdDev: 0 } },
        actors: [{ name: "gambler", kind: "policy" }],
        learning: { alpha: 0.5, gamma: 0, epsilon: { kind: "constant", value: 0 } },
      },
      llm: model,
    });
    try {
      const first = await conductor.run();
      // Nothing is known yet: each of the three arms is valued by the model.
      expect(first.llmCalls).toBe(3);
      const second = await conductor.run();
      // The arm pulled is now in the table; the other two have no case nearby and are asked again.
      expect(second.llmCalls).toBe(2);
      const metrics = await conductor.metrics();
      expect(metrics.llm.qPredictor.calls).toBe(5);
      expect(Object.values(metrics.llm.byMode).reduce((total, mode) => total + mode.calls, 0)).toBe(5);
      expect(metrics.llm.total.calls).toBe(5 + metrics.llm.learning.calls);
      expect(first.trajectory[0]?.reasoning ?? "").toMatch(/\(llm\)/);
    } finally {
      await conductor.close();
    }
  });
});
