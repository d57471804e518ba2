import { describe, expect, it } from "vitest";
import { CliffWalking, Rng } from "../../src/index.js";

function play(cliff: CliffWalking, actions: string[]): { total: number; done: boolean; last: ReturnType<CliffWalking["step"]> } {
  let total = 0;
  let last: ReturnType<CliffWalking["step"]> | undefined;
  for (const action of actions) {
    last = cliff.step(action);
    total += last.reward;
  }
  if (last === undefined) throw new Error("no actions");
  return { total, done: last.done, last };
}

describe("cliff-walking", () => {
  it("starts at the bottom left with four moves", () => {
    const cliff = new CliffWalking();
    const start = cliff.reset(new Rng(1));
    expect(start.observation).toMatch(/^You are at row 3, column 0 of a 4 × 12 grid/);
    expect(start.actions).toEqual(["move up", "move down", "move left", "move right"]);
  });

  it("the optimal path along the cliff returns −13", () => {
    const cliff = new CliffWalking();
    cliff.reset(new Rng(1));
    const { total, done, last } = play(cliff, ["move up", ...Array<string>(11).fill("move right"), "move down"]);
    expect(total).toBe(-13);
    expect(done).toBe(true);
    expect(last.info.reachedGoal).toBe(true);
    expect(last.actions).toEqual([]);
  });

  it("stepping into the cliff costs −100 and sends the walker back to the start", () => {
    const cliff = new CliffWalking();
    cliff.reset(new Rng(1));
    const fall = cliff.step("move right");
    expect(fall).toMatchObject({ reward: -100, done: false, info: { row: 3, column: 0, fellOffCliff: true } });
    expect(fall.observation).toMatch(/fell off the cliff/);
  });

  it("moves off the grid leave the position unchanged at the cost of a step", () => {
    const cliff = new CliffWalking();
    cliff.reset(new Rng(1));
    const bump = cliff.step("move left");
    expect(bump).toMatchObject({ reward: -1, done: false, info: { row: 3, column: 0 } });
  });

  it("accepts an action written with other case and spaces", () => {
    const cliff = new CliffWalking();
    cliff.reset(new Rng(1));
    expect(cliff.step("  Move   UP ").info).toMatchObject({ row: 2, column: 0 });
  });

  it("ends an episode at maxSteps without reaching the goal", () => {
    const cliff = new CliffWalking({ maxSteps: 3 });
    cliff.reset(new Rng(1));
    const { done, last } = play(cliff, ["move up", "move up", "move up"]);
    expect(done).toBe(true);
    expect(last.info).toMatchObject({ truncated: true, reachedGoal: false });
  });
});
