import { describe, expect, it } from "vitest";
import { Bandit, createEnvironment, Rng } from "../../src/index.js";

describe("bandit", () => {
  it("draws fixed means from its seed and names the arms in plain words", () => {
    const a = new Bandit({ arms: 5, meansSeed: 3 });
    const b = new Bandit({ arms: 5, meansSeed: 3 });
    expect(a.means).toEqual(b.means);
    expect(new Bandit({ arms: 5, meansSeed: 4 }).means).not.toEqual(a.means);
    expect(a.reset(new Rng(1)).actions).toEqual(["pull arm 1", "pull arm 2", "pull arm 3", "pull arm 4", "pull arm 5"]);
  });

  it("pays Gaussian rewards around the pulled arm's mean and reports regret", () => {
    const bandit = new Bandit({ means: [0, 2], arms: 2, stdDev: 0.5 });
    const rng = new Rng(2);
    const rewards: number[] = [];
    for (let pull = 0; pull < 4000; pull += 1) {
      bandit.reset(rng);
      const result = bandit.step("pull arm 1");
      expect(result.done).toBe(true);
      expect(result.info).toMatchObject({ arm: 1, optimalArm: 2, regret: 2 });
      rewards.push(result.reward);
    }
    const mean = rewards.reduce((sum, reward) => sum + reward, 0) / rewards.length;
    const spread = Math.sqrt(rewards.reduce((sum, reward) => sum + (reward - mean) ** 2, 0) / rewards.length);
    expect(mean).toBeCloseTo(0, 1);
    expect(spread).toBeCloseTo(0.5, 1);
  });

  it("runs `horizon` pulls an episode", () => {
    const bandit = new Bandit({ horizon: 3 });
    bandit.reset(new Rng(1));
    expect(bandit.step("pull arm 1").done).toBe(false);
    expect(bandit.step("pull arm 2").info.pullsLeft).toBe(1);
    expect(bandit.step("pull arm 3").done).toBe(true);
  });

  it("rejects means that do not match the number of arms", () => {
    expect(() => createEnvironment("bandit", { arms: 3, means: [1, 2] })).toThrow(/give one mean per arm/);
  });
});
