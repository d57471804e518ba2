import { describe, expect, it } from "vitest";
import { CachedEmbedder, embedderId, HashingEmbedder, HierarchicalMemory, type Embedder } from "../../src/index.js";

/** An embedder that counts what it is asked to embed. */
class CountingEmbedder implements Embedder {
  readonly asked: string[] = [];
  private readonly inner = new HashingEmbedder({ dimensions: 64 });

  async embedDocuments(documents: string[]): Promise<number[][]> {
    this.asked.push(...documents);
    return documents.map((document) => Array.from(this.inner.embed(document)));
  }

  async embedQuery(document: string): Promise<number[]> {
    return (await this.embedDocuments([document]))[0] as number[];
  }
}

describe("CachedEmbedder", () => {
  it("embeds each text once while it is held, counting hits and misses", async () => {
    const inner = new CountingEmbedder();
    const cached = new CachedEmbedder(inner, { capacity: 10 });
    const first = await cached.embedQuery("revenue per day");
    const again = await cached.embedDocuments(["revenue per day", "orders by channel", "orders by channel"]);
    expect(again[0]).toEqual(first);
    expect(inner.asked).toEqual(["revenue per day", "orders by channel"]);
    expect(cached.stats()).toMatchObject({ hits: 2, misses: 2, hitRate: 0.5, size: 2, capacity: 10 });
    cached.resetStats();
    expect(cached.stats()).toMatchObject({ hits: 0, misses: 0, hitRate: 0, size: 2 });
  });

  it("drops the least recently used text when full", async () => {
    const inner = new CountingEmbedder();
    const cached = new CachedEmbedder(inner, { capacity: 2 });
    await cached.embedQuery("a");
    await cached.embedQuery("b");
    await cached.embedQuery("a"); // a is now the most recently used
    await cached.embedQuery("c"); // evicts b
    await cached.embedQuery("a");
    await cached.embedQuery("b");
    expect(inner.asked).toEqual(["a", "b", "c", "b"]);
  });

  it("is invisible to what is persisted: same id as its embedder, hashing vectors still left out of snapshots", async () => {
    const hashing = new HashingEmbedder();
    const cached = new CachedEmbedder(hashing);
    expect(embedderId(cached)).toBe(embedderId(hashing));
    expect(new CachedEmbedder(cached).inner).toBe(hashing);
    const memory = new HierarchicalMemory({ embedder: cached });
    await memory.store({ level: "episodic", content: "Filtered on dt, not ts", goal: "daily revenue" });
    const snapshot = memory.snapshot();
    expect(snapshot.embedder).toBe(hashing.id);
    expect(snapshot.entries[0]).not.toHaveProperty("vector");
    const restored = await HierarchicalMemory.restore(snapshot, { embedder: hashing });
    expect((await restored.retrieve({ goal: "daily revenue" }))[0]?.content).toBe("Filtered on dt, not ts");
  });

  it("caches query embeddings only: stored contents go straight to the embedder and are never counted", async () => {
    const inner = new CountingEmbedder();
    const cached = new CachedEmbedder(inner);
    const memory = new HierarchicalMemory({ embedder: cached });
    await memory.store({ level: "episodic", content: "Use dt as the partition column" });
    expect(cached.stats().misses + cached.stats().hits).toBe(0);
    // The goal is embedded once and kept with the memory's goals; the query text comes from the cache the second time.
    await memory.retrieve({ goal: "partition column", query: "which partition column" });
    await memory.retrieve({ goal: "partition column", query: "which partition column" });
    expect(cached.stats()).toMatchObject({ misses: 2, hits: 1 });
    expect(inner.asked).toEqual(["Use dt as the partition column", "partition column", "which partition column"]);
  });
});
