import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { JottyError, Rng } from "../../src/index.js";

const draw = (rng: Rng, count: number): number[] => Array.from({ length: count }, () => rng.next());

describe("Rng", () => {
  it("reproduces a sequence from the same seed and differs across seeds", () => {
    expect(draw(new Rng(7), 20)).toEqual(draw(new Rng(7), 20));
    expect(draw(new Rng(7), 20)).not.toEqual(draw(new Rng(8), 20));
  });

  it("resumes exactly from a saved state", () => {
    const rng = new Rng(3);
    draw(rng, 5);
    const resumed = Rng.fromState(rng.state());
    expect(draw(resumed, 10)).toEqual(draw(rng, 10));
  });

  it("forks reproducible streams that differ from the parent and from each other", () => {
    const a = new Rng(11);
    const b = new Rng(11);
    const childA1 = a.fork();
    const childA2 = a.fork();
    const childB1 = b.fork();
    const first = draw(childA1, 10);
    expect(first).toEqual(draw(childB1, 10));
    expect(first).not.toEqual(draw(childA2, 10));
    expect(draw(a, 10)).not.toEqual(first);
  });

  it("keeps next() in [0, 1) with a mean near 1/2", () => {
    const values = draw(new Rng(1), 20_000);
    expect(values.every((value) => value >= 0 && value < 1)).toBe(true);
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    expect(mean).toBeGreaterThan(0.49);
    expect(mean).toBeLessThan(0.51);
  });

  it("int() stays within bounds and reaches both ends", () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: 0, max: 50 }), (seed, min, span) => {
        const rng = new Rng(seed);
        const value = rng.int(min, min + span);
        return Number.isInteger(value) && value >= min && value <= min + span;
      }),
    );
    const rng = new Rng(5);
    const seen = new Set(Array.from({ length: 200 }, () => rng.int(1, 3)));
    expect([...seen].sort()).toEqual([1, 2, 3]);
  });

  it("shuffle() returns a permutation and leaves its input alone", () => {
    fc.assert(
      fc.property(fc.integer(), fc.array(fc.integer()), (seed, items) => {
        const copy = items.slice();
        const shuffled = new Rng(seed).shuffle(items);
        expect(items).toEqual(copy);
        expect(shuffled.slice().sort((x, y) => x - y)).toEqual(copy.sort((x, y) => x - y));
      }),
    );
  });

  it("normal() has the requested mean and standard deviation", () => {
    const rng = new Rng(9);
    const samples = Array.from({ length: 20_000 }, () => rng.normal(2, 3));
    const mean = samples.reduce((sum, value) => sum + value, 0) / samples.length;
    const variance = samples.reduce((sum, value) => sum + (value - mean) ** 2, 0) / samples.length;
    expect(mean).toBeCloseTo(2, 1);
    expect(Math.sqrt(variance)).toBeCloseTo(3, 1);
  });

  it("rejects bad arguments with JottyErrors", () => {
    expect(() => new Rng(1.5)).toThrow(JottyError);
    expect(() => new Rng(1).choice([])).toThrow(/at least one item/);
    expect(() => new Rng(1).int(3, 1)).toThrow(JottyError);
    expect(() => Rng.fromState([1, 2, 3] as unknown as [number, number, number, number])).toThrow(JottyError);
  });
});
