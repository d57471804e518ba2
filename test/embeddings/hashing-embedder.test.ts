import { describe, expect, it } from "vitest";
import { contentWords, cosineSimilarity, HashingEmbedder, JottyError, tokenize } from "../../src/index.js";

describe("HashingEmbedder", () => {
  const embedder = new HashingEmbedder();

  it("gives deterministic unit vectors of the configured length", async () => {
    const first = embedder.embed("Sum settled payments per day");
    expect(first).toHaveLength(384);
    expect(Array.from(first)).toEqual(Array.from(new HashingEmbedder().embed("Sum settled payments per day")));
    const norm = Math.sqrt(first.reduce((sum, value) => sum + value * value, 0));
    expect(norm).toBeCloseTo(1, 5);
    expect(new HashingEmbedder({ dimensions: 64 }).embed("x y z")).toHaveLength(64);
  });

  it("implements LangChain's Embeddings interface", async () => {
    const documents = await embedder.embedDocuments(["one text", "another text"]);
    expect(documents).toHaveLength(2);
    expect(documents[0]).toHaveLength(384);
    expect(await embedder.embedQuery("one text")).toEqual(documents[0]);
  });

  it("puts paraphrases closer than unrelated texts", () => {
    const similarity = (a: string, b: string): number => cosineSimilarity(embedder.embed(a), embedder.embed(b));
    const paraphrase = similarity(
      "total settled payment volume per day in March",
      "daily sum of settled transactions for March",
    );
    const unrelated = similarity("total settled payment volume per day in March", "train a cat to sit on command");
    expect(paraphrase).toBeGreaterThan(0.25);
    expect(unrelated).toBeLessThan(0.15);
    expect(paraphrase).toBeGreaterThan(unrelated + 0.15);
    // Character 3-grams make word forms meet.
    expect(similarity("filtering", "filtered")).toBeGreaterThan(0.3);
  });

  it("ignores case, accents and stop words", () => {
    expect(Array.from(embedder.embed("The Café IS open"))).toEqual(Array.from(embedder.embed("cafe open")));
    expect(tokenize("Crème brûlée, 2 ways!")).toEqual(["creme", "brulee", "2", "ways"]);
    expect(contentWords("what is the total of the day")).toEqual(["total", "day"]);
  });

  it("keeps negations: a situation and its negation are different texts", () => {
    const embedder = new HashingEmbedder();
    const named = embedder.embed("The question names a status. Which transactions count?");
    const unnamed = embedder.embed("The question names no status. Which transactions count?");
    expect(cosineSimilarity(Float32Array.from(named), Float32Array.from(unnamed))).toBeLessThan(0.95);
    expect(contentWords("this is not settled")).toEqual(["not", "settled"]);
  });

  it("embeds a text without words as zeros", () => {
    expect(embedder.embed("!!! ...").every((value) => value === 0)).toBe(true);
  });

  it("rejects a bad dimension", () => {
    expect(() => new HashingEmbedder({ dimensions: 3 })).toThrow(JottyError);
  });
});
