import { describe, expect, it } from "vitest";
import { decisionPointOf, type DecisionPoint } from "../../src/knowledge/index.js";
import { changesOf, episodeInput, type State } from "../../src/orchestration/episode-state.js";

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
