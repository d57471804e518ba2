import { describe, expect, it } from "vitest";
import { HashingEmbedder, HierarchicalMemory, PolicyActor, QPredictor, Rng, type ActorContext, type RetrievedMemory } from "../../src/index.js";
import { ActorMemory } from "../../src/orchestration/actor-memory.js";
import { memoryPrior } from "../../src/orchestration/memory-prior.js";

function recalled(content: string, value: number, learned: number, kind: RetrievedMemory["kind"] = "success"): RetrievedMemory {
  return { id: content.slice(0, 8), level: "episodic", kind, content, score: 1, relevance: 1, value, learned, metadata: { domain: "general", taskType: "task", sourceEpisodes: [] } };
}

describe("the memory prior of a policy actor", () => {
  const actions = ["amount_cents / 100.0", "amount_cents", "amount"];

  it("moves the options a memory names by its learned value, and only those it names", () => {
    const trusted = memoryPrior({ memories: [recalled("For q I chose amount_cents / 100.0; the team succeeded.", 0.9, 3)], actions, weight: 1, memoryName: "m" });
    // The longest option is found first, so the memory does not also name "amount_cents" or "amount".
    expect(Object.keys(trusted.bonuses)).toEqual(["amount_cents / 100.0"]);
    expect(trusted.bonuses["amount_cents / 100.0"]).toBeCloseTo(0.4 * 0.75, 6);
    expect(trusted.used).toEqual(["m/For q I "]);
    const distrusted = memoryPrior({ memories: [recalled("For q I chose amount; the team succeeded.", 0.2, 1)], actions, weight: 1, memoryName: "m" });
    expect(distrusted.bonuses.amount).toBeCloseTo(-0.3 * 0.5, 6);
  });

  it("says nothing from a value never learned, a failure record, a memory naming several options, or with weight 0", () => {
    const memory = recalled("For q I chose amount; the team succeeded.", 0.9, 0);
    expect(memoryPrior({ memories: [memory], actions, weight: 1, memoryName: "m" }).bonuses).toEqual({ amount: 0 });
    expect(memoryPrior({ memories: [{ ...memory, learned: 4, kind: "failure" }], actions, weight: 1, memoryName: "m" })).toEqual({ bonuses: {}, used: [] });
    expect(memoryPrior({ memories: [{ ...memory, learned: 4 }], actions, weight: 0, memoryName: "m" })).toEqual({ bonuses: {}, used: [] });
    // A memory naming two of the options recommends neither.
    expect(memoryPrior({ memories: [recalled("I chose amount, then amount_cents; the team succeeded.", 0.9, 4)], actions, weight: 1, memoryName: "m" })).toEqual({ bonuses: {}, used: [] });
  });

  it("changes what a policy actor chooses, and reports the memories it used for credit", async () => {
    const embedder = new HashingEmbedder();
    const q = new QPredictor({ alpha: 0.5, gamma: 0, embedder });
    const memory = new HierarchicalMemory({ name: "scout", embedder });
    const choose = async (value: number, weight: number, seed: number) => {
      const context: ActorContext = {
        goal: "total payments yesterday",
        observation: "How is money expressed?",
        actions,
        step: 0,
        episode: 0,
        learnedContext: "",
        localMemories: [recalled("For total payments yesterday I chose amount_cents; the team succeeded.", value, 5)],
        localMemory: memory,
        memory: new ActorMemory("scout", memory, memory),
        q,
        mode: "learner" as ActorContext["mode"],
        rng: new Rng(seed),
        explore: false,
      };
      return new PolicyActor({ name: "scout", memoryWeight: weight }).act(context);
    };
    for (let seed = 0; seed < 10; seed += 1) {
      const trusted = await choose(0.9, 0.3, seed);
      expect(trusted.action).toBe("amount_cents");
      expect(trusted.memories).toEqual(["scout/For tota"]);
      expect((await choose(0.1, 0.3, seed)).action).not.toBe("amount_cents");
    }
    // Without the prior the untrained values tie and the choice is the rng's.
    const free = new Set<string>();
    for (let seed = 0; seed < 10; seed += 1) free.add((await choose(0.9, 0, seed)).action);
    expect(free.size).toBeGreaterThan(1);
  });
});
