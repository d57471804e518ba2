import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { JottyError, RandomWalk, Rng, TDLambda, type TraceKind } from "../../src/index.js";
import { randomWalkRmsError } from "../../benchmarks/random-walk-rms.js";

describe("TDLambda on hand-worked transitions", () => {
  it("credits earlier states through the trace (accumulating)", () => {
    const td = new TDLambda({ alpha: 0.5, gamma: 1, lambda: 0.5 });
    expect(td.step({ state: "A", reward: 0, nextState: "B" }).tdError).toBe(0);
    const last = td.step({ state: "B", reward: 1, nextState: null });
    expect(last.tdError).toBe(1);
    expect(last.updatedStates).toBe(2);
    expect(td.value("B")).toBeCloseTo(0.5); // α·δ·e = 0.5·1·1
    expect(td.value("A")).toBeCloseTo(0.25); // α·δ·γλ = 0.5·1·0.5
    expect(td.tracedStates).toBe(0); // a terminal step clears the traces
  });

  it("accumulates a revisited state's trace, while replacing caps it at 1", () => {
    const run = (method: TraceKind): number => {
      const td = new TDLambda({ alpha: 0.1, gamma: 1, lambda: 0.5, method });
      td.step({ state: "A", reward: 0, nextState: "A" });
      td.step({ state: "A", reward: 0, nextState: "A" });
      return td.trace("A");
    };
    expect(run("accumulating")).toBeCloseTo(1.5);
    expect(run("replacing")).toBe(1);
    expect(run("true-online")).toBeCloseTo(1 + 0.5 * 0.9); // dutch: 1 + γλ(1 − α)e
  });

  it("drops traces that decay below the threshold", () => {
    const td = new TDLambda({ alpha: 0.1, gamma: 0.5, lambda: 0.5, traceThreshold: 0.1 });
    td.step({ state: "A", reward: 0, nextState: "B" });
    td.step({ state: "B", reward: 0, nextState: "C" }); // A: 0.25
    td.step({ state: "C", reward: 0, nextState: "D" }); // A: 0.0625 < 0.1, dropped
    expect(td.trace("A")).toBe(0);
    expect(td.trace("B")).toBeCloseTo(0.25);
  });

  it("equals TD(0) for every trace kind when λ = 0", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.double({ min: -1, max: 1, noNaN: true })), {
          minLength: 1,
          maxLength: 30,
        }),
        (steps) => {
          const learners = (["accumulating", "replacing", "true-online"] as const).map(
            (method) => new TDLambda({ alpha: 0.3, gamma: 0.9, lambda: 0, method }),
          );
          const reference = new Map<string, number>();
          steps.forEach(([state, reward], index) => {
            const from = `s${state}`;
            const isLast = index === steps.length - 1;
            const to = isLast ? null : `s${steps[index + 1]?.[0]}`;
            const v = reference.get(from) ?? 0;
            const next = to === null ? 0 : (reference.get(to) ?? 0);
            reference.set(from, v + 0.3 * (reward + 0.9 * next - v));
            for (const learner of learners) learner.step({ state: from, reward, nextState: to });
          });
          for (const learner of learners) {
            for (const [state, value] of reference) expect(learner.value(state)).toBeCloseTo(value, 9);
          }
        },
      ),
    );
  });
});

/**
 * The online λ-return algorithm (Sutton & Barto §12.4), computed by brute force: at every
 * horizon h the episode's updates are redone from its start with truncated λ-returns.
 * True online TD(λ) must produce exactly the same values (§12.5).
 */
function onlineLambdaReturn(
  episodes: Array<{ states: string[]; rewards: number[] }>,
  { alpha, gamma, lambda }: { alpha: number; gamma: number; lambda: number },
): Map<string, number> {
  let weights = new Map<string, number>();
  for (const { states, rewards } of episodes) {
    const T = rewards.length; // states[0..T-1] non-terminal, states[T] terminal
    const start = new Map(weights);
    const diagonal: Array<Map<string, number>> = [start]; // w_h^h for h = 0…T
    for (let h = 1; h <= T; h += 1) {
      const w = new Map(start);
      const value = (table: Map<string, number>, t: number): number =>
        t >= T ? 0 : (table.get(states[t] as string) ?? 0);
      const nStep = (t: number, end: number): number => {
        let total = 0;
        for (let i = t; i < end; i += 1) total += gamma ** (i - t) * (rewards[i] as number);
        return total + gamma ** (end - t) * value(diagonal[end - 1] as Map<string, number>, end);
      };
      for (let t = 0; t < h; t += 1) {
        let lambdaReturn = 0;
        for (let n = 1; n <= h - t - 1; n += 1) lambdaReturn += (1 - lambda) * lambda ** (n - 1) * nStep(t, t + n);
        lambdaReturn += lambda ** (h - t - 1) * nStep(t, h);
        const state = states[t] as string;
        const current = w.get(state) ?? 0;
        w.set(state, current + alpha * (lambdaReturn - current));
      }
      diagonal.push(w);
    }
    weights = diagonal[T] as Map<string, number>;
  }
  return weights;
}

describe("true online TD(λ)", () => {
  it("reproduces the online λ-return algorithm exactly", () => {
    const walk = new RandomWalk({ states: 5 });
    const rng = new Rng(4);
    const episodes: Array<{ states: string[]; rewards: number[] }> = [];
    for (let episode = 0; episode < 4; episode += 1) {
      let { observation } = walk.reset(rng);
      const states = [observation];
      const rewards: number[] = [];
      for (;;) {
        const next = walk.step("take a random step");
        rewards.push(next.reward);
        states.push(next.observation);
        if (next.done) break;
        observation = next.observation;
      }
      episodes.push({ states, rewards });
    }
    const parameters = { alpha: 0.3, gamma: 0.9, lambda: 0.7 };
    const expected = onlineLambdaReturn(episodes, parameters);
    const td = new TDLambda({ ...parameters, method: "true-online" });
    for (const { states, rewards } of episodes) {
      rewards.forEach((reward, t) =>
        td.step({ state: states[t] as string, reward, nextState: t === rewards.length - 1 ? null : (states[t + 1] as string) }),
      );
    }
    expect(expected.size).toBeGreaterThan(2);
    for (const [state, value] of expected) expect(td.value(state)).toBeCloseTo(value, 10);
    // Accumulating traces are only an approximation of it.
    const accumulating = new TDLambda({ ...parameters, method: "accumulating" });
    for (const { states, rewards } of episodes) {
      rewards.forEach((reward, t) =>
        accumulating.step({ state: states[t] as string, reward, nextState: t === rewards.length - 1 ? null : (states[t + 1] as string) }),
      );
    }
    const gap = Math.max(...[...expected].map(([state, value]) => Math.abs(accumulating.value(state) - value)));
    expect(gap).toBeGreaterThan(1e-4);
  });
});

describe("TDLambda on the 19-state random walk (Sutton & Barto Fig. 12.6 and 12.8)", () => {
  it("accumulating TD(λ) at λ = 0.8, α = 0.4 has RMS error 0.24–0.30 over the first 10 episodes of 100 runs", () => {
    const rms = randomWalkRmsError({ method: "accumulating", lambda: 0.8, alpha: 0.4 });
    expect(rms).toBeGreaterThanOrEqual(0.24);
    expect(rms).toBeLessThanOrEqual(0.3);
  });

  it("λ = 0 does worse at its own best α than λ = 0.8", () => {
    const alphas = [0.2, 0.4, 0.6, 0.7, 0.8, 0.9, 1];
    const bestAtZero = Math.min(
      ...alphas.map((alpha) => randomWalkRmsError({ method: "accumulating", lambda: 0, alpha })),
    );
    const atEight = randomWalkRmsError({ method: "accumulating", lambda: 0.8, alpha: 0.4 });
    expect(bestAtZero).toBeGreaterThan(atEight + 0.03);
  });

  it("true online TD(λ) stays bounded at λ = 0.95, α = 0.6 where accumulating traces blow up", () => {
    const trueOnline = randomWalkRmsError({ method: "true-online", lambda: 0.95, alpha: 0.6 });
    const accumulating = randomWalkRmsError({ method: "accumulating", lambda: 0.95, alpha: 0.6 });
    expect(trueOnline).toBeLessThan(0.6);
    expect(accumulating).toBeGreaterThan(10);
  });
});

describe("TDLambda input checks and snapshots", () => {
  it("rejects a non-finite reward and changes nothing", () => {
    const td = new TDLambda({ alpha: 0.5, gamma: 1, lambda: 0.9 });
    td.step({ state: "A", reward: 1, nextState: "B" });
    const before = td.snapshot();
    for (const reward of [Number.NaN, Infinity, -Infinity, "1" as unknown as number]) {
      expect(() => td.step({ state: "B", reward, nextState: "C" })).toThrow(
        expect.objectContaining({ code: "invalid_reward" }),
      );
      expect(td.snapshot()).toEqual(before);
    }
  });

  it("rejects parameters out of range", () => {
    expect(() => new TDLambda({ alpha: 0, gamma: 1, lambda: 0.5 })).toThrow(JottyError);
    expect(() => new TDLambda({ alpha: 0.1, gamma: 1.2, lambda: 0.5 })).toThrow(/gamma/);
    expect(() => new TDLambda({ alpha: 0.1, gamma: 1, lambda: -0.1 })).toThrow(/lambda/);
  });

  it("round-trips through JSON mid-episode and then learns identically", () => {
    const original = new TDLambda({ alpha: 0.2, gamma: 0.9, lambda: 0.8, method: "true-online", initialValue: 0.5 });
    original.step({ state: "A", reward: 1, nextState: "B" });
    original.step({ state: "B", reward: 0, nextState: "C" });
    const copy = TDLambda.restore(JSON.parse(JSON.stringify(original.snapshot())));
    expect(copy.snapshot()).toEqual(original.snapshot());
    for (const learner of [original, copy]) {
      learner.step({ state: "C", reward: -1, nextState: "A" });
      learner.step({ state: "A", reward: 2, nextState: null });
    }
    expect(copy.entries()).toEqual(original.entries());
    expect(copy.value("never seen")).toBe(0.5);
  });

  it("refuses a snapshot that does not match its schema", () => {
    expect(() => TDLambda.restore({ schemaVersion: 1, values: {} })).toThrow(
      expect.objectContaining({ code: "snapshot_invalid" }),
    );
    const snapshot = new TDLambda({ alpha: 0.1, gamma: 1, lambda: 0 }).snapshot();
    expect(() => TDLambda.restore({ ...snapshot, values: { A: "high" } })).toThrow(JottyError);
  });
});
