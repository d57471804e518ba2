/** Cosine similarity of two vectors of the same length (0 when either is all zeros). */
export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  const length = Math.min(a.length, b.length);
  for (let index = 0; index < length; index += 1) {
    const x = a[index] as number;
    const y = b[index] as number;
    dot += x * y;
    normA += x * x;
    normB += y * y;
  }
  return normA === 0 || normB === 0 ? 0 : dot / Math.sqrt(normA * normB);
}

/** A unit-length copy as a Float32Array (zeros stay zeros). */
export function normalize(vector: ArrayLike<number>): Float32Array {
  const result = Float32Array.from(vector as ArrayLike<number>);
  let norm = 0;
  for (let index = 0; index < result.length; index += 1) norm += (result[index] as number) ** 2;
  if (norm > 0) {
    const scale = 1 / Math.sqrt(norm);
    for (let index = 0; index < result.length; index += 1) result[index] = (result[index] as number) * scale;
  }
  return result;
}
