import { JottyError } from "../../errors/index.js";
import { DOT_PRODUCT_WASM } from "./dot-product-wasm.js";

let compiled: WebAssembly.Module | null | undefined;

/** The SIMD kernel (`dotMany`, `dotCodes`), compiled once per process; null where WebAssembly SIMD is missing. */
export function kernelModule(): WebAssembly.Module | null {
  if (compiled === undefined) {
    const bytes = Buffer.from(DOT_PRODUCT_WASM, "base64");
    compiled = WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  }
  return compiled ?? null;
}

/** A fresh instance of the kernel with its own memory, or a plain memory (and no kernel) without SIMD. */
export function instantiateKernel(simd: boolean): { memory: WebAssembly.Memory; kernel: Record<string, unknown> | undefined } {
  const module = simd ? kernelModule() : null;
  if (module === null) return { memory: new WebAssembly.Memory({ initial: 1, maximum: MAX_PAGES }), kernel: undefined };
  const instance = new WebAssembly.Instance(module, {});
  return { memory: instance.exports.memory as WebAssembly.Memory, kernel: instance.exports };
}

const PAGE_BYTES = 65_536;
const MAX_PAGES = 65_536;

/**
 * Grows a WebAssembly memory to hold at least `bytes`.
 *
 * @throws JottyError `capacity_exceeded` past 4 GiB, naming the vectors it was for.
 */
export function growMemory(memory: WebAssembly.Memory, bytes: number, vectors: { capacity: number; dimensions: number }): void {
  const have = memory.buffer.byteLength;
  if (bytes <= have) return;
  const pages = Math.ceil((bytes - have) / PAGE_BYTES);
  if (have / PAGE_BYTES + pages > MAX_PAGES) {
    throw new JottyError({
      code: "capacity_exceeded",
      message: `A vector index cannot grow past 4 GiB (${vectors.capacity} vectors of ${vectors.dimensions} dimensions); lower the memory capacities or the embedding dimensions.`,
      details: vectors,
    });
  }
  memory.grow(pages);
}
