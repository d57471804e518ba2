/**
 * How the hierarchical memory scales: for 1k, 10k and 100k memories, store throughput,
 * top-10 retrieval latency (p50 / p95), heap and off-heap memory, snapshot and restore time,
 * and the same top-10 search through LangGraph's InMemoryStore with the same embedder.
 *
 * Usage: npm run bench:memory -- [--sizes 1000,10000,100000] [--queries 200] [--out outputs/benchmarks]
 */
import { parseArgs } from "node:util";
import { InMemoryStore } from "@langchain/langgraph";
import {
  HashingEmbedder,
  HierarchicalMemory,
  MEMORY_LEVELS,
  Rng,
  type MemoryEntry,
} from "../src/index.js";
import { printTable, writeResult } from "./report.js";
import { collectGarbage, megabytes, percentile, sentence, syntheticSnapshot, vocabulary } from "./synthetic.js";

const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "1000,10000,100000" },
    queries: { type: "string", default: "200" },
    stores: { type: "string", default: "1000" },
    out: { type: "string", default: "outputs/benchmarks" },
  },
});
const sizes = values.sizes.split(",").map(Number);
const queryCount = Number(values.queries);
const storeCount = Number(values.stores);
if (sizes.some((size) => !Number.isInteger(size) || size < 1) || !(queryCount > 0) || !(storeCount > 0)) {
  process.stderr.write("error: --sizes, --queries and --stores take positive integers\n");
  process.exit(2);
}

interface Row {
  size: number;
  storesPerSecond: number;
  retrieveP50Ms: number;
  retrieveP95Ms: number;
  heapUsedMb: number;
  offHeapMb: number;
  snapshotMs: number;
  snapshotJsonMb: number;
  restoreMs: number;
  inMemoryStoreSearchP50Ms: number;
  inMemoryStoreToJottyRatio: number;
  simd: boolean;
}

const embedder = new HashingEmbedder();
const rows: Row[] = [];
const started = performance.now();
for (const size of sizes) {
  const rng = new Rng(size);
  const words = vocabulary(rng, 5000);
  const perLevel = Math.ceil((size + storeCount) / MEMORY_LEVELS.length) + storeCount;
  const settings = {
    capacities: { episodic: perLevel, semantic: perLevel, procedural: perLevel, meta: perLevel, causal: perLevel },
  };
  collectGarbage();
  const baseline = process.memoryUsage();

  // Restore: from the JSON text of a snapshot, as the Vault will load it (vectors recomputed).
  const snapshotText = JSON.stringify(syntheticSnapshot(rng, words, size));
  let begin = performance.now();
  const memory = await HierarchicalMemory.restore(JSON.parse(snapshotText), { embedder, settings });
  const restoreMs = performance.now() - begin;

  // Store throughput into a memory of this size, duplicate and near-duplicate checks included.
  const newContents = Array.from({ length: storeCount }, () => sentence(rng, words));
  begin = performance.now();
  for (const [index, content] of newContents.entries()) {
    await memory.store({ level: MEMORY_LEVELS[index % MEMORY_LEVELS.length] as MemoryEntry["level"], content, goal: "goal 1", actor: "actor-0" });
  }
  const storesPerSecond = storeCount / ((performance.now() - begin) / 1000);

  // Top-10 retrieval, goal-conditioned and fully scored.
  const queries = Array.from({ length: queryCount }, () => sentence(rng, words));
  for (const query of queries.slice(0, 10)) await memory.retrieve({ goal: "goal 3", query, k: 10 });
  const latencies: number[] = [];
  for (const query of queries) {
    begin = performance.now();
    await memory.retrieve({ goal: `goal ${rng.int(0, 19)}`, query, k: 10 });
    latencies.push(performance.now() - begin);
  }
  latencies.sort((a, b) => a - b);

  collectGarbage();
  const usage = process.memoryUsage();

  begin = performance.now();
  const snapshotJson = JSON.stringify(memory.snapshot());
  const snapshotMs = performance.now() - begin;

  // The same search through LangGraph's InMemoryStore with the same embedder.
  const reference = new InMemoryStore({ index: { dims: embedder.dimensions, embeddings: embedder, fields: ["content"] } });
  const all = memory.list();
  for (let offset = 0; offset < all.length; offset += 2000) {
    await reference.batch(
      all.slice(offset, offset + 2000).map((entry) => ({
        namespace: [entry.level, entry.metadata.actor ?? "none"],
        key: entry.id,
        value: { content: entry.content },
      })),
    );
  }
  const referenceQueries = queries.slice(0, Math.max(5, Math.min(queryCount, Math.round(2_000_000 / size))));
  await reference.search([], { query: referenceQueries[0] as string, limit: 10 });
  const referenceLatencies: number[] = [];
  for (const query of referenceQueries) {
    begin = performance.now();
    await reference.search([], { query, limit: 10 });
    referenceLatencies.push(performance.now() - begin);
  }
  referenceLatencies.sort((a, b) => a - b);

  const retrieveP50Ms = percentile(latencies, 0.5);
  const inMemoryStoreSearchP50Ms = percentile(referenceLatencies, 0.5);
  rows.push({
    size,
    storesPerSecond: Math.round(storesPerSecond),
    retrieveP50Ms: Number(retrieveP50Ms.toFixed(2)),
    retrieveP95Ms: Number(percentile(latencies, 0.95).toFixed(2)),
    heapUsedMb: megabytes(usage.heapUsed - baseline.heapUsed),
    offHeapMb: megabytes(usage.arrayBuffers - baseline.arrayBuffers),
    snapshotMs: Math.round(snapshotMs),
    snapshotJsonMb: megabytes(Buffer.byteLength(snapshotJson)),
    restoreMs: Math.round(restoreMs),
    inMemoryStoreSearchP50Ms: Number(inMemoryStoreSearchP50Ms.toFixed(2)),
    inMemoryStoreToJottyRatio: Number((inMemoryStoreSearchP50Ms / retrieveP50Ms).toFixed(1)),
    simd: (memory as unknown as { index?: { simd?: boolean } }).index?.simd ?? false,
  });
  process.stdout.write(`measured ${size} memories\n`);
}

const header = [
  "memories",
  "stores/s",
  "top-10 p50 ms",
  "p95 ms",
  "heap MB",
  "off-heap MB",
  "snapshot ms",
  "JSON MB",
  "restore ms",
  "InMemoryStore p50 ms",
  "ratio",
];
const table = rows.map((row) => [
  String(row.size),
  String(row.storesPerSecond),
  row.retrieveP50Ms.toFixed(2),
  row.retrieveP95Ms.toFixed(2),
  String(row.heapUsedMb),
  String(row.offHeapMb),
  String(row.snapshotMs),
  String(row.snapshotJsonMb),
  String(row.restoreMs),
  row.inMemoryStoreSearchP50Ms.toFixed(2),
  `${row.inMemoryStoreToJottyRatio}×`,
]);
printTable(header, table);

await writeResult(values.out, "memory-scale", {
  description:
    "HierarchicalMemory at scale: store throughput (with duplicate checks) into a memory of the given size, top-10 goal-conditioned retrieval latency, memory use, snapshot (to JSON) and restore (from JSON, vectors recomputed) time, and top-10 search in LangGraph's InMemoryStore with the same hashing embedder",
  settings: { sizes, queries: queryCount, stores: storeCount, dimensions: embedder.dimensions, levels: MEMORY_LEVELS.length },
  gcExposed: typeof (globalThis as { gc?: unknown }).gc === "function",
  durationMs: Math.round(performance.now() - started),
  rows,
});
