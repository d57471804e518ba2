import fc from "fast-check";
import { describe, expect, expectTypeOf, it } from "vitest";
import type { z } from "zod";
import { EpsilonScheduleSchema } from "../../../src/config/index.js";
import type { EpsilonSchedule } from "../../../src/learning/math/index.js";
import {
  epsilonAt,
  epsilonGreedy,
  greedy,
  JottyError,
  Rng,
  softmax,
  softmaxProbabilities,
  ucb1,
} from "../../../src/index.js";

function tally(choose: () => number, actions: number, draws: number): number[] {
  const counts = new Array<number>(actions).fill(0);
  for (let draw = 0; draw < draws; draw += 1) {
    const index = choose();
    counts[index] = (counts[index] ?? 0) + 1;
  }
  return counts.map((count) => count / draws);
}

describe("greedy", () => {
  it("picks the maximum and breaks ties at random", () => {
    const rng = new Rng(1);
    expect(greedy({ values: [1, 5, 3], rng })).toBe(1);
    const shares = tally(() => greedy({ values: [2, 0, 2], rng }), 3, 4000);
    expect(shares[1]).toBe(0);
    expect(shares[0]).toBeGreaterThan(0.45);
    expect(shares[2]).toBeGreaterThan(0.45);
  });
});

describe("epsilonGreedy", () => {
  it("explores with probability ε, spread uniformly", () => {
    const rng = new Rng(2);
    const shares = tally(() => epsilonGreedy({ values: [0, 1, 0, 0], epsilon: 0.2, rng }), 4, 20_000);
    expect(shares[1]).toBeCloseTo(0.8 + 0.05, 1);
    for (const index of [0, 2, 3]) expect(shares[index]).toBeCloseTo(0.05, 1);
  });

  it("is greedy at ε = 0 and rejects ε outside [0, 1]", () => {
    const rng = new Rng(3);
    for (let draw = 0; draw < 100; draw += 1) expect(epsilonGreedy({ values: [0, 0.1], epsilon: 0, rng })).toBe(1);
    expect(() => epsilonGreedy({ values: [0], epsilon: -0.1, rng })).toThrow(JottyError);
    expect(() => epsilonGreedy({ values: [], epsilon: 0.1, rng })).toThrow(JottyError);
  });

  it("is reproducible from the seed", () => {
    const run = (seed: number): number[] => {
      const rng = new Rng(seed);
      return Array.from({ length: 50 }, () => epsilonGreedy({ values: [1, 1, 0], epsilon: 0.5, rng }));
    };
    expect(run(4)).toEqual(run(4));
  });
});

describe("softmax", () => {
  it("gives probabilities that sum to one and keep the order of the values", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -50, max: 50, noNaN: true }), { minLength: 1, maxLength: 6 }),
        fc.double({ min: 0.01, max: 100, noNaN: true }),
        (values, temperature) => {
          const probabilities = softmaxProbabilities({ values, temperature });
          expect(probabilities.reduce((sum, p) => sum + p, 0)).toBeCloseTo(1, 9);
          values.forEach((a, i) =>
            values.forEach((b, j) => {
              if (a > b) expect(probabilities[i]).toBeGreaterThanOrEqual(probabilities[j] as number);
            }),
          );
        },
      ),
    );
  });

  it("does not overflow on large values and samples in proportion", () => {
    expect(softmaxProbabilities({ values: [1000, 1000], temperature: 1 })).toEqual([0.5, 0.5]);
    const rng = new Rng(5);
    const expected = softmaxProbabilities({ values: [0, 1, 2], temperature: 1 });
    const shares = tally(() => softmax({ values: [0, 1, 2], temperature: 1, rng }), 3, 20_000);
    shares.forEach((share, index) => expect(share).toBeCloseTo(expected[index] as number, 1));
    expect(() => softmaxProbabilities({ values: [1], temperature: 0 })).toThrow(JottyError);
  });
});

describe("ucb1", () => {
  it("tries every untried action first", () => {
    const rng = new Rng(6);
    const chosen = new Set<number>();
    const counts = [0, 0, 0];
    for (let step = 0; step < 3; step += 1) {
      const index = ucb1({ values: [0, 0, 0], counts, rng });
      chosen.add(index);
      counts[index] = (counts[index] ?? 0) + 1;
    }
    expect(chosen.size).toBe(3);
  });

  it("adds the bonus c·√(ln N / n) so a rarely tried action can beat a better-looking one", () => {
    const rng = new Rng(7);
    // 0.5 + √2·√(ln 101 / 1) ≈ 3.54 beats 1 + √2·√(ln 101 / 100) ≈ 1.30.
    expect(ucb1({ values: [1, 0.5], counts: [100, 1], rng })).toBe(1);
    expect(ucb1({ values: [1, 0.5], counts: [100, 1], c: 0, rng })).toBe(0);
    expect(() => ucb1({ values: [1, 2], counts: [1], rng })).toThrow(JottyError);
  });

  it("concentrates on the best arm of a bandit", () => {
    const rng = new Rng(8);
    const means = [0.2, 0.5, 0.8];
    const values = [0, 0, 0];
    const counts = [0, 0, 0];
    for (let step = 0; step < 3000; step += 1) {
      const arm = ucb1({ values, counts, rng });
      const reward = rng.normal(means[arm] as number, 0.1);
      counts[arm] = (counts[arm] ?? 0) + 1;
      values[arm] = (values[arm] as number) + (reward - (values[arm] as number)) / (counts[arm] as number);
    }
    expect((counts[2] as number) / 3000).toBeGreaterThan(0.8);
  });
});

describe("epsilonAt", () => {
  it("reads every schedule the config's schema parses, and the schema accepts every schedule it reads", () => {
    expectTypeOf<z.output<typeof EpsilonScheduleSchema>>().toExtend<EpsilonSchedule>();
    expectTypeOf<EpsilonSchedule>().toExtend<z.input<typeof EpsilonScheduleSchema>>();
    expect(epsilonAt(EpsilonScheduleSchema.parse({ kind: "exponential", start: 0.5, end: 0.01, decay: 0.9 }), 2)).toBeCloseTo(0.405);
  });

  it("follows constant, linear and exponential schedules", () => {
    expect(epsilonAt({ kind: "constant", value: 0.1 }, 1234)).toBe(0.1);
    const linear = { kind: "linear", start: 0.3, end: 0.05, steps: 500 } as const;
    expect(epsilonAt(linear, 0)).toBeCloseTo(0.3);
    expect(epsilonAt(linear, 250)).toBeCloseTo(0.175);
    expect(epsilonAt(linear, 500)).toBeCloseTo(0.05);
    expect(epsilonAt(linear, 10_000)).toBeCloseTo(0.05);
    const exponential = { kind: "exponential", start: 0.5, end: 0.01, decay: 0.9 } as const;
    expect(epsilonAt(exponential, 2)).toBeCloseTo(0.405);
    expect(epsilonAt(exponential, 1000)).toBe(0.01);
  });

  it("never increases and stays between end and start for decaying schedules", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.integer({ min: 1, max: 1000 }),
        fc.double({ min: 0.01, max: 1, noNaN: true }),
        fc.integer({ min: 0, max: 2000 }),
        (a, b, steps, decay, t) => {
          const [end, start] = a <= b ? [a, b] : [b, a];
          for (const schedule of [
            { kind: "linear", start, end, steps } as const,
            { kind: "exponential", start, end, decay } as const,
          ]) {
            const now = epsilonAt(schedule, t);
            expect(epsilonAt(schedule, t + 1)).toBeLessThanOrEqual(now + 1e-12);
            expect(now).toBeGreaterThanOrEqual(end - 1e-12);
            expect(now).toBeLessThanOrEqual(start + 1e-12);
          }
        },
      ),
    );
  });
});
