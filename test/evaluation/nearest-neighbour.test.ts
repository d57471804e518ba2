import { describe, expect, it } from "vitest";
import { episodesToReach } from "../../src/cli/modes-benchmark.js";
import { Bandit, HashingEmbedder, JottyError, nearestNeighbourReference, Rng, SqlAnalyst, ToolRouter } from "../../src/index.js";

describe("the answer key and the supervised 1-NN reference", () => {
  it("the SQL analyst's answer key answers every held-out question right", async () => {
    const env = new SqlAnalyst();
    try {
      for (const task of env.tasks("heldOut").filter((_, index) => index % 6 === 0)) {
        let state = await env.reset(new Rng(1), { task });
        for (;;) {
          const action = env.goldAction() as string;
          expect(state.actions).toContain(action);
          const next = await env.step(action);
          if (next.done) {
            expect(next.info?.success, task.question).toBe(true);
            break;
          }
          state = next;
        }
        expect(env.goldAction()).toBeUndefined();
      }
    } finally {
      await env.close();
    }
  });

  it("1-NN on the tool router transfers to unseen wordings far above chance, and only from the labels it was given", async () => {
    const router = new ToolRouter();
    const embedder = new HashingEmbedder();
    const full = await nearestNeighbourReference({ environment: router, train: router.tasks("train"), heldOut: router.tasks("heldOut"), embedder });
    expect(full.labelled).toBe(144);
    expect(full.successRate).toBeGreaterThan(0.7);
    // Given the labels of two tools only, it can route to nothing else.
    const two = router.tasks("train").filter((task) => task.tool === "weather" || task.tool === "email");
    const partial = await nearestNeighbourReference({ environment: router, train: two, heldOut: router.tasks("heldOut"), embedder });
    expect(partial.successRate).toBeLessThanOrEqual(2 / 12 + 1e-9);
  });

  it("refuses an environment without an answer key", async () => {
    await expect(nearestNeighbourReference({ environment: new Bandit(), train: [{}], heldOut: [{}], embedder: new HashingEmbedder() })).rejects.toThrow(JottyError);
  });

  it("finds the first evaluation at or above the target", () => {
    const curve = [
      { episode: 0, successRate: 0.1 },
      { episode: 10, successRate: 0.79 },
      { episode: 20, successRate: 0.8 },
      { episode: 30, successRate: 0.9 },
    ];
    expect(episodesToReach(curve, 0.8)).toBe(20);
    expect(episodesToReach(curve, 0.95)).toBeNull();
  });
});
