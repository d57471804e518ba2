import { describe, expect, it } from "vitest";
import { creditActors, HashingEmbedder, JottyError, TodoList, TraceLibrary } from "../../src/index.js";

describe("TodoList", () => {
  const team = [
    { name: "writer", dependsOn: ["researcher"] },
    { name: "researcher", dependsOn: [] },
    { name: "reviewer", dependsOn: ["writer"] },
  ];

  it("orders turns by dependency and starts a new round when one is over", () => {
    const todos = new TodoList(team);
    expect(todos.actorOrder).toEqual(["researcher", "writer", "reviewer"]);
    const taken: string[] = [];
    for (let turn = 0; turn < 6; turn += 1) {
      const item = todos.next();
      if (item === undefined) throw new Error("no turn");
      todos.start(item.id);
      taken.push(`${item.round}:${item.actor}`);
      todos.complete(item.id);
    }
    expect(taken).toEqual(["0:researcher", "0:writer", "0:reviewer", "1:researcher", "1:writer", "1:reviewer"]);
    expect(todos.snapshot().totals).toEqual({ researcher: { done: 2, blocked: 0 }, writer: { done: 2, blocked: 0 }, reviewer: { done: 2, blocked: 0 } });
  });

  it("blocks the turns that depend on a blocked one", () => {
    const todos = new TodoList(team);
    const first = todos.next();
    todos.start(first?.id as string);
    todos.block(first?.id as string, "search failed");
    expect(todos.next()).toBeUndefined();
    expect(todos.list().map((item) => item.status)).toEqual(["blocked", "blocked", "blocked"]);
  });

  it("gives the turn to the actor the environment names, out of dependency order if need be", () => {
    const todos = new TodoList(team);
    expect(todos.take("writer")).toMatchObject({ actor: "writer", round: 0, status: "in_progress" });
    const reviewer = todos.take("reviewer");
    todos.complete(reviewer.id);
    // The reviewer's turn of round 0 is used up, so asking again starts round 1.
    expect(todos.take("reviewer")).toMatchObject({ actor: "reviewer", round: 1 });
    expect(() => todos.take("ghost")).toThrow(/No actor "ghost" in the team/);
  });

  it("refuses cycles and unknown dependencies", () => {
    expect(() => new TodoList([{ name: "a", dependsOn: ["b"] }, { name: "b", dependsOn: ["a"] }])).toThrow(/cycle/);
    expect(() => new TodoList([{ name: "a", dependsOn: ["ghost"] }])).toThrow(JottyError);
  });
});

describe("TraceLibrary", () => {
  const settings = { enabled: true, follower: 0.92, mixed: 0.75, mixedBonus: 0.5, adaptAfter: 3, exploration: "policy" as const };

  it("chooses FOLLOWER, MIXED or LEARNER by goal similarity, preferring the best-rewarded trace", async () => {
    const traces = new TraceLibrary(new HashingEmbedder(), settings);
    expect(traces.chooseMode((await traces.match("sum settled revenue per day"))?.similarity)).toBe("learner");
    await traces.record({ goal: "sum settled revenue per day", actions: ["a", "b", "c"], reward: -3 });
    await traces.record({ goal: "sum settled revenue per day", actions: ["a", "c"], reward: -2 });
    const exact = await traces.match("Sum settled revenue per day");
    expect(exact?.similarity).toBeCloseTo(1, 5);
    expect(exact?.trace.actions).toEqual(["a", "c"]);
    expect(traces.chooseMode(exact?.similarity)).toBe("follower");
    expect(traces.chooseMode(0.8)).toBe("mixed");
    expect(traces.chooseMode(0.5)).toBe("learner");
    expect((await traces.record({ goal: "sum settled revenue per day", actions: ["a", "c"], reward: -2 })).successes).toBe(2);
    expect(traces.size).toBe(2);
  });

  it("stops offering a trace that fails more often than it succeeds when replayed", async () => {
    const traces = new TraceLibrary(new HashingEmbedder(), settings);
    const trace = await traces.record({ goal: "count refunds yesterday", actions: ["a"], reward: 1 });
    traces.recordReplay(trace.id, false);
    expect((await traces.match("count refunds yesterday"))?.trace.id).toBe(trace.id); // 1 success, 1 failure
    traces.recordReplay(trace.id, true); // successes are counted by record, not here
    traces.recordReplay(trace.id, false);
    expect(await traces.match("count refunds yesterday")).toBeUndefined();
    await traces.record({ goal: "count refunds yesterday", actions: ["a"], reward: 1 });
    expect((await traces.match("count refunds yesterday"))?.trace.failures).toBe(2);
  });

  it("raises a mode's threshold as its success rate falls", () => {
    const traces = new TraceLibrary(new HashingEmbedder(), settings);
    for (let episode = 0; episode < 4; episode += 1) traces.recordOutcome("follower", { success: episode === 0, llmCalls: 0, tokens: 0 });
    expect(traces.threshold("follower")).toBeCloseTo(0.92 + 0.1 * 0.75);
    expect(traces.chooseMode(0.95)).toBe("mixed");
    expect(traces.threshold("mixed")).toBe(0.75);
  });
});

describe("creditActors", () => {
  it("gives each actor its own rewards plus a share of the team's return", () => {
    const credit = creditActors({
      steps: [
        { actor: "a", reward: 1 },
        { actor: "b", reward: -1 },
        { actor: "a", reward: 2 },
      ],
      episodeReturn: 2,
      own: 1,
      cooperative: 0.5,
    });
    expect(credit).toEqual({ a: 3 + 0.5, b: -1 + 0.5 });
  });
});
