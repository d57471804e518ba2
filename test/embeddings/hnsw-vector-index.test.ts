import { describe, expect, it } from "vitest";
import { packSections, unpackSections } from "../../src/embeddings/index.js";
import { FlatVectorIndex, HnswVectorIndex, JottyError, Rng, TieredVectorIndex, type VectorMatch } from "../../src/index.js";

const DIMENSIONS = 48;
const LEVELS = ["episodic", "semantic", "procedural", "meta", "causal"];

/** Vectors around a few dozen centres, as memories of recurring situations are. */
function clustered(seed: number, count: number): Array<{ id: string; vector: number[]; level: string; actor: string }> {
  const rng = new Rng(seed);
  const centres = Array.from({ length: 40 }, () => Array.from({ length: DIMENSIONS }, () => rng.normal()));
  return Array.from({ length: count }, (_, index) => {
    const centre = centres[rng.int(0, centres.length - 1)] as number[];
    return {
      id: `m${index}`,
      vector: centre.map((value) => value + 0.6 * rng.normal()),
      level: LEVELS[index % LEVELS.length] as string,
      actor: `actor-${index % 7}`,
    };
  });
}

function queries(seed: number, count: number): number[][] {
  return clustered(seed, count).map((item) => item.vector);
}

/** Share of the exact top-k found, counting a result whose exact score ties the k-th as found. */
function recall(found: VectorMatch[], exact: VectorMatch[], exactScore: (id: string) => number): number {
  const kth = (exact.at(-1) as VectorMatch).score;
  return found.filter((match) => exactScore(match.id) >= kth - 1e-6).length / exact.length;
}

function build(seed = 7, count = 3000, options: Partial<ConstructorParameters<typeof HnswVectorIndex>[0]> = {}) {
  const items = clustered(seed, count);
  const hnsw = new HnswVectorIndex({ dimensions: DIMENSIONS, ...options });
  const flat = new FlatVectorIndex({ dimensions: DIMENSIONS });
  for (const item of items) {
    hnsw.add(item.id, item.vector, { level: item.level, actor: item.actor });
    flat.add(item.id, item.vector, { level: item.level, actor: item.actor });
  }
  return { items, hnsw, flat };
}

function meanRecall(hnsw: HnswVectorIndex, flat: FlatVectorIndex, filter?: Parameters<FlatVectorIndex["search"]>[1]["filter"]): number {
  const all = queries(99, 60);
  let total = 0;
  for (const query of all) {
    const exact = flat.search(query, { k: 10, ...(filter === undefined ? {} : { filter }) });
    const scores = new Map(flat.search(query, { k: flat.size }).map((match) => [match.id, match.score]));
    total += recall(hnsw.search(query, { k: 10, ...(filter === undefined ? {} : { filter }) }), exact, (id) => scores.get(id) ?? -1);
  }
  return total / all.length;
}

describe("HnswVectorIndex", () => {
  it("finds nearly all of the exact top-10 for a fixed seed, and one seed builds one graph", () => {
    const { hnsw, flat } = build();
    expect(meanRecall(hnsw, flat)).toBeGreaterThanOrEqual(0.95);
    const again = build().hnsw;
    for (const query of queries(5, 10)) expect(again.search(query, { k: 10 })).toEqual(hnsw.search(query, { k: 10 }));
  });

  it("links a vector in from the search made just before its add, only when nothing changed since", () => {
    const items = clustered(7, 3000);
    const hnsw = new HnswVectorIndex({ dimensions: DIMENSIONS });
    const flat = new FlatVectorIndex({ dimensions: DIMENSIONS });
    for (const item of items) {
      hnsw.search(item.vector, { k: 8, effort: 32, beforeAdd: true });
      hnsw.add(item.id, item.vector, { level: item.level, actor: item.actor });
      flat.add(item.id, item.vector, { level: item.level, actor: item.actor });
    }
    // Every node placed on layer 0 only (all but about one in sixteen) is linked from the search.
    expect(hnsw.counters.searchesReused).toBeGreaterThan(0.85 * items.length);
    expect(hnsw.counters.searchesReused).toBeLessThan(items.length);
    expect(meanRecall(hnsw, flat)).toBeGreaterThanOrEqual(0.95);

    const index = build(7, 500).hnsw;
    const fresh = clustered(8, 80).map((item) => item.vector);
    const reusedAfter = (steps: (vector: number[], at: number) => void, vectors: number[][]): number => {
      const before = index.counters.searchesReused;
      vectors.forEach(steps);
      return index.counters.searchesReused - before;
    };
    // A removal, another vector, a filtered search, or a wider search than the insert's: searched again.
    expect(reusedAfter((vector, at) => (index.search(vector, { k: 8, effort: 32, beforeAdd: true }), index.remove(`m${at}`), index.add(`a${at}`, vector)), fresh.slice(0, 20))).toBe(0);
    expect(reusedAfter((vector, at) => (index.search(vector, { k: 8, effort: 32, beforeAdd: true }), index.add(`b${at}`, fresh[79 - at] as number[])), fresh.slice(20, 40))).toBe(0);
    expect(reusedAfter((vector, at) => (index.search(vector, { k: 8, effort: 32, filter: { predicate: (id) => !id.endsWith("1") }, beforeAdd: true }), index.add(`c${at}`, vector)), fresh.slice(40, 50))).toBe(0);
    expect(reusedAfter((vector, at) => (index.search(vector, { k: 8, effort: 200, beforeAdd: true }), index.add(`d${at}`, vector)), fresh.slice(50, 60))).toBe(0);
    expect(reusedAfter((vector, at) => (index.search(vector, { k: 8 }), index.add(`e${at}`, vector)), fresh.slice(60, 70))).toBe(0);
    expect(reusedAfter((vector, at) => (index.search(vector, { k: 8, effort: 32, beforeAdd: true }), index.add(`f${at}`, vector)), fresh.slice(70, 80))).toBeGreaterThanOrEqual(8);
  });

  it("scores within 0.0005 of the exact cosine, and returns a stored vector within 0.0001", () => {
    const { hnsw, flat, items } = build(3, 500);
    for (const query of queries(4, 10)) {
      const exact = new Map(flat.search(query, { k: 500 }).map((match) => [match.id, match.score]));
      for (const match of hnsw.search(query, { k: 10 })) expect(Math.abs(match.score - (exact.get(match.id) as number))).toBeLessThan(0.0005);
    }
    for (const item of items.slice(0, 20)) {
      const norm = Math.hypot(...item.vector);
      const stored = hnsw.get(item.id) as Float32Array;
      for (let index = 0; index < DIMENSIONS; index += 1) expect(Math.abs((stored[index] as number) - (item.vector[index] as number) / norm)).toBeLessThan(0.0001);
    }
  });

  it("ranks near ties in their exact order, which the 8-bit codes alone cannot tell apart", () => {
    const rng = new Rng(17);
    const dimensions = 384;
    const unit = (vector: number[]): number[] => vector.map((value) => value / Math.hypot(...vector));
    const query = unit(Array.from({ length: dimensions }, () => rng.normal()));
    /** A vector at exactly this cosine from the query, in a random direction otherwise. */
    const atCosine = (cosine: number): number[] => {
      const noise = Array.from({ length: dimensions }, () => rng.normal());
      const along = noise.reduce((sum, value, index) => sum + value * (query[index] as number), 0);
      const across = unit(noise.map((value, index) => value - along * (query[index] as number)));
      return query.map((value, index) => cosine * value + Math.sqrt(1 - cosine ** 2) * (across[index] as number));
    };
    const hnsw = new HnswVectorIndex({ dimensions });
    for (let index = 0; index < 400; index += 1) hnsw.add(`far${index}`, Array.from({ length: dimensions }, () => rng.normal()));
    // Twenty vectors 0.0004 apart in cosine: far closer than the codes' error.
    for (let index = 0; index < 20; index += 1) hnsw.add(`tie${index}`, atCosine(0.8 + 0.0004 * index));
    const found = hnsw.search(query, { k: 10 });
    expect(found.map((match) => match.id)).toEqual(Array.from({ length: 10 }, (_, index) => `tie${19 - index}`));
    for (const [rank, match] of found.entries()) expect(match.score).toBeCloseTo(0.8 + 0.0004 * (19 - rank), 4);
  });

  /** Version-3 sections as an older index laid them out: the graph with a score section after each link section. */
  const withLinkScores = (sections: Uint8Array[]): Uint8Array[] => {
    const [levels, links0, counts0, slots, links, counts] = sections.slice(-6) as [Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array, Uint8Array];
    const scores = (bytes: Uint8Array): Uint8Array => new Uint8Array(new Float32Array(bytes.byteLength / 4).fill(0.5).buffer);
    return [...sections.slice(0, -6), levels, links0, scores(links0), counts0, slots, links, scores(links), counts] as Uint8Array[];
  };

  it("loads an index saved when links kept their scores, to the same answers", () => {
    const { hnsw } = build(8, 1000);
    const { header, sections } = unpackSections(hnsw.toBytes(), "index");
    const older = HnswVectorIndex.fromBytes(packSections({ ...header, version: 2 }, withLinkScores(sections)));
    for (const query of queries(23, 10)) expect(older.search(query, { k: 10 })).toEqual(hnsw.search(query, { k: 10 }));
    const fresh = queries(24, 1)[0] as number[];
    older.add("fresh", fresh);
    expect(older.search(fresh, { k: 1 })[0]?.id).toBe("fresh");
    expect(() => HnswVectorIndex.fromBytes(packSections({ ...header, version: 2 }, sections))).toThrowError(/approximate index cannot be read/);
    expect(() => HnswVectorIndex.fromBytes(packSections(header, withLinkScores(sections)))).toThrowError(/approximate index cannot be read/);
  });

  it("loads an index saved before residuals, ranking its rows by their codes and new rows finely", () => {
    const { hnsw, flat } = build(8, 1000);
    const { header, sections } = unpackSections(hnsw.toBytes(), "index");
    const older = packSections({ ...header, version: 1 }, withLinkScores([...sections.slice(0, 2), ...sections.slice(4)]));
    const loaded = HnswVectorIndex.fromBytes(older);
    expect(loaded.size).toBe(1000);
    let largest = 0;
    for (const query of queries(21, 10)) {
      const exact = new Map(flat.search(query, { k: 1000 }).map((match) => [match.id, match.score]));
      const found = loaded.search(query, { k: 10 });
      expect(found.map((match) => match.id).filter((id) => hnsw.search(query, { k: 10 }).some((match) => match.id === id)).length).toBeGreaterThanOrEqual(8);
      for (const match of found) largest = Math.max(largest, Math.abs(match.score - (exact.get(match.id) as number)));
    }
    // Codes alone: within 0.01, and not within the residuals' 0.0005.
    expect(largest).toBeLessThan(0.01);
    expect(largest).toBeGreaterThan(0.0005);
    const fresh = clustered(40, 1)[0] as { vector: number[] };
    loaded.add("fresh", fresh.vector);
    const [top] = loaded.search(fresh.vector, { k: 1 });
    expect(top?.id).toBe("fresh");
    expect(Math.abs((top?.score as number) - 1)).toBeLessThan(0.0005);
    const cut = packSections(header, [...sections.slice(0, 3), ...sections.slice(4)]);
    expect(() => HnswVectorIndex.fromBytes(cut)).toThrowError(/approximate index cannot be read/);
  });

  it("returns only what passes a filter, narrow or wide, and as much of it as the exact index", () => {
    const { hnsw, flat, items } = build();
    const byId = new Map(items.map((item) => [item.id, item]));
    const wide = { level: ["episodic", "semantic"] };
    const narrow = { level: "meta", actor: "actor-3" };
    const predicate = { predicate: (id: string) => Number(id.slice(1)) % 3 === 0 };
    for (const query of queries(11, 20)) {
      for (const match of hnsw.search(query, { k: 10, filter: wide })) expect(["episodic", "semantic"]).toContain(byId.get(match.id)?.level);
      for (const match of hnsw.search(query, { k: 10, filter: narrow })) expect(byId.get(match.id)).toMatchObject({ level: "meta", actor: "actor-3" });
      for (const match of hnsw.search(query, { k: 10, filter: predicate })) expect(Number(match.id.slice(1)) % 3).toBe(0);
    }
    expect(meanRecall(hnsw, flat, wide)).toBeGreaterThanOrEqual(0.95);
    // 3000 / 35 ≈ 86 memories pass the narrow filter: all of them are scored (codes and residuals).
    expect(meanRecall(hnsw, flat, narrow)).toBeGreaterThanOrEqual(0.98);
    expect(hnsw.counters.exactScans).toBeGreaterThan(0);
    expect(meanRecall(hnsw, flat, predicate)).toBeGreaterThanOrEqual(0.95);
  });

  it("filters on vectors without a tag as it walks, counting them to choose between the graph and a scan", () => {
    const items = clustered(7, 3000);
    // At efSearch 64 a filter that fewer than 512 vectors pass is scanned rather than walked.
    const hnsw = new HnswVectorIndex({ dimensions: DIMENSIONS, efSearch: 64 });
    const flat = new FlatVectorIndex({ dimensions: DIMENSIONS });
    // Two in three memories belong to an actor; the team's (no actor) are the rest.
    const tagsOf = (index: number) => (index % 3 === 0 ? {} : { actor: `actor-${index % 7}` });
    items.forEach((item, index) => {
      hnsw.add(item.id, item.vector, tagsOf(index));
      flat.add(item.id, item.vector, tagsOf(index));
    });
    const team = { actor: [null] };
    for (const query of queries(11, 20)) {
      for (const match of hnsw.search(query, { k: 10, filter: team })) expect(Number(match.id.slice(1)) % 3).toBe(0);
      for (const match of hnsw.search(query, { k: 10, filter: { actor: ["actor-1", null] } })) {
        const index = Number(match.id.slice(1));
        expect(index % 3 === 0 || index % 7 === 1).toBe(true);
      }
    }
    // A thousand team memories are too many to scan: the graph is walked with the filter.
    expect(hnsw.counters.exactScans).toBe(0);
    expect(meanRecall(hnsw, flat, team)).toBeGreaterThanOrEqual(0.95);
    // A loaded index counts its untagged vectors again.
    const loaded = HnswVectorIndex.fromBytes(hnsw.toBytes());
    const query = queries(12, 1)[0] as number[];
    expect(loaded.search(query, { k: 10, filter: team })).toEqual(hnsw.search(query, { k: 10, filter: team }));
    expect(loaded.counters.exactScans).toBe(0);
    for (let index = 0; index < 3000; index += 3) if (index > 30) hnsw.remove(`m${index}`);
    // Eleven team memories are left: too few to find by walking, so they are scanned.
    const left = hnsw.search(queries(11, 1)[0] as number[], { k: 20, filter: team });
    expect(left.map((match) => match.id).sort()).toEqual(Array.from({ length: 11 }, (_, index) => `m${index * 3}`).sort());
    expect(hnsw.counters.exactScans).toBe(1);
    // With no team memory left at all there is nothing to scan: the answer is empty at once.
    for (let index = 0; index <= 30; index += 3) hnsw.remove(`m${index}`);
    expect(hnsw.search(queries(11, 1)[0] as number[], { k: 20, filter: team })).toEqual([]);
    expect(hnsw.search(queries(11, 1)[0] as number[], { k: 20, filter: { actor: "nobody" } })).toEqual([]);
    expect(hnsw.counters.exactScans).toBe(1);
    expect(hnsw.search(queries(11, 1)[0] as number[], { k: 5, filter: { actor: ["nobody", "actor-1"] } })).toHaveLength(5);
  });

  it("never returns a removed vector, re-adds an id, and rebuilds once removed ones outnumber the rest", () => {
    const { hnsw, flat, items } = build(7, 3000);
    const removed = new Set(items.filter((_, index) => index % 2 === 0).slice(0, 1200).map((item) => item.id));
    for (const id of removed) {
      expect(hnsw.remove(id)).toBe(true);
      flat.remove(id);
    }
    expect(hnsw.remove("m0")).toBe(false);
    expect(hnsw.size).toBe(1800);
    for (const query of queries(12, 30)) for (const match of hnsw.search(query, { k: 20 })) expect(removed.has(match.id)).toBe(false);
    expect(meanRecall(hnsw, flat)).toBeGreaterThanOrEqual(0.95);
    const moved = items[1] as (typeof items)[number];
    const elsewhere = (items[2] as (typeof items)[number]).vector;
    hnsw.add(moved.id, elsewhere, { level: moved.level });
    expect(hnsw.size).toBe(1800);
    expect(hnsw.search(elsewhere, { k: 1, filter: { predicate: (id) => id === moved.id } })[0]?.score).toBeGreaterThan(0.99);
    expect(hnsw.counters.rebuilds).toBe(0);
    for (const item of items.slice(1).filter((item) => !removed.has(item.id)).slice(0, 1000)) hnsw.remove(item.id);
    expect(hnsw.counters.rebuilds).toBe(1);
    expect(hnsw.size).toBe(800);
    for (const query of queries(13, 10)) for (const match of hnsw.search(query, { k: 10 })) expect(hnsw.has(match.id)).toBe(true);
  });

  it("loads from its bytes to the same answers, graph and removals included", () => {
    const { hnsw } = build(8, 2000);
    for (let index = 0; index < 300; index += 3) hnsw.remove(`m${index}`);
    const loaded = HnswVectorIndex.fromBytes(hnsw.toBytes());
    expect(loaded.size).toBe(hnsw.size);
    for (const query of queries(21, 30)) {
      expect(loaded.search(query, { k: 10 })).toEqual(hnsw.search(query, { k: 10 }));
      expect(loaded.search(query, { k: 5, filter: { level: "causal" } })).toEqual(hnsw.search(query, { k: 5, filter: { level: "causal" } }));
    }
    // It goes on growing like the original.
    const more = clustered(31, 50);
    for (const item of more) {
      loaded.add(item.id + "x", item.vector);
      hnsw.add(item.id + "x", item.vector);
    }
    for (const query of queries(22, 10)) expect(loaded.search(query, { k: 10 })).toEqual(hnsw.search(query, { k: 10 }));
    const bytes = hnsw.toBytes();
    const cut = bytes.slice(0, bytes.length - 100);
    expect(() => HnswVectorIndex.fromBytes(cut)).toThrow(JottyError);
    const bent = bytes.slice();
    bent[0] = 0;
    expect(() => HnswVectorIndex.fromBytes(bent)).toThrowError(/does not start like a Jotty vector index/);
  });

  it("refuses bad vectors and settings, changing nothing", () => {
    const hnsw = new HnswVectorIndex({ dimensions: 4 });
    hnsw.add("a", [1, 0, 0, 0]);
    expect(() => hnsw.add("b", [1, 0, 0])).toThrow(JottyError);
    expect(() => hnsw.add("a", [Number.NaN, 0, 0, 0])).toThrow(JottyError);
    expect(hnsw.size).toBe(1);
    expect(hnsw.search([1, 0, 0, 0], { k: 1 })[0]?.id).toBe("a");
    expect(() => hnsw.search([1, 0], { k: 1 })).toThrow(JottyError);
    expect(() => new HnswVectorIndex({ dimensions: 4, m: 0 })).toThrow(JottyError);
    expect(() => new HnswVectorIndex({ dimensions: 9000 })).toThrow(JottyError);
  });

  it("scores alike with the SIMD kernel and without", () => {
    const items = clustered(2, 400);
    const simd = new HnswVectorIndex({ dimensions: DIMENSIONS });
    const plain = new HnswVectorIndex({ dimensions: DIMENSIONS, simd: false });
    expect([simd.simd, plain.simd]).toEqual([true, false]);
    for (const item of items) {
      simd.add(item.id, item.vector);
      plain.add(item.id, item.vector);
    }
    for (const query of queries(3, 10)) expect(plain.search(query, { k: 10 })).toEqual(simd.search(query, { k: 10 }));
  });
});

describe("TieredVectorIndex", () => {
  it("packs its index's own arrays into a larger buffer in one copy, byte for byte as level by level", () => {
    for (const approximateFrom of [Infinity, 500]) {
      const index = new TieredVectorIndex({ dimensions: DIMENSIONS, approximateFrom });
      for (const item of clustered(6, 800)) index.add(item.id, item.vector, { level: item.level, actor: item.actor });
      index.remove("m3");
      const header = { format: "outer", version: 1 };
      const once = packSections(header, [index.toPacked()]);
      expect(once).toEqual(packSections(header, [index.toBytes()]));
      // Level by level: the inner index's bytes, wrapped by the tiered header, wrapped by the outer one.
      const inner = unpackSections(index.toBytes(), "vector index").sections[0] as Uint8Array;
      expect(once).toEqual(packSections(header, [packSections({ format: "jotty-tiered", version: 1, kind: index.kind }, [inner.slice()])]));
      const loaded = TieredVectorIndex.fromBytes(unpackSections(once, "outer").sections[0] as Uint8Array, { approximateFrom });
      const query = queries(8, 1)[0] as number[];
      expect(loaded.search(query, { k: 10 })).toEqual(index.search(query, { k: 10 }));
    }
  });

  it("is exact below approximateFrom, approximate from it on, and persists which it is", () => {
    const items = clustered(4, 1200);
    const index = new TieredVectorIndex({ dimensions: DIMENSIONS, approximateFrom: 1000 });
    const flat = new FlatVectorIndex({ dimensions: DIMENSIONS });
    for (const item of items.slice(0, 999)) {
      index.add(item.id, item.vector, { level: item.level });
      flat.add(item.id, item.vector, { level: item.level });
    }
    expect(index.kind).toBe("exact");
    const query = queries(5, 1)[0] as number[];
    expect(index.search(query, { k: 10 })).toEqual(flat.search(query, { k: 10 }));
    const exactBytes = index.toBytes();
    for (const item of items.slice(999)) index.add(item.id, item.vector, { level: item.level });
    expect(index.kind).toBe("approximate");
    expect(index.size).toBe(1200);
    expect(index.search(query, { k: 5, filter: { level: "meta" } }).every((match) => Number(match.id.slice(1)) % 5 === 3)).toBe(true);
    const loaded = TieredVectorIndex.fromBytes(index.toBytes(), { approximateFrom: 1000, dimensions: DIMENSIONS });
    expect(loaded.kind).toBe("approximate");
    expect(loaded.search(query, { k: 10 })).toEqual(index.search(query, { k: 10 }));
    const reloaded = TieredVectorIndex.fromBytes(exactBytes, { approximateFrom: 1000 });
    expect(reloaded.kind).toBe("exact");
    expect(reloaded.search(query, { k: 10 })).toEqual(flat.search(query, { k: 10 }));
    expect(() => TieredVectorIndex.fromBytes(exactBytes, { dimensions: 12 })).toThrowError(/12/);
  });
});
