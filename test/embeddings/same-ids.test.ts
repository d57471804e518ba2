import { describe, expect, it } from "vitest";
import { FlatVectorIndex, HnswVectorIndex, TieredVectorIndex, type VectorIndex } from "../../src/index.js";
import { Rng } from "../../src/index.js";

const DIMENSIONS = 16;

function vectorOf(rng: Rng): number[] {
  return Array.from({ length: DIMENSIONS }, () => rng.next() - 0.5);
}

function filled(index: VectorIndex, count: number): string[] {
  const rng = new Rng(5);
  const ids = Array.from({ length: count }, (_, at) => `m${at}`);
  for (const id of ids) index.add(id, vectorOf(rng));
  return ids;
}

describe("holdsExactly", () => {
  const kinds: Array<[string, () => VectorIndex]> = [
    ["flat", () => new FlatVectorIndex({ dimensions: DIMENSIONS })],
    ["hnsw", () => new HnswVectorIndex({ dimensions: DIMENSIONS })],
    ["tiered", () => new TieredVectorIndex({ dimensions: DIMENSIONS, approximateFrom: 50 })],
  ];
  for (const [kind, make] of kinds) {
    it(`says whether a ${kind} index holds exactly the ids, in its order or any other`, () => {
      const index = make();
      const ids = filled(index, 120);
      expect(index.holdsExactly?.(ids)).toBe(true);
      expect(index.holdsExactly?.([...ids].reverse())).toBe(true);
      expect(index.holdsExactly?.(ids.slice(1))).toBe(false);
      expect(index.holdsExactly?.([...ids.slice(1), "other"])).toBe(false);
      // The same ids but one, in the index's order up to it: the rest must still be checked.
      expect(index.holdsExactly?.([...ids.slice(0, 60), "other", ...ids.slice(61)])).toBe(false);
      for (const id of ["m0", "m7", "m119"]) index.remove(id);
      const left = ids.filter((id) => !["m0", "m7", "m119"].includes(id));
      expect(index.holdsExactly?.(left)).toBe(true);
      expect(index.holdsExactly?.([...left.slice(1), "m7"])).toBe(false);
      // Loaded from its bytes, it holds the same.
      const loaded = kind === "flat" ? FlatVectorIndex.fromBytes(index.toBytes?.() as Uint8Array) : kind === "hnsw" ? HnswVectorIndex.fromBytes(index.toBytes?.() as Uint8Array) : TieredVectorIndex.fromBytes(index.toBytes?.() as Uint8Array, { approximateFrom: 50 });
      expect(loaded.holdsExactly?.(left)).toBe(true);
      expect(loaded.holdsExactly?.([...left].reverse())).toBe(true);
      expect(loaded.holdsExactly?.(left.slice(0, -1))).toBe(false);
    });
  }
});
