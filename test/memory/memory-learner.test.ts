import { describe, expect, it } from "vitest";
import { HierarchicalMemory, JottyError, MemoryLearner } from "../../src/index.js";

const GOAL = "report the total settled payment volume per day";
const PARAPHRASE = "what is the daily volume of settled payments";
const UNRELATED_GOAL = "water the office plants";

async function twoMemories(memory: HierarchicalMemory): Promise<{ a: string; b: string }> {
  const a = await memory.store({ level: "episodic", kind: "success", content: "Filter on dt and count only settled transactions", goal: GOAL });
  const b = await memory.store({ level: "episodic", content: "Filter on ts and include pending transactions", goal: GOAL });
  return { a: a.id, b: b.id };
}

describe("MemoryLearner", () => {
  it("after 30 episodes, the memory that leads to success is worth > 0.7 and the one that leads to failure < 0.3", async () => {
    const memory = new HierarchicalMemory();
    const learner = new MemoryLearner({ alpha: 0.1, gamma: 0.99, lambda: 0.95 });
    learner.attach(memory);
    const { a, b } = await twoMemories(memory);
    expect(await memory.value(a, GOAL)).toBe(0.4);
    expect(await memory.value(b, GOAL)).toBe(0.5);
    for (let episode = 0; episode < 30; episode += 1) {
      await learner.startEpisode({ goal: GOAL, taskType: "revenue" });
      const useA = episode % 2 === 0;
      const [used] = await memory.retrieve({
        goal: GOAL,
        query: useA ? "filter on dt, count settled" : "filter on ts, include pending",
        k: 1,
      });
      expect(used?.id).toBe(useA ? a : b);
      await learner.endEpisode({ reward: useA ? 1 : 0 });
    }
    const valueA = await memory.value(a, GOAL);
    const valueB = await memory.value(b, GOAL);
    expect(valueA).toBeGreaterThan(0.7);
    expect(valueB).toBeLessThan(0.3);
    expect(memory.get(a)?.values[GOAL]?.visits).toBe(15);

    // A goal never seen borrows from similar goals, weighted by similarity; an unrelated goal does not.
    const borrowedA = await memory.value(a, PARAPHRASE);
    const borrowedB = await memory.value(b, PARAPHRASE);
    expect(borrowedA).toBeGreaterThan(0.55);
    expect(borrowedB).toBeLessThan(0.45);
    expect(borrowedA).toBeLessThan(valueA);
    expect(await memory.value(a, UNRELATED_GOAL)).toBe(0.4);
  });

  it("credits in proportion to the eligibility trace: recent accesses more than old ones", async () => {
    const memory = new HierarchicalMemory();
    const learner = new MemoryLearner({ alpha: 0.5, gamma: 1, lambda: 0.5 });
    learner.attach(memory);
    const { a, b } = await twoMemories(memory);
    await learner.startEpisode({ goal: GOAL });
    await memory.retrieve({ goal: GOAL, query: "filter on dt, count settled", k: 1 }); // a
    await memory.retrieve({ goal: GOAL, query: "filter on ts, include pending", k: 1 }); // b
    expect(learner.trace(memory, a)).toBeCloseTo(0.5);
    expect(learner.trace(memory, b)).toBe(1);
    const credit = await learner.endEpisode({ reward: 1 });
    expect(credit.changes.find((change) => change.id === a)?.after).toBeCloseTo(0.4 + 0.5 * 0.6 * 0.5);
    expect(credit.changes.find((change) => change.id === b)?.after).toBeCloseTo(0.5 + 0.5 * 0.5 * 1);
    expect(learner.active).toBe(false);
    expect(learner.trace(memory, a)).toBe(0);
  });

  it("discounts intermediate rewards into the return and maps it onto [0, 1]", async () => {
    const memory = new HierarchicalMemory();
    const learner = new MemoryLearner({ gamma: 0.5, rewardRange: [-10, 10] });
    learner.attach(memory);
    await learner.startEpisode({ goal: GOAL });
    learner.reward(4);
    learner.reward(4);
    const credit = await learner.endEpisode({ reward: 2 });
    expect(credit.return).toBe(2 + 4 + 0.5 * 4);
    expect(credit.normalizedReturn).toBeCloseTo((8 + 10) / 20);
  });

  it("passes updates on to similar goals the memory already has values for", async () => {
    const memory = new HierarchicalMemory();
    const learner = new MemoryLearner({ alpha: 0.5 });
    learner.attach(memory);
    const { id } = await memory.store({ level: "episodic", content: "Count only settled transactions", goal: PARAPHRASE, value: 0.5 });
    await memory.store({ level: "episodic", content: "Count only settled transactions", goal: GOAL, value: 0.5 });
    await memory.store({ level: "episodic", content: "Count only settled transactions", goal: UNRELATED_GOAL, value: 0.5 });
    await learner.startEpisode({ goal: GOAL });
    await memory.retrieve({ goal: GOAL, k: 1 });
    const credit = await learner.endEpisode({ reward: 1 });
    expect(credit.transferred.map((change) => change.goal)).toEqual([PARAPHRASE]);
    const moved = memory.get(id)?.values[PARAPHRASE]?.value as number;
    expect(moved).toBeGreaterThan(0.5);
    expect(moved).toBeLessThan(memory.get(id)?.values[GOAL]?.value as number);
    expect(memory.get(id)?.values[UNRELATED_GOAL]?.value).toBe(0.5);
  });

  it("with a baseline, credits the advantage over the task type's moving average", async () => {
    const memory = new HierarchicalMemory();
    const learner = new MemoryLearner({ alpha: 0.5, baseline: true, baselineRate: 0.5 });
    learner.attach(memory);
    const { a } = await twoMemories(memory);
    await learner.startEpisode({ goal: GOAL, taskType: "revenue" });
    await memory.retrieve({ goal: GOAL, query: "filter on dt, count settled", k: 1 });
    const first = await learner.endEpisode({ reward: 1 });
    expect(first.baseline).toBe(0.5);
    expect(first.changes[0]?.after).toBeCloseTo(0.4 + 0.5 * (1 - 0.5));
    expect(learner.baseline("revenue")).toBeCloseTo(0.75);
    const restored = new MemoryLearner({ baseline: true });
    restored.restoreState(JSON.parse(JSON.stringify(learner.snapshot())));
    expect(restored.baseline("revenue")).toBeCloseTo(0.75);
    expect(memory.get(a)).toBeDefined();
  });

  it("rejects a non-finite reward and changes nothing", async () => {
    const memory = new HierarchicalMemory();
    const learner = new MemoryLearner();
    learner.attach(memory);
    await twoMemories(memory);
    await learner.startEpisode({ goal: GOAL });
    await memory.retrieve({ goal: GOAL, k: 2 });
    const before = memory.snapshot();
    expect(() => learner.reward(Number.NaN)).toThrow(expect.objectContaining({ code: "invalid_reward" }));
    await expect(learner.endEpisode({ reward: Infinity })).rejects.toMatchObject({ code: "invalid_reward" });
    expect(memory.snapshot()).toEqual(before);
    expect(learner.active).toBe(true);
    await learner.endEpisode({ reward: 1 });
    expect(memory.snapshot()).not.toEqual(before);
  });

  it("refuses overlapping episodes and rewards outside an episode", async () => {
    const learner = new MemoryLearner();
    expect(() => learner.reward(1)).toThrow(expect.objectContaining({ code: "no_active_episode" }));
    await learner.startEpisode({ goal: GOAL });
    await expect(learner.startEpisode({ goal: GOAL })).rejects.toMatchObject({ code: "episode_active" });
    learner.abandonEpisode();
    await expect(learner.endEpisode({ reward: 1 })).rejects.toBeInstanceOf(JottyError);
    expect(() => new MemoryLearner({ alpha: 0 })).toThrow(JottyError);
  });

  it("keeps the traces of two memories apart, even with the same name", async () => {
    const shared = new HierarchicalMemory({ name: "same" });
    const local = new HierarchicalMemory({ name: "same" });
    const learner = new MemoryLearner({ alpha: 0.5 });
    learner.attach(shared);
    learner.attach(local);
    const inShared = await shared.store({ level: "episodic", content: "Count only settled transactions" });
    const inLocal = await local.store({ level: "episodic", content: "Count only settled transactions" });
    expect(inShared.id).toBe(inLocal.id);
    await learner.startEpisode({ goal: GOAL });
    await local.retrieve({ goal: GOAL, k: 1 });
    await learner.endEpisode({ reward: 1 });
    expect(local.get(inLocal.id)?.values[GOAL]).toBeDefined();
    expect(shared.get(inShared.id)?.values[GOAL]).toBeUndefined();
  });
});

describe("memory from config", () => {
  it("builds a memory and a learner with the config's settings", async () => {
    const { parseConfig } = await import("../../src/index.js");
    const config = parseConfig({
      learning: { alpha: 0.3, lambda: 0.5, trace: "replacing" },
      memory: { capacities: { episodic: 7 }, baseline: true },
      embeddings: { provider: "hashing", dimensions: 96 },
    });
    const memory = HierarchicalMemory.fromConfig(config, { name: "analyst" });
    expect(memory.name).toBe("analyst");
    expect(memory.settings.capacities.episodic).toBe(7);
    const learner = MemoryLearner.fromConfig(config);
    learner.attach(memory);
    const { id } = await memory.store({ level: "episodic", content: "Count only settled transactions" });
    await learner.startEpisode({ goal: GOAL });
    await memory.retrieve({ goal: GOAL, k: 1 });
    await memory.retrieve({ goal: GOAL, k: 1 });
    expect(learner.trace(memory, id)).toBe(1); // replacing traces
    const credit = await learner.endEpisode({ reward: 1 });
    expect(credit.baseline).toBe(0.5);
    expect(credit.changes[0]?.after).toBeCloseTo(0.5 + 0.3 * (1 - 0.5));
  });
});
