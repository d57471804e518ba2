/**
 * Compiles src/embeddings/kernel/dot-product.wat into the committed base64 module
 * src/embeddings/kernel/dot-product-wasm.ts. Run after editing the .wat: npm run build:kernel
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import fs from "fs-extra";
import { compileKernel } from "./compile-kernel.js";

const folder = path.join(path.dirname(fileURLToPath(import.meta.url)), "../src/embeddings/kernel");
const source = await fs.readFile(path.join(folder, "dot-product.wat"), "utf8");
const target = path.join(folder, "dot-product-wasm.ts");
await fs.writeFile(target, await compileKernel(source));
process.stdout.write(`wrote ${target}\n`);
