/**
 * How the hierarchical memory scales, for each size (default 1k, 10k, 100k; up to 1M) and two
 * kinds of memories — `recurring` (memories of 2,000 recurring situations, as a team's are)
 * and `random` (word salad: every memory about as far from every other, the hardest case for
 * an approximate index):
 * - build: embedding every memory and building its index (a first load, or a restore without
 *   stored vectors);
 * - store throughput into a memory of that size (duplicate and near-duplicate checks included),
 *   after 100 stores not timed, as retrieval is timed after 10 queries not timed: the first
 *   stores of a process run the store path before it is compiled, at about half the rate;
 * - top-10 goal-conditioned retrieval p50 / p95, and recall@10 of the memory's vector search
 *   against an exact index of the same vectors (a result tying the 10th exact score counts);
 * - the same retrieval read on behalf of the team (`visibleTo: null`, memories of no actor, as
 *   a Conductor recalls) and of one actor (its own and the team's): the synthetic memories
 *   belong to four actors, and a quarter of the stored ones to the team;
 * - heap and off-heap bytes of the memory (off-heap: typed arrays and the WebAssembly memories
 *   holding vector codes);
 * - save (snapshot + vectors), load (restore from them), and restore-to-first-episode: a
 *   PERSISTENT Conductor started in a fresh process on a Vault folder holding the memory, until
 *   its first episode ends (the median of `--restarts` such restarts, each from the run the one
 *   before saved; "create" is the part until the Conductor was ready);
 * - the same top-10 search through LangGraph's InMemoryStore (up to 100k: it keeps every vector
 *   as an array of numbers), as a ratio.
 *
 * With `--efforts 256,512`, the memory is loaded again at each search effort (HNSW's efSearch)
 * and its top-10 p50 and recall@10 are measured at that effort: what raising
 * `memory.index.efSearch` buys and costs at each size, from the same graph.
 *
 * Usage: npm run bench:memory -- [--sizes 1000,10000,100000] [--data recurring,random] [--queries 200] [--stores 1000] [--restarts 3] [--efforts 256,512] [--out outputs/benchmarks]
 */
import os from "node:os";
import path from "node:path";
import { execFile } from "node:child_process";
import { parseArgs, promisify } from "node:util";
import fs from "fs-extra";
import { InMemoryStore } from "@langchain/langgraph";
import { FlatVectorIndex, HashingEmbedder, HierarchicalMemory, MEMORY_LEVELS, Rng, Vault, type MemoryEntry, type MemorySnapshot } from "../src/index.js";
import { COMPONENT_STEMS } from "../src/persistence/index.js";
import { printTable, writeResult } from "./report.js";
import { collectGarbage, megabytes, percentile, sentence, situationSentence, syntheticSnapshot, vocabulary } from "./synthetic.js";

const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "1000,10000,100000" },
    data: { type: "string", default: "recurring,random" },
    queries: { type: "string", default: "200" },
    stores: { type: "string", default: "1000" },
    restarts: { type: "string", default: "3" },
    efforts: { type: "string", default: "" },
    out: { type: "string", default: "outputs/benchmarks" },
  },
});
const sizes = values.sizes.split(",").map(Number);
const kinds = values.data.split(",");
const queryCount = Number(values.queries);
const storeCount = Number(values.stores);
/** Stores made before the timed ones, so that the rate is the store path's once compiled. */
const STORE_WARM_UP = 100;
const efforts = values.efforts === "" ? [] : values.efforts.split(",").map(Number);
const restartCount = Number(values.restarts);
if (
  sizes.some((size) => !Number.isInteger(size) || size < 1) ||
  !(queryCount > 0) ||
  !(storeCount > 0) ||
  !(Number.isInteger(restartCount) && restartCount > 0) ||
  kinds.some((kind) => kind !== "recurring" && kind !== "random") ||
  efforts.some((effort) => !Number.isInteger(effort) || effort < 1)
) {
  process.stderr.write("error: --sizes, --queries, --stores and --efforts take positive integers, --data recurring and/or random\n");
  process.exit(2);
}
/** Above this, the InMemoryStore's number arrays would take several GB: it is not run. */
const IN_MEMORY_STORE_LIMIT = 100_000;
/** Above this, a snapshot's JSON text nears V8's longest string: save and restart are timed up to it. */
const JSON_LIMIT = 200_000;

const embedder = new HashingEmbedder();
const run = promisify(execFile);
const rows: Array<Record<string, number | string | boolean | null>> = [];
const effortRows: Array<Record<string, number | string>> = [];
const started = performance.now();

/** Collects garbage until the heap stops shrinking, so that what is left is what is held. */
async function settle(): Promise<void> {
  let before = Infinity;
  for (let round = 0; round < 5 && process.memoryUsage().heapUsed < before - 1_000_000; round += 1) {
    before = process.memoryUsage().heapUsed;
    collectGarbage();
    await new Promise((resolve) => setImmediate(resolve));
  }
}

async function timedMs<T>(work: () => Promise<T> | T): Promise<[T, number]> {
  const begin = performance.now();
  const result = await work();
  return [result, performance.now() - begin];
}

/** Share of the exact top-10 in the memory's top-10, counting ties with the 10th. */
function recallAt10(found: readonly string[], exact: FlatVectorIndex, query: Float32Array): number {
  const truth = exact.search(query, { k: 10 });
  const scores = new Map(exact.search(query, { k: 200 }).map((match) => [match.id, match.score]));
  const kth = (truth.at(-1) as { score: number }).score;
  return found.filter((id) => (scores.get(id) ?? -1) >= kth - 1e-6).length / truth.length;
}

/** A Vault folder holding this memory as a Conductor saves it, for {@link restartMs}. */
async function savedForRestart(memory: HierarchicalMemory): Promise<string> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "jotty-bench-restart-"));
  const vectors = memory.snapshotVectors();
  const vault = await Vault.open({ dir });
  await vault.save({
    schemaVersion: 1,
    sharedMemory: memory.snapshot({ includeVectors: vectors === undefined, columns: true }),
    ...(vectors === undefined ? {} : { vectors: { [COMPONENT_STEMS.sharedMemory]: vectors } }),
  });
  return dir;
}

/**
 * Milliseconds from starting a PERSISTENT Conductor on the folder until its first episode ends,
 * and until it was ready, in a fresh process (`restart-probe.ts`), as a team's next run starts:
 * the medians of `restartCount` restarts, one after the other (each saves its run, which the
 * next loads), and every sample. Run once every memory of this process is gone, since a large
 * heap here (collected, or not) slows the other process.
 */
async function restartMs(dir: string, capacity: number): Promise<{ ms: number; createMs: number; samplesMs: number[] }> {
  try {
    const probe = path.join(import.meta.dirname, "restart-probe.ts");
    const samples: Array<{ ms: number; createMs: number }> = [];
    for (let count = 0; count < restartCount; count += 1) {
      const { stdout } = await run(process.execPath, [...process.execArgv, probe, "--dir", dir, "--capacity", String(capacity)], { maxBuffer: 1 << 20 });
      samples.push(JSON.parse(stdout) as { ms: number; createMs: number });
    }
    const middle = (values: number[]) => percentile([...values].sort((a, b) => a - b), 0.5);
    return { ms: middle(samples.map((sample) => sample.ms)), createMs: middle(samples.map((sample) => sample.createMs)), samplesMs: samples.map((sample) => Math.round(sample.ms)) };
  } finally {
    await fs.remove(dir);
  }
}

/** Folders saved for a restart, measured after the rest: the row each goes to. */
const restarts: Array<{ row: Record<string, number | string | boolean | null>; dir: string; capacity: number }> = [];

for (const kind of kinds) {
  for (const size of sizes) {
    const rng = new Rng(size);
    const words = vocabulary(rng, 5000);
    const content = kind === "random" ? sentence : situationSentence;
    const perLevel = Math.ceil((size + STORE_WARM_UP + storeCount) / MEMORY_LEVELS.length) + STORE_WARM_UP + storeCount;
    const settings = { capacities: { episodic: perLevel, semantic: perLevel, procedural: perLevel, meta: perLevel, causal: perLevel } };
    await settle();
    const baseline = process.memoryUsage();
    let snapshot: MemorySnapshot | undefined = syntheticSnapshot(rng, words, size, content);

    // Build: every memory embedded and indexed, as on a first load.
    const [memory, buildMs] = await timedMs(() => HierarchicalMemory.restore(snapshot, { embedder, settings }));
    snapshot = undefined; // what the memory holds is its own copy: the heap below is the memory's
    await settle();
    const usage = process.memoryUsage();

    // Store throughput, duplicate and near-duplicate checks included.
    const newContents = Array.from({ length: STORE_WARM_UP + storeCount }, () => content(rng, words));
    const storeAll = async (texts: string[]) => {
      for (const [index, text] of texts.entries()) {
        // Every fourth new memory is the team's (no actor), the rest actor-0's, as the synthetic ones are actors'.
        const owner = index % 4 === 0 ? {} : { actor: "actor-0" };
        await memory.store({ level: MEMORY_LEVELS[index % MEMORY_LEVELS.length] as MemoryEntry["level"], content: text, goal: "goal 1", ...owner });
      }
    };
    await storeAll(newContents.slice(0, STORE_WARM_UP));
    const [, storeMs] = await timedMs(() => storeAll(newContents.slice(STORE_WARM_UP)));

    // Top-10 retrieval, goal-conditioned and fully scored.
    const queries = Array.from({ length: queryCount }, () => content(rng, words));
    for (const query of queries.slice(0, 10)) await memory.retrieve({ goal: "goal 3", query, k: 10 });
    const latencies: number[] = [];
    for (const query of queries) {
      const [, ms] = await timedMs(() => memory.retrieve({ goal: `goal ${rng.int(0, 19)}`, query, k: 10 }));
      latencies.push(ms);
    }
    latencies.sort((a, b) => a - b);
    // The same, read on behalf of the team (memories of no actor: a Conductor's recall) and of one
    // actor (its own and the team's), which the index filters by actor tag as it walks. Each
    // with texts of its own, so that no search is answered from the retrieval cache.
    const visibleP50 = async (visibleTo: string | null): Promise<number> => {
      const visible: number[] = [];
      for (const query of Array.from({ length: queryCount }, () => content(rng, words))) visible.push((await timedMs(() => memory.retrieve({ goal: `goal ${rng.int(0, 19)}`, query, k: 10, visibleTo })))[1]);
      return percentile(visible.sort((a, b) => a - b), 0.5);
    };
    const teamP50Ms = await visibleP50(null);
    const actorP50Ms = await visibleP50("actor-1");

    // Recall@10 of the memory's vector search against an exact index of the same vectors.
    const exact = new FlatVectorIndex({ dimensions: embedder.dimensions, initialCapacity: memory.size() });
    for (const entry of memory.view()) exact.add(entry.id, embedder.embed(entry.content));
    const recallQueries = queries.slice(0, 100);
    const recallOf = async (searched: HierarchicalMemory): Promise<number> => {
      let total = 0;
      for (const query of recallQueries) {
        const found = await searched.similar({ text: query, k: 10 });
        total += recallAt10(found.map((match) => match.entry.id), exact, embedder.embed(query));
      }
      return total / recallQueries.length;
    };
    const recall = await recallOf(memory);

    // Save and load: the snapshot (JSON columns, as the Vault writes it) and the vectors (binary), then a restore from them.
    const [saved, saveMs] = await timedMs(() => ({ json: memory.snapshot({ includeVectors: false, columns: true }), vectors: memory.snapshotVectors() }));
    const jsonMb = size <= JSON_LIMIT ? megabytes(Buffer.byteLength(JSON.stringify(saved.json))) : null;
    const [loaded, loadMs] = await timedMs(() => HierarchicalMemory.restore(saved.json, { embedder, settings, vectors: saved.vectors }));
    if (loaded.vectorRestore.vectors !== "loaded") throw new Error(`the load embedded again: ${loaded.vectorRestore.problem ?? ""}`);
    // The same graph searched at other efforts: loaded again with another efSearch, one at a time.
    for (const effort of memory.indexKind === "approximate" ? efforts : []) {
      const copy = await HierarchicalMemory.restore(saved.json, { embedder, settings: { ...settings, index: { ...memory.settings.index, efSearch: effort } }, vectors: saved.vectors });
      for (const query of queries.slice(0, 10)) await copy.retrieve({ goal: "goal 3", query, k: 10 });
      const effortLatencies: number[] = [];
      for (const query of queries) effortLatencies.push((await timedMs(() => copy.retrieve({ goal: `goal ${rng.int(0, 19)}`, query, k: 10 })))[1]);
      effortLatencies.sort((a, b) => a - b);
      effortRows.push({ data: kind, size, efSearch: effort, retrieveP50Ms: Number(percentile(effortLatencies, 0.5).toFixed(2)), retrieveP95Ms: Number(percentile(effortLatencies, 0.95).toFixed(2)), recallAt10: Number((await recallOf(copy)).toFixed(3)) });
    }
    exact.clear();
    const restartDir = size <= JSON_LIMIT ? await savedForRestart(memory) : null;

    // The same search through LangGraph's InMemoryStore with the same embedder.
    let inMemoryStoreP50: number | null = null;
    if (size <= IN_MEMORY_STORE_LIMIT) {
      const reference = new InMemoryStore({ index: { dims: embedder.dimensions, embeddings: embedder, fields: ["content"] } });
      const all = memory.list();
      for (let offset = 0; offset < all.length; offset += 2000) {
        await reference.batch(all.slice(offset, offset + 2000).map((entry) => ({ namespace: [entry.level, entry.metadata.actor ?? "none"], key: entry.id, value: { content: entry.content } })));
      }
      const referenceQueries = queries.slice(0, Math.max(5, Math.min(queryCount, Math.round(2_000_000 / size))));
      await reference.search([], { query: referenceQueries[0] as string, limit: 10 });
      const referenceLatencies: number[] = [];
      for (const query of referenceQueries) referenceLatencies.push((await timedMs(() => reference.search([], { query, limit: 10 })))[1]);
      referenceLatencies.sort((a, b) => a - b);
      inMemoryStoreP50 = percentile(referenceLatencies, 0.5);
    }

    const retrieveP50Ms = percentile(latencies, 0.5);
    rows.push({
      data: kind,
      size,
      index: memory.indexKind,
      buildMs: Math.round(buildMs),
      storesPerSecond: Math.round(storeCount / (storeMs / 1000)),
      retrieveP50Ms: Number(retrieveP50Ms.toFixed(2)),
      retrieveP95Ms: Number(percentile(latencies, 0.95).toFixed(2)),
      efSearch: memory.settings.index.efSearch,
      recallAt10: Number(recall.toFixed(3)),
      teamP50Ms: Number(teamP50Ms.toFixed(2)),
      actorP50Ms: Number(actorP50Ms.toFixed(2)),
      heapUsedMb: megabytes(usage.heapUsed - baseline.heapUsed),
      // `external` holds the WebAssembly memories (vector codes) as well as the typed arrays (`arrayBuffers`).
      offHeapMb: megabytes(usage.external - baseline.external),
      saveMs: Math.round(saveMs),
      snapshotJsonMb: jsonMb,
      vectorsMb: megabytes(saved.vectors?.byteLength ?? 0),
      loadMs: Math.round(loadMs),
      restartToFirstEpisodeMs: null,
      restartCreateMs: null,
      restartSamplesMs: null,
      inMemoryStoreSearchP50Ms: inMemoryStoreP50 === null ? null : Number(inMemoryStoreP50.toFixed(2)),
      inMemoryStoreToJottyRatio: inMemoryStoreP50 === null ? null : Number((inMemoryStoreP50 / retrieveP50Ms).toFixed(1)),
    });
    if (restartDir !== null) restarts.push({ row: rows.at(-1) as Record<string, number | string | boolean | null>, dir: restartDir, capacity: perLevel });
    process.stdout.write(`measured ${kind} ${size}\n`);
  }
}
await settle();
for (const { row, dir, capacity } of restarts) {
  const restart = await restartMs(dir, capacity);
  row.restartToFirstEpisodeMs = Math.round(restart.ms);
  row.restartCreateMs = Math.round(restart.createMs);
  row.restartSamplesMs = restart.samplesMs.join(" ");
}

const show = (value: number | string | boolean | null | undefined): string => (value === null || value === undefined ? "-" : String(value));
printTable(
  ["data", "memories", "index", "build ms", "stores/s", "top-10 p50 ms", "p95 ms", "recall@10", "team p50 ms", "actor p50 ms", "heap MB", "off-heap MB", "save ms", "JSON MB", "vectors MB", "load ms", "restart ms", "create ms", "InMemoryStore p50 ms", "ratio"],
  rows.map((row) => [
    show(row.data), show(row.size), show(row.index), show(row.buildMs), show(row.storesPerSecond), show(row.retrieveP50Ms), show(row.retrieveP95Ms), show(row.recallAt10), show(row.teamP50Ms), show(row.actorP50Ms),
    show(row.heapUsedMb), show(row.offHeapMb), show(row.saveMs), show(row.snapshotJsonMb), show(row.vectorsMb), show(row.loadMs), show(row.restartToFirstEpisodeMs), show(row.restartCreateMs),
    show(row.inMemoryStoreSearchP50Ms), row.inMemoryStoreToJottyRatio === null ? "-" : `${row.inMemoryStoreToJottyRatio}×`,
  ]),
);
if (effortRows.length > 0) {
  process.stdout.write("\nthe same graphs searched at other efforts (efSearch; the table above at memory.index.efSearch):\n");
  printTable(
    ["data", "memories", "efSearch", "top-10 p50 ms", "p95 ms", "recall@10"],
    effortRows.map((row) => [show(row.data), show(row.size), show(row.efSearch), show(row.retrieveP50Ms), show(row.retrieveP95Ms), show(row.recallAt10)]),
  );
}
await writeResult(values.out, "memory-scale", {
  description:
    "HierarchicalMemory at scale on two kinds of synthetic memories: build (embed + index), store throughput with duplicate checks, top-10 goal-conditioned retrieval latency (for anyone, the team and one actor), recall@10 of the vector search against an exact index, heap and off-heap memory, save (snapshot + binary vectors), load (restore from them, no embedding), restart to the end of a PERSISTENT Conductor's first episode (in a fresh process), and top-10 search in LangGraph's InMemoryStore with the same hashing embedder",
  settings: { sizes, data: kinds, queries: queryCount, stores: storeCount, restarts: restartCount, efforts, dimensions: embedder.dimensions, levels: MEMORY_LEVELS.length },
  gcExposed: typeof (globalThis as { gc?: unknown }).gc === "function",
  durationMs: Math.round(performance.now() - started),
  rows,
  efforts: effortRows,
});
