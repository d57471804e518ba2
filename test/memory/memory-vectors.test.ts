// Restarting without re-embedding (issue 17): stored vectors and indexes load as they are.
import { promises as fsp } from "node:fs";
import os from "node:os";
import path from "node:path";
import fs from "fs-extra";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { Conductor, HashingEmbedder, HierarchicalMemory, QPredictor, Rng, type MemoryEntry } from "../../src/index.js";

/** The offline embedder, counting the texts it embeds. */
class CountingEmbedder extends HashingEmbedder {
  calls = 0;
  override embed(text: string): Float32Array {
    this.calls += 1;
    return super.embed(text);
  }
}

const WORDS = "order ship refund invoice customer late damaged replace warehouse courier address payment retry card bank".split(" ");
function sentence(rng: Rng): string {
  return Array.from({ length: rng.int(4, 9) }, () => rng.choice(WORDS)).join(" ") + ` case ${rng.int(0, 100000)}`;
}

async function filledMemory(embedder: HashingEmbedder, count: number): Promise<HierarchicalMemory> {
  // From 100 memories on the index is the approximate one: its graph is what is stored.
  const memory = new HierarchicalMemory({ embedder, settings: { capacities: { episodic: count, semantic: count }, index: { approximateFrom: 100 } } });
  const rng = new Rng(5);
  for (let index = 0; index < count; index += 1) {
    await memory.store({ level: (index % 2 === 0 ? "episodic" : "semantic") as MemoryEntry["level"], content: sentence(rng), goal: "resolve the ticket" });
  }
  return memory;
}

describe("memory vectors", () => {
  it("a memory restored with its stored vectors embeds none of its memories and answers as before", async () => {
    const memory = await filledMemory(new HashingEmbedder(), 300);
    const snapshot = memory.snapshot({ includeVectors: false });
    const vectors = memory.snapshotVectors();
    expect(vectors).toBeInstanceOf(Uint8Array);
    const embedder = new CountingEmbedder();
    const restored = await HierarchicalMemory.restore(JSON.parse(JSON.stringify(snapshot)), { embedder, settings: memory.settings, vectors });
    expect(restored.vectorRestore).toEqual({ vectors: "loaded" });
    // Only the one goal is embedded again, none of the 300 memories.
    expect(embedder.calls).toBe(1);
    const query = { goal: "resolve the ticket", query: "refund a damaged order", k: 8, record: false };
    const found = (memories: Array<{ id: string; relevance: number }>) => memories.map(({ id, relevance }) => ({ id, relevance }));
    expect(found(await restored.retrieve(query))).toEqual(found(await memory.retrieve(query)));
    const stored = await restored.store({ level: "episodic", content: "a courier lost the parcel twice", goal: "resolve the ticket" });
    expect(stored.status).toBe("added");
    expect(restored.size()).toBe(memory.size() + 1);
  });

  it("embeds again, and says why, when the vectors come from another embedder or are damaged", async () => {
    const memory = await filledMemory(new HashingEmbedder(), 150);
    const snapshot = memory.snapshot({ includeVectors: false });
    const vectors = memory.snapshotVectors() as Uint8Array;
    const other = new CountingEmbedder({ dimensions: 64 });
    const elsewhere = await HierarchicalMemory.restore(snapshot, { embedder: other, settings: memory.settings, vectors });
    expect(elsewhere.vectorRestore.vectors).toBe("embedded");
    expect(elsewhere.vectorRestore.problem).toMatch(/made by hashing-v1-384, not by hashing-v1-64/);
    expect(elsewhere.vectorRestore.embedded).toBe(150);
    expect(other.calls).toBeGreaterThanOrEqual(150);
    const damaged = vectors.slice(0, vectors.length - 64);
    const again = await HierarchicalMemory.restore(snapshot, { embedder: new HashingEmbedder(), settings: memory.settings, vectors: damaged });
    expect(again.vectorRestore.vectors).toBe("embedded");
    expect(again.vectorRestore.problem).toBeDefined();
    const query = { goal: "resolve the ticket", query: "late payment retry", k: 5, record: false };
    expect((await again.retrieve(query)).map((found) => found.id)).toEqual((await memory.retrieve(query)).map((found) => found.id));
  });

  it("a Q-predictor restored with its stored vectors embeds no state and predicts as before", async () => {
    const q = new QPredictor({ alpha: 0.5, gamma: 0.9, embedder: new HashingEmbedder() });
    const rng = new Rng(2);
    for (let index = 0; index < 200; index += 1) {
      await q.update({ state: sentence(rng), action: rng.choice(["refund", "replace", "escalate"]), reward: rng.next(), nextState: null, done: true });
    }
    const embedder = new CountingEmbedder();
    const restored = await QPredictor.restore(JSON.parse(JSON.stringify(q.snapshot())), { alpha: 0.5, gamma: 0.9, embedder, vectors: q.snapshotVectors() });
    expect(restored.vectorRestore).toEqual({ vectors: "loaded" });
    expect(embedder.calls).toBe(0);
    for (const state of ["refund a damaged order case 7", "card payment retry"]) {
      for (const action of ["refund", "escalate"]) expect(await restored.predict({ state, action })).toEqual(await q.predict({ state, action }));
    }
    const plain = await QPredictor.restore(q.snapshot(), { alpha: 0.5, gamma: 0.9, embedder: new HashingEmbedder(), vectors: new Uint8Array([1, 2, 3]) });
    expect(plain.vectorRestore.vectors).toBe("embedded");
    expect(await plain.predict({ state: "card payment retry", action: "refund" })).toEqual(await q.predict({ state: "card payment retry", action: "refund" }));
  });
});

describe("vectors in the Vault", () => {
  let dir: string;
  beforeEach(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), "jotty-vectors-"));
  });
  afterEach(async () => {
    await fs.remove(dir);
  });

  for (const encrypted of [false, true]) {
    it(`a persistent team saves its vectors as binary files and loads them on the next start${encrypted ? " (encrypted)" : ""}`, async () => {
      process.env.JOTTY_TEST_VECTORS_KEY = "a passphrase for the vectors test";
      const config = {
        learningMode: "persistent" as const,
        outputDir: dir,
        seed: 4,
        environment: { name: "cliff-walking", options: { columns: 5, maxSteps: 20 } },
        training: { maxStepsPerEpisode: 20, saveEvery: 3 },
        persistence: encrypted ? { encryptionKeyEnv: "JOTTY_TEST_VECTORS_KEY" } : {},
      };
      const first = await Conductor.create({ config });
      await first.train({ episodes: 3 });
      const memories = first.sharedMemory.size();
      await first.close();
      const run = (await fsp.readFile(path.join(dir, "LATEST"), "utf8")).trim();
      const files = await fsp.readdir(path.join(dir, run, "jotty_state", "memories"));
      expect(files).toContain(`shared_memory.vectors.bin${encrypted ? ".enc" : ""}`);
      expect(await fsp.readdir(path.join(dir, run, "jotty_state", "q_tables"))).toContain(`q_predictor_buffer.vectors.bin${encrypted ? ".enc" : ""}`);
      const warnings: string[] = [];
      const second = await Conductor.create({ config, onWarning: (warning) => warnings.push(warning) });
      expect(second.sharedMemory.size()).toBe(memories);
      expect(second.sharedMemory.vectorRestore.vectors).toBe("loaded");
      expect(second.q.vectorRestore.vectors).toBe("loaded");
      expect(warnings.filter((warning) => warning.includes("vectors"))).toEqual([]);
      await second.train({ episodes: 1 });
      await second.close();
    });
  }
});
