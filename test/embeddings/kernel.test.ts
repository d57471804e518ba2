import path from "node:path";
import fs from "fs-extra";
import { describe, expect, it } from "vitest";
import { compileKernel } from "../../scripts/compile-kernel.js";
import { CodeRows } from "../../src/embeddings/code-rows.js";
import { Rng } from "../../src/index.js";

describe("the SIMD dot-product kernel", () => {
  it("committed bytes match dot-product.wat (regenerate with `npm run build:kernel`)", async () => {
    const folder = path.resolve("src/embeddings/kernel");
    const source = await fs.readFile(path.join(folder, "dot-product.wat"), "utf8");
    expect(await fs.readFile(path.join(folder, "dot-product-wasm.ts"), "utf8")).toBe(await compileKernel(source));
  });
});

describe("CodeRows scores", () => {
  it("are the same from the SIMD kernel (rows read four at a time) and the plain loop, for any count of rows", () => {
    const rng = new Rng(3);
    const dimensions = 44; // not a multiple of 8: the rows are padded
    const simd = new CodeRows({ dimensions, capacity: 64 });
    const plain = new CodeRows({ dimensions, capacity: 64, simd: false });
    expect([simd.simd, plain.simd]).toEqual([true, false]);
    for (let slot = 0; slot < 64; slot += 1) {
      const vector = Array.from({ length: dimensions }, () => rng.normal());
      simd.write(slot, vector);
      plain.write(slot, vector);
    }
    const query = Array.from({ length: dimensions }, () => rng.normal());
    simd.setQuery(query);
    plain.setQuery(query);
    for (let count = 1; count <= 11; count += 1) {
      const slots = Array.from({ length: count }, () => rng.int(0, 63));
      const [fast, slow, fineFast, fineSlow] = [[], [], [], []] as number[][];
      simd.score(slots, count, fast as number[]);
      plain.score(slots, count, slow as number[]);
      simd.scoreFine(slots, count, fineFast as number[]);
      plain.scoreFine(slots, count, fineSlow as number[]);
      expect(fast).toEqual(slow);
      expect(fineFast).toEqual(fineSlow);
      // Each row's score on its own is the one it has in a list.
      for (const [index, slot] of slots.entries()) expect(simd.scoreOne(slot)).toBe(fast?.[index]);
    }
  });
});
