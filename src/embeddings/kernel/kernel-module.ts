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
