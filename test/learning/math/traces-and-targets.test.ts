import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  eligibilityTrace,
  epsilonGreedyProbabilities,
  expectedSarsaTarget,
  JottyError,
  qLearningTarget,
  qUpdate,
  sarsaTarget,
  tdError,
} from "../../../src/index.js";

const unit = fc.double({ min: 0, max: 1, noNaN: true });
const trace = fc.double({ min: 0, max: 100, noNaN: true });
const value = fc.double({ min: -1000, max: 1000, noNaN: true });
const values = fc.array(value, { minLength: 1, maxLength: 8 });

describe("tdError", () => {
  it("is the target minus the value, with no bootstrap at a terminal state", () => {
    fc.assert(
      fc.property(value, value, value, unit, (v, r, next, gamma) => {
        expect(tdError({ value: v, reward: r, nextValue: next, gamma })).toBeCloseTo(r + gamma * next - v, 6);
        expect(tdError({ value: v, reward: r, nextValue: next, gamma, done: true })).toBeCloseTo(r - v, 6);
      }),
    );
  });
});

describe("eligibilityTrace", () => {
  it("decays by γλ without a visit, whatever the kind", () => {
    fc.assert(
      fc.property(trace, unit, unit, unit, fc.constantFrom("accumulating", "replacing", "dutch" as const), (e, gamma, lambda, alpha, kind) => {
        const next = eligibilityTrace({ trace: e, kind, gamma, lambda, alpha, visited: false });
        expect(next).toBeCloseTo(gamma * lambda * e, 9);
        expect(next).toBeLessThanOrEqual(e + 1e-12);
        expect(next).toBeGreaterThanOrEqual(0);
      }),
    );
  });

  it("on a visit: replacing ≤ dutch ≤ accumulating, and replacing is 1", () => {
    fc.assert(
      fc.property(trace, unit, unit, unit, (e, gamma, lambda, alpha) => {
        const input = { trace: e, gamma, lambda, alpha, visited: true };
        const accumulating = eligibilityTrace({ ...input, kind: "accumulating" });
        const replacing = eligibilityTrace({ ...input, kind: "replacing" });
        const dutch = eligibilityTrace({ ...input, kind: "dutch" });
        expect(replacing).toBe(1);
        expect(accumulating).toBeCloseTo(gamma * lambda * e + 1, 9);
        expect(dutch).toBeGreaterThanOrEqual(replacing - 1e-12);
        expect(dutch).toBeLessThanOrEqual(accumulating + 1e-9);
      }),
    );
  });

  it("dutch traces equal accumulating ones at α = 0 and replacing ones at α = 1", () => {
    fc.assert(
      fc.property(trace, unit, unit, (e, gamma, lambda) => {
        const input = { trace: e, gamma, lambda, visited: true };
        expect(eligibilityTrace({ ...input, kind: "dutch", alpha: 0 })).toBeCloseTo(
          eligibilityTrace({ ...input, kind: "accumulating" }),
          9,
        );
        expect(eligibilityTrace({ ...input, kind: "dutch", alpha: 1 })).toBe(1);
      }),
    );
  });

  it("matches hand-computed values", () => {
    expect(eligibilityTrace({ trace: 1, kind: "accumulating", gamma: 1, lambda: 0.8, visited: true })).toBeCloseTo(1.8);
    expect(eligibilityTrace({ trace: 1, kind: "dutch", gamma: 1, lambda: 0.8, alpha: 0.5, visited: true })).toBeCloseTo(1.4);
  });
});

describe("one-step targets", () => {
  it("Q-learning ≥ SARSA for any next action, and expected SARSA lies between min and max", () => {
    fc.assert(
      fc.property(value, unit, values, fc.nat(), unit, (reward, gamma, next, pick, epsilon) => {
        const chosen = next[pick % next.length] as number;
        const q = qLearningTarget({ reward, gamma, done: false, nextValues: next });
        const sarsa = sarsaTarget({ reward, gamma, done: false, nextValue: chosen });
        const expected = expectedSarsaTarget({ reward, gamma, done: false, nextValues: next, epsilon });
        const low = reward + gamma * Math.min(...next);
        expect(q).toBeGreaterThanOrEqual(sarsa - 1e-9);
        expect(expected).toBeLessThanOrEqual(q + 1e-6);
        expect(expected).toBeGreaterThanOrEqual(low - 1e-6);
      }),
    );
  });

  it("expected SARSA with a greedy target policy (ε = 0) is Q-learning", () => {
    fc.assert(
      fc.property(value, unit, values, (reward, gamma, next) => {
        expect(expectedSarsaTarget({ reward, gamma, done: false, nextValues: next, epsilon: 0 })).toBeCloseTo(
          qLearningTarget({ reward, gamma, done: false, nextValues: next }),
          6,
        );
      }),
    );
  });

  it("expected SARSA with explicit probabilities is their weighted sum", () => {
    expect(
      expectedSarsaTarget({ reward: 1, gamma: 0.5, done: false, nextValues: [2, 4], probabilities: [0.25, 0.75] }),
    ).toBeCloseTo(1 + 0.5 * (0.5 + 3));
  });

  it("every target is the reward alone at a terminal state", () => {
    fc.assert(
      fc.property(value, unit, values, (reward, gamma, next) => {
        expect(qLearningTarget({ reward, gamma, done: true, nextValues: next })).toBe(reward);
        expect(qLearningTarget({ reward, gamma, done: true, nextValues: [] })).toBe(reward);
        expect(sarsaTarget({ reward, gamma, done: true, nextValue: next[0] as number })).toBe(reward);
        expect(expectedSarsaTarget({ reward, gamma, done: true, nextValues: next, epsilon: 0.1 })).toBe(reward);
      }),
    );
  });

  it("refuses to bootstrap from no next actions", () => {
    expect(() => qLearningTarget({ reward: 0, gamma: 1, done: false, nextValues: [] })).toThrow(JottyError);
    expect(() =>
      expectedSarsaTarget({ reward: 0, gamma: 1, done: false, nextValues: [1, 2], probabilities: [1] }),
    ).toThrow(/2 actions/);
  });
});

describe("qUpdate", () => {
  it("moves towards the target and reaches it at α = 1", () => {
    fc.assert(
      fc.property(value, value, unit, (q, target, alpha) => {
        const updated = qUpdate({ q, target, alpha });
        expect(Math.abs(target - updated)).toBeLessThanOrEqual(Math.abs(target - q) + 1e-9);
        expect(qUpdate({ q, target, alpha: 1 })).toBeCloseTo(target, 9);
      }),
    );
  });
});

describe("epsilonGreedyProbabilities", () => {
  it("sums to one and gives every action at least ε/n", () => {
    fc.assert(
      fc.property(values, unit, (actionValues, epsilon) => {
        const probabilities = epsilonGreedyProbabilities({ values: actionValues, epsilon });
        expect(probabilities.reduce((sum, p) => sum + p, 0)).toBeCloseTo(1, 9);
        for (const p of probabilities) expect(p).toBeGreaterThanOrEqual(epsilon / actionValues.length - 1e-12);
      }),
    );
  });

  it("rejects ε outside [0, 1]", () => {
    expect(() => epsilonGreedyProbabilities({ values: [1], epsilon: 1.5 })).toThrow(JottyError);
  });
});
