import { FakeListChatModel } from "@langchain/core/utils/testing";
import { describe, expect, it } from "vitest";
import { Conductor, type JottyConfigInput } from "../../src/index.js";

/** A one-gambler team on a three-armed bandit (means 0, 1, 0.5). */
function banditTeam({ seed, stdDev, alpha, epsilon, qPredictor }: { seed: number; stdDev: number; alpha: number; epsilon: number; qPredictor?: JottyConfigInput["qPredictor"] }): JottyConfigInput {
  return {
    learningMode: "contextual",
    seed,
    environment: { name: "bandit", options: { arms: 3, means: [0, 1, 0.5], stdDev } },
    actors: [{ name: "gambler", kind: "policy" }],
    learning: { alpha, gamma: 0, epsilon: { kind: "constant", value: epsilon } },
    ...(qPredictor === undefined ? {} : { qPredictor }),
  };
}

describe("a policy actor in a team with a model", () => {
  it("has the Q-predictor ask the model for pairs nothing near is known about, counted once in the episode and per mode", async () => {
    const answer = JSON.stringify({ reasoning: "arm 2 pays best", q_value: 0.9, confidence: 0.7, alternative_action: null });
    const model = new FakeListChatModel({ responses: [answer] });
    const conductor = await Conductor.create({ config: banditTeam({ seed: 1, stdDev: 0, alpha: 0.5, epsilon: 0 }), llm: model });
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

describe("replay between episodes", () => {
  async function trained(replayBatch: number) {
    const conductor = await Conductor.create({ config: banditTeam({ seed: 3, stdDev: 1, alpha: 0.2, epsilon: 0.3, qPredictor: { replayBatch, similarity: false } }) });
    await conductor.train({ episodes: 30 });
    const entries = conductor.q.list().map((entry) => ({ action: entry.action, value: entry.value, visits: entry.visits }));
    await conductor.close();
    return entries.sort((a, b) => a.action.localeCompare(b.action));
  }

  it("re-learns qPredictor.replayBatch experiences after each episode, without counting them as visits", async () => {
    const without = await trained(0);
    const withReplay = await trained(8);
    const visits = (entries: Array<{ visits: number }>) => entries.reduce((total, entry) => total + entry.visits, 0);
    // One visit a pull, replay or not; the values are not the same.
    expect(visits(without)).toBe(30);
    expect(visits(withReplay)).toBe(30);
    expect(withReplay.map((entry) => entry.value)).not.toEqual(without.map((entry) => entry.value));
    // A seed reproduces it.
    expect(await trained(8)).toEqual(withReplay);
  });
});
