import { describe, expect, it } from "vitest";
import { Bandit, CliffWalking, JottyError, RandomWalk, Rng, SqlAnalyst, TextEnvironment, ToolRouter, type Environment, type JsonValue } from "../../src/index.js";

/** Steps an environment along the first candidate each time, for `steps` steps or to the end. */
async function walk(environment: Environment, first: { actions: string[] }, steps: number) {
  const seen: Array<{ observation: string; reward: number; done: boolean }> = [];
  let actions = first.actions;
  for (let step = 0; step < steps && actions.length > 0; step += 1) {
    const result = await environment.step(actions[step % actions.length] as string);
    seen.push({ observation: result.observation, reward: result.reward, done: result.done });
    actions = result.actions;
  }
  return { seen, actions };
}

const environments: Array<[string, () => Environment]> = [
  ["cliff-walking", () => new CliffWalking({ columns: 5 })],
  ["random-walk", () => new RandomWalk()],
  ["bandit", () => new Bandit({ horizon: 6 })],
  ["tool-router", () => new ToolRouter()],
  ["sql-analyst", () => new SqlAnalyst({ perDay: 20, tasksPerTemplate: 1 })],
];

describe("an environment's episode snapshot", () => {
  it.each(environments)("%s: a fresh instance restored from a snapshot goes on exactly as the original", async (_name, make) => {
    // Captured right after reset and, where the episode is still running, two steps in.
    for (const stepsBefore of [0, 2]) {
      const original = make();
      const start = await original.reset(new Rng(3));
      const before = await walk(original, start, stepsBefore);
      const from = { actions: stepsBefore === 0 ? start.actions : before.actions };
      if (from.actions.length === 0) continue; // over already: nothing to go on with
      const snapshot = original.snapshotEpisode?.();
      expect(snapshot).toBeDefined();
      // The snapshot is plain JSON: it survives a checkpoint's round trip.
      const copy = make();
      await copy.restoreEpisode?.(JSON.parse(JSON.stringify(snapshot)) as JsonValue);
      const going = await walk(original, from, 5);
      expect(going.seen.length).toBeGreaterThan(0);
      expect(await walk(copy, from, 5)).toEqual(going);
    }
  });

  it("refuses what it did not write, with a clear error, and keeps its episode", async () => {
    const cliff = new CliffWalking({ columns: 5 });
    const start = cliff.reset(new Rng(1));
    cliff.step("move up");
    const snapshot = cliff.snapshotEpisode();
    for (const bad of [null, { candidates: [], running: true, rng: [1, 2, 3, 4], dynamics: { row: "high" } }, { position: 2 }] as JsonValue[]) {
      expect(() => cliff.restoreEpisode(bad)).toThrowError(JottyError);
    }
    expect(cliff.snapshotEpisode()).toEqual(snapshot);
    expect(start.actions).toContain("move up");
    const sql = new SqlAnalyst({ perDay: 20, tasksPerTemplate: 1 });
    await expect(sql.restoreEpisode({ task: "no" })).rejects.toMatchObject({ code: "snapshot_invalid" });
  });

  it("is undefined for an environment that does not capture its episode, so its episodes restart", () => {
    // A subclass that describes only its dynamics, as a user's would.
    class Plain extends TextEnvironment {
      readonly name = "plain";
      readonly description = "One step to the end.";
      protected begin() {
        return { observation: "At the start.", actions: ["go"], info: {} };
      }
      protected transition() {
        return { observation: "At the end.", actions: [], reward: 1, done: true, info: { success: true } };
      }
    }
    const plain = new Plain();
    plain.reset(new Rng(1));
    expect(plain.snapshotEpisode()).toBeUndefined();
  });
});
