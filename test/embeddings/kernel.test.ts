import path from "node:path";
import fs from "fs-extra";
import { describe, expect, it } from "vitest";
import { compileKernel } from "../../scripts/compile-kernel.js";

describe("the SIMD dot-product kernel", () => {
  it("committed bytes match dot-product.wat (regenerate with `npm run build:kernel`)", async () => {
    const folder = path.resolve("src/embeddings/kernel");
    const source = await fs.readFile(path.join(folder, "dot-product.wat"), "utf8");
    expect(await fs.readFile(path.join(folder, "dot-product-wasm.ts"), "utf8")).toBe(await compileKernel(source));
  });
});
