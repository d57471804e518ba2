import { describe, expect, it } from "vitest";
import { CliffWalking } from "../../src/index.js";
import { greedyReturn, trainControl, type ControlMethod } from "../support/tabular-control.js";

const SEEDS = [1, 2, 3, 4, 5, 6, 7, 8];

function experiment(method: ControlMethod): { online: number; greedy: number[] } {
  const averages: number[] = [];
  const greedy: number[] = [];
  for (const seed of SEEDS) {
    const { returns, q } = trainControl({
      environment: new CliffWalking(),
      method,
      episodes: 500,
      alpha: 0.5,
      gamma: 1,
      epsilon: 0.1,
      seed,
    });
    const window = returns.slice(99, 500); // episodes 100–500
    averages.push(window.reduce((sum, value) => sum + value, 0) / window.length);
    greedy.push(greedyReturn(new CliffWalking({ maxSteps: 200 }), q));
  }
  return { online: averages.reduce((sum, value) => sum + value, 0) / averages.length, greedy };
}

// Sutton & Barto Example 6.6: ε = 0.1, α = 0.5, γ = 1, 500 episodes.
describe("Q-learning and SARSA on cliff walking", () => {
  const qLearning = experiment("q-learning");
  const sarsa = experiment("sarsa");

  it("Q-learning's online return over episodes 100–500 is about −50", () => {
    expect(qLearning.online).toBeGreaterThan(-60);
    expect(qLearning.online).toBeLessThan(-40);
  });

  it("SARSA's is about −25 to −30 and higher than Q-learning's", () => {
    expect(sarsa.online).toBeGreaterThan(-32);
    expect(sarsa.online).toBeLessThan(-20);
    expect(sarsa.online).toBeGreaterThan(qLearning.online + 10);
  });

  it("Q-learning's greedy path is the optimal one along the cliff: −13", () => {
    expect(qLearning.greedy).toEqual(SEEDS.map(() => -13));
  });

  it("expected SARSA does at least as well online as SARSA", () => {
    expect(experiment("expected-sarsa").online).toBeGreaterThanOrEqual(sarsa.online - 1);
  });
});
