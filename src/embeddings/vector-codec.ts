/** A Float32Array as base64 of its little-endian bytes. */
export function encodeVector(vector: Float32Array): string {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength).toString("base64");
}

/** The inverse of {@link encodeVector}. */
export function decodeVector(text: string): Float32Array {
  const bytes = Buffer.from(text, "base64");
  // Copy into a fresh, aligned buffer: pooled Buffers may start at any byte offset.
  return new Float32Array(new Uint8Array(bytes).buffer);
}
