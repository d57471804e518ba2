import { embedTexts, type Embedder } from "./embedder.js";

/**
 * Vectors of texts embedded before, keyed by the text with case and spacing folded; the
 * oldest entries go when it is full. For components that compare the same few texts often.
 */
export class VectorCache {
  private readonly vectors = new Map<string, Float32Array>();

  constructor(
    private readonly embedder: Embedder,
    private readonly capacity = 5000,
  ) {}

  /** The vector of a text, embedded on first use. */
  async get(text: string): Promise<Float32Array> {
    const key = text.trim().replace(/\s+/g, " ").toLowerCase();
    let vector = this.vectors.get(key);
    if (vector === undefined) {
      [vector] = (await embedTexts(this.embedder, [key])) as [Float32Array];
      if (this.vectors.size >= this.capacity) this.vectors.delete(this.vectors.keys().next().value as string);
      this.vectors.set(key, vector);
    }
    return vector;
  }
}
