import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  calibrationReport,
  CircuitBreaker,
  lessonFor,
  ManualClock,
  PrioritizedExperienceBuffer,
  retentionScore,
  Rng,
} from "../../src/index.js";

describe("PrioritizedExperienceBuffer", () => {
  it("evicts the lowest priority when full, and refuses an experience lower than all kept", () => {
    const buffer = new PrioritizedExperienceBuffer<string>({ capacity: 3 });
    buffer.add("a", 1);
    buffer.add("b", 0.1);
    buffer.add("c", 2);
    expect(buffer.add("d", 0.5)).toBe(true);
    expect(buffer.entries().map((entry) => entry.item).sort()).toEqual(["a", "c", "d"]);
    expect(buffer.add("e", 0)).toBe(false);
    expect(buffer.size).toBe(3);
  });

  it("gives importance weights in (0, 1], largest for the rarest draws", () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 1, maxLength: 20 }), fc.integer(), (errors, seed) => {
        const buffer = new PrioritizedExperienceBuffer<number>({ capacity: 50 });
        errors.forEach((error, index) => buffer.add(index, error));
        for (const sample of buffer.sample(30, new Rng(seed))) {
          expect(sample.weight).toBeGreaterThan(0);
          expect(sample.weight).toBeLessThanOrEqual(1 + 1e-9);
        }
      }),
    );
    expect(new PrioritizedExperienceBuffer({ capacity: 2 }).priorityOf(0)).toBeCloseTo(0.01 ** 0.6);
  });
});

describe("lessons, retention, calibration, circuit breaker", () => {
  it("lessons follow the thresholds", () => {
    const base = { state: "s", action: "a", reward: 1 };
    expect(lessonFor({ ...base, normalizedReward: 0.9, tdError: 0.05 })).toBeUndefined();
    expect(lessonFor({ ...base, normalizedReward: 0.9, tdError: 0.3 })?.kind).toBe("learned");
    expect(lessonFor({ ...base, normalizedReward: 0.1, tdError: -0.3 })?.kind).toBe("avoid");
    expect(lessonFor({ ...base, normalizedReward: 0.5, tdError: 0.25 })?.kind).toBe("discovery");
    expect(lessonFor({ ...base, normalizedReward: 0.5, tdError: -0.25 })?.kind).toBe("caution");
    expect(lessonFor({ ...base, normalizedReward: 0.5, tdError: 0.15 })).toBeUndefined();
  });

  it("retention weighs value, novelty, surprise and staleness", () => {
    expect(retentionScore({ normalizedValue: 1, visits: 0, meanAbsoluteTdError: 1, staleness: 0 })).toBeCloseTo(0.9);
    expect(retentionScore({ normalizedValue: 0, visits: 9, meanAbsoluteTdError: 0, staleness: 1 })).toBeCloseTo(-0.07);
  });

  it("a perfect predictor has zero Brier score and calibration error", () => {
    const pairs = [0, 0.25, 0.5, 1].map((value) => ({ predicted: value, observed: value }));
    const report = calibrationReport(pairs, [0, 1]);
    expect(report.brierScore).toBe(0);
    expect(report.expectedCalibrationError).toBeCloseTo(0, 12);
    const biased = calibrationReport(pairs.map((pair) => ({ ...pair, predicted: 1 })), [0, 1]);
    expect(biased.brierScore).toBeCloseTo((1 + 0.5625 + 0.25 + 0) / 4);
    expect(biased.bins[9]).toMatchObject({ count: 4, meanPredicted: 1 });
  });

  it("the circuit breaker opens after repeated failures and lets one trial through after the pause", () => {
    const clock = new ManualClock(0);
    const breaker = new CircuitBreaker({ failureThreshold: 2, cooldownMs: 100, clock });
    breaker.recordFailure();
    expect(breaker.allow()).toBe(true);
    breaker.recordFailure();
    expect(breaker.state).toBe("open");
    expect(breaker.allow()).toBe(false);
    clock.advance(100);
    expect(breaker.state).toBe("half-open");
    expect(breaker.allow()).toBe(true);
    expect(breaker.allow()).toBe(false);
    breaker.recordSuccess();
    expect(breaker.state).toBe("closed");
  });
});

describe("QTable value range", () => {
  it("keeps its lowest and highest value equal to walking the table through creates, updates in both directions and removals", async () => {
    const { QTable } = await import("../../src/learning/q-table.js");
    const { rangeOf, valueExtremes } = await import("../../src/learning/value-range.js");
    // The reference walks every entry.
    const walked = () => rangeOf(undefined, () => valueExtremes(table.values()));
    const { newQEntry, recordStep } = await import("../../src/learning/q-entry.js");
    const { pairKey } = await import("../../src/learning/text-key.js");
    const table = new QTable(undefined);
    const rng = new Rng(5);
    expect(table.valueRange(undefined)).toEqual(walked());
    for (let step = 0; step < 2000; step += 1) {
      const state = `s${rng.int(0, 30)}`;
      const action = `a${rng.int(0, 3)}`;
      const key = pairKey(state, action);
      const existing = table.get(key);
      const roll = rng.next();
      if (existing !== undefined && roll < 0.15) {
        table.remove(key);
      } else if (existing !== undefined) {
        // Moves the extremes inward as often as outward.
        const previous = existing.value;
        recordStep(existing, { value: previous + (rng.next() - 0.5) * 4, reward: 0, tdError: 0, visit: true, episode: step, lesson: undefined, lessonsPerEntry: 3 });
        table.changed("update", key, existing, previous);
      } else {
        await table.add(newQEntry({ state, action, value: (rng.next() - 0.5) * 10, episode: step, owner: undefined }));
      }
      expect(table.valueRange(undefined), `step ${step}`).toEqual(walked());
    }
    expect(table.valueRange([-1, 1])).toEqual([-1, 1]);
  });
});
