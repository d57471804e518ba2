import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FlatVectorIndex, JottyError, Rng } from "../../src/index.js";

function randomVector(rng: Rng, dimensions: number): number[] {
  return Array.from({ length: dimensions }, () => rng.normal());
}

/** Exact cosine of the query with every vector, in float64. */
function bruteForce(vectors: Map<string, number[]>, query: number[]): Map<string, number> {
  const norm = (vector: number[]): number => Math.sqrt(vector.reduce((sum, value) => sum + value * value, 0));
  return new Map(
    [...vectors].map(([id, vector]) => [
      id,
      vector.reduce((sum, value, index) => sum + value * (query[index] as number), 0) / (norm(vector) * norm(query)),
    ]),
  );
}

describe("FlatVectorIndex", () => {
  it("uses the WebAssembly SIMD kernel on this Node", () => {
    expect(new FlatVectorIndex({ dimensions: 8 }).simd).toBe(true);
    expect(new FlatVectorIndex({ dimensions: 8, simd: false }).simd).toBe(false);
  });

  it("returns exactly the brute-force top-k, with SIMD and without, for any dimension", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 60 }), fc.integer(), (dimensions, count, seed) => {
        const rng = new Rng(seed);
        const vectors = new Map<string, number[]>();
        const simd = new FlatVectorIndex({ dimensions, initialCapacity: 16 });
        const plain = new FlatVectorIndex({ dimensions, initialCapacity: 16, simd: false });
        for (let index = 0; index < count; index += 1) {
          const vector = randomVector(rng, dimensions);
          vectors.set(`v${index}`, vector);
          simd.add(`v${index}`, vector);
          plain.add(`v${index}`, vector);
        }
        const query = randomVector(rng, dimensions);
        const exact = bruteForce(vectors, query);
        const best = [...exact.values()].sort((a, b) => b - a).slice(0, 5);
        for (const found of [simd.search(query, { k: 5 }), plain.search(query, { k: 5 })]) {
          // The k best scores, in order (float32 rounding may swap exact ties, so ids are checked by score).
          expect(found.map((match) => match.score)).toEqual(best.map((score) => expect.closeTo(score, 4)));
          for (const match of found) expect(exact.get(match.id)).toBeCloseTo(match.score, 4);
        }
      }),
      { numRuns: 60 },
    );
  });

  it("filters by level, actor and goal, and by a predicate", () => {
    const index = new FlatVectorIndex({ dimensions: 3 });
    index.add("a", [1, 0, 0], { level: "episodic", actor: "planner" });
    index.add("b", [0.9, 0.1, 0], { level: "semantic", actor: "planner" });
    index.add("c", [0.8, 0.2, 0], { level: "episodic", actor: "critic", goal: "g" });
    const query = [1, 0, 0];
    expect(index.search(query, { k: 3 }).map((match) => match.id)).toEqual(["a", "b", "c"]);
    expect(index.search(query, { k: 3, filter: { level: "episodic" } }).map((match) => match.id)).toEqual(["a", "c"]);
    expect(index.search(query, { k: 3, filter: { actor: ["critic"] } }).map((match) => match.id)).toEqual(["c"]);
    expect(index.search(query, { k: 3, filter: { goal: "g" } }).map((match) => match.id)).toEqual(["c"]);
    expect(index.search(query, { k: 3, filter: { level: "meta" } })).toEqual([]);
    expect(index.search(query, { k: 3, filter: { predicate: (id) => id !== "a" } }).map((match) => match.id)).toEqual(["b", "c"]);
  });

  it("lets null in a filter stand for a vector without that tag, and an empty list let nothing through", () => {
    const index = new FlatVectorIndex({ dimensions: 3 });
    index.add("team", [1, 0, 0], { level: "episodic" });
    index.add("planner", [0.9, 0.1, 0], { level: "episodic", actor: "planner" });
    index.add("critic", [0.8, 0.2, 0], { level: "episodic", actor: "critic" });
    const ids = (filter: Parameters<FlatVectorIndex["search"]>[1]["filter"]) => index.search([1, 0, 0], { k: 3, ...(filter === undefined ? {} : { filter }) }).map((match) => match.id);
    expect(ids({ actor: null })).toEqual(["team"]);
    expect(ids({ actor: [null] })).toEqual(["team"]);
    expect(ids({ actor: ["planner", null] })).toEqual(["team", "planner"]);
    expect(ids({ actor: "planner" })).toEqual(["planner"]);
    expect(ids({ actor: [] })).toEqual([]);
    expect(ids({ goal: null })).toEqual(["team", "planner", "critic"]);
    index.remove("team");
    expect(ids({ actor: [null] })).toEqual([]);
  });

  it("grows past its capacity, replaces, removes and reports cosine scores", () => {
    const index = new FlatVectorIndex({ dimensions: 2, initialCapacity: 16 });
    for (let position = 0; position < 100; position += 1) {
      const angle = (position / 100) * Math.PI;
      index.add(`p${position}`, [Math.cos(angle) * 3, Math.sin(angle) * 3]);
    }
    expect(index.size).toBe(100);
    const [best] = index.search([1, 0], { k: 1 });
    expect(best).toEqual({ id: "p0", score: expect.closeTo(1, 6) });
    expect(index.remove("p0")).toBe(true);
    expect(index.remove("p0")).toBe(false);
    expect(index.size).toBe(99);
    expect(index.search([1, 0], { k: 1 })[0]?.id).toBe("p1");
    index.add("p1", [0, 1]);
    expect(index.size).toBe(99);
    expect(index.search([0, 1], { k: 1 })[0]?.id).toBe("p1");
    expect(index.get("p1")).toEqual(Float32Array.from([0, 1]));
    expect(index.search([1, 0], { k: 500 })).toHaveLength(99);
    index.clear();
    expect(index.size).toBe(0);
    expect(index.search([1, 0], { k: 3 })).toEqual([]);
  });

  it("keeps ids and vectors together through many removals", () => {
    const rng = new Rng(3);
    const index = new FlatVectorIndex({ dimensions: 4, initialCapacity: 16 });
    const kept = new Map<string, number[]>();
    for (let step = 0; step < 300; step += 1) {
      if (kept.size > 0 && rng.next() < 0.4) {
        const id = rng.choice([...kept.keys()]);
        index.remove(id);
        kept.delete(id);
      } else {
        const vector = randomVector(rng, 4);
        index.add(`v${step}`, vector);
        kept.set(`v${step}`, vector);
      }
    }
    expect(index.size).toBe(kept.size);
    for (const [id, vector] of kept) {
      const [top] = index.search(vector, { k: 1 });
      expect(top).toEqual({ id, score: expect.closeTo(1, 5) });
    }
  });

  it("rejects vectors and queries of the wrong length", () => {
    const index = new FlatVectorIndex({ dimensions: 3 });
    expect(() => index.add("x", [1, 2])).toThrow(JottyError);
    expect(() => index.search([1, 2], { k: 1 })).toThrow(/does not fit/);
    expect(() => index.add("y", [1, Number.NaN, 0])).toThrow(/finite/);
    expect(index.size).toBe(0);
  });
});
