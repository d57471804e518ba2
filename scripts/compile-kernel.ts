import wabtModule from "wabt";

/** The TypeScript module holding the compiled kernel, from its WAT source. */
export async function compileKernel(source: string): Promise<string> {
  const wabt = await wabtModule();
  const module = wabt.parseWat("dot-product.wat", source, { simd: true });
  const { buffer } = module.toBinary({});
  module.destroy();
  const base64 = Buffer.from(buffer).toString("base64");
  return `// Generated from dot-product.wat by \`npm run build:kernel\`; do not edit.\nexport const DOT_PRODUCT_WASM = "${base64}";\n`;
}
