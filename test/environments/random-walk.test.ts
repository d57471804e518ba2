import { describe, expect, it } from "vitest";
import { createEnvironment, JottyError, RandomWalk, Rng } from "../../src/index.js";

function walkToEnd(walk: RandomWalk, rng: Rng): { reward: number; steps: number; positions: number[] } {
  const { info } = walk.reset(rng);
  const positions = [info.position as number];
  for (let steps = 1; ; steps += 1) {
    const next = walk.step("take a random step");
    positions.push(next.info.position as number);
    if (next.done) return { reward: next.reward, steps, positions };
    expect(next.reward).toBe(0);
  }
}

describe("random-walk", () => {
  it("starts in the middle of 19 states with one action, in plain words", () => {
    const walk = new RandomWalk();
    const start = walk.reset(new Rng(1));
    expect(start.observation).toBe(
      "You are at position 10 of 19 on a line; stepping off the left end pays -1, off the right end 1.",
    );
    expect(start.actions).toEqual(["take a random step"]);
  });

  it("moves one position at a time and pays −1 or +1 at the ends", () => {
    const walk = new RandomWalk();
    const rng = new Rng(2);
    const ends = new Set<number>();
    for (let episode = 0; episode < 30; episode += 1) {
      const { reward, positions } = walkToEnd(walk, rng);
      positions.slice(1).forEach((position, index) => expect(Math.abs(position - (positions[index] as number))).toBe(1));
      const last = positions.at(-1) as number;
      expect(last === 0 || last === 20).toBe(true);
      expect(reward).toBe(last === 0 ? -1 : 1);
      ends.add(reward);
    }
    expect(ends).toEqual(new Set([-1, 1]));
  });

  it("is reproducible from the seed", () => {
    const walk = new RandomWalk();
    expect(walkToEnd(walk, new Rng(9)).positions).toEqual(walkToEnd(walk, new Rng(9)).positions);
  });

  it("knows its true values: −0.9 … 0.9 on 19 states", () => {
    const values = [...new RandomWalk().trueValues().values()];
    expect(values).toHaveLength(19);
    values.forEach((value, index) => expect(value).toBeCloseTo((index + 1) / 10 - 1, 12));
  });

  it("says clearly what is wrong with bad use", () => {
    const walk = new RandomWalk({ states: 3 });
    expect(() => walk.step("take a random step")).toThrow(expect.objectContaining({ code: "environment_not_ready" }));
    walk.reset(new Rng(1));
    expect(() => walk.step("jump")).toThrow(/"jump" is not an action of random-walk here; choose one of: "take a random step"/);
    const rng = new Rng(1);
    walkToEnd(walk, rng);
    expect(() => walk.step("take a random step")).toThrow(expect.objectContaining({ code: "episode_done" }));
    expect(() => new RandomWalk({ states: 0 })).toThrow(JottyError);
    expect(() => createEnvironment("random-walk", { states: 5, start: 9 })).toThrow(/start/);
  });
});
