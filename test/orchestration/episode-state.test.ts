import { describe, expect, it } from "vitest";
import { decisionPointOf, type DecisionPoint } from "../../src/knowledge/index.js";
import { InMemoryStore, START, StateGraph } from "@langchain/langgraph";
import { buildEpisodeGraph } from "../../src/orchestration/episode-graph.js";
import { APPENDED_FIELDS, changesOf, EpisodeState, episodeInput, nodeInput, type State } from "../../src/orchestration/episode-state.js";
import { ACT_FIELDS } from "../../src/orchestration/nodes/act.js";
import { LEARN_FIELDS } from "../../src/orchestration/nodes/learn.js";
import { OBSERVE_FIELDS } from "../../src/orchestration/nodes/observe.js";
import { PLAN_FIELDS } from "../../src/orchestration/nodes/plan.js";

const start = { observation: "You stand at a fork. Paths lead left and right.", actions: ["left", "right"], info: {} };
const point = decisionPointOf(start) as DecisionPoint;
const state = {
  ...episodeInput({ episode: 0, goal: "g", taskType: "t", start, rng: { seed: 1, draws: 0 } as never, todoState: { schemaVersion: 1, round: 0, items: [], totals: {} }, environmentState: null }),
  localRecall: {},
  points: { [point.key]: point },
  accessed: [],
  qUpdates: [],
  loggedSteps: [],
  trajectory: [],
  errors: [],
  llmCalls: 5,
  tokens: 0,
} as unknown as State;

describe("changesOf", () => {
  it("leaves out the writes that change nothing and keeps every write that does", () => {
    const update = changesOf(state, {
      // Last-value fields: the same value is left out, a new one kept.
      done: false,
      mode: state.mode,
      actor: "walker",
      step: 1,
      environmentState: null,
      // Reduced fields: nothing to add is left out; a sum is kept even when it equals what is held.
      errors: [],
      llmCalls: 5,
      tokens: 0,
      trajectory: [{ step: 0, actor: "walker", observation: "o", action: "left", reward: -1, source: "actor" }],
      points: { [point.key]: point },
      localRecall: { walker: [] },
    });
    expect(update).toEqual({
      actor: "walker",
      step: 1,
      llmCalls: 5,
      trajectory: [{ step: 0, actor: "walker", observation: "o", action: "left", reward: -1, source: "actor" }],
      localRecall: { walker: [] },
    });
    const other = decisionPointOf({ ...start, actions: ["back", "left", "right"] }) as DecisionPoint;
    expect(changesOf(state, { points: { [point.key]: point, [other.key]: other } })).toEqual({ points: { [point.key]: point, [other.key]: other } });
  });
});

describe("nodeInput", () => {
  it("hands a node the fields it names alone, and a write to a field it did not read still lands", async () => {
    let seen: Record<string, unknown> = {};
    const graph = new StateGraph(EpisodeState)
      .addNode(
        "reader",
        async (view: Pick<State, "goal" | "step">) => {
          seen = { ...view };
          return changesOf(view, { step: view.step + 1, actor: "walker" });
        },
        { input: nodeInput(["goal", "step"] as const) },
      )
      .addEdge(START, "reader")
      .compile();
    const input = episodeInput({ episode: 0, goal: "g", taskType: "t", start, rng: { seed: 1, draws: 0 } as never, todoState: { schemaVersion: 1, round: 0, items: [], totals: {} }, environmentState: null });
    const final = await graph.invoke(input);
    expect(seen).toEqual({ goal: "g", step: 0 });
    expect(final.step).toBe(1);
    expect(final.actor).toBe("walker");
    expect(final.taskType).toBe("t");
  });

  it("gives each step node of the episode graph the fields it names, and the once-an-episode nodes the whole state", () => {
    const graph = buildEpisodeGraph({ maxSteps: 5, store: new InMemoryStore() });
    const read = (node: "plan" | "act" | "observe" | "learn" | "finish") => Object.keys((graph.nodes[node] as unknown as { channels: Record<string, string> }).channels).sort();
    expect(read("plan")).toEqual([...PLAN_FIELDS].sort());
    expect(read("act")).toEqual([...ACT_FIELDS].sort());
    expect(read("observe")).toEqual([...OBSERVE_FIELDS].sort());
    expect(read("learn")).toEqual([...LEARN_FIELDS].sort());
    expect(read("finish")).toEqual(Object.keys(EpisodeState.spec).sort());
  });

  it("names the lists a checkpoint stores as what each step appends: the fields the concat reducer adds to", () => {
    expect([...APPENDED_FIELDS].sort()).toEqual(["accessed", "errors", "loggedSteps", "qUpdates", "trajectory"]);
  });
});
