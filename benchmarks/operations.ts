/**
 * Operating learned state: what the caches do on the SQL-analyst training workload, what
 * they save on a 100k-memory store, and how long fuzzy search and pruning take at 100k.
 *
 * 1. Training workload: `runs` runs of `jotty train` on configs/default.json (each run loads
 *    what the one before saved, trains, evaluates on the held-out tasks and saves), once with
 *    the caches on and once with them off; hit rates and latency of retrieve and predict per run.
 * 2. Repeated reads at 100k memories: the held-out questions asked `passes` times of a shared
 *    memory of 100k memories with no write in between (evaluation, serving), cache on and off.
 * 3. Fuzzy search at 100k memories: the first search (which builds the term index) and the rest.
 * 4. Prune at 100k memories: each policy alone and all four together, dry run and real.
 *
 * Usage: npm run bench:ops -- [--runs 3] [--episodes 60] [--size 100000] [--passes 5] [--out outputs/benchmarks]
 */
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { parseArgs } from "node:util";
import fs from "fs-extra";
import { trainRun } from "../src/evaluation/index.js";
import { CachedEmbedder, HashingEmbedder, HierarchicalMemory, LatencyHistogram, loadConfig, Rng, SqlAnalyst, type PrunePolicy } from "../src/index.js";
import { printTable, writeResult } from "./report.js";
import { syntheticSnapshot, vocabulary } from "./synthetic.js";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "3" },
    episodes: { type: "string", default: "60" },
    size: { type: "string", default: "100000" },
    passes: { type: "string", default: "5" },
    out: { type: "string", default: "outputs/benchmarks" },
  },
});
const runs = Number(values.runs);
const episodes = Number(values.episodes);
const size = Number(values.size);
const passes = Number(values.passes);
const started = performance.now();
const percent = (value: number): string => `${(100 * value).toFixed(1)}%`;
const ms = (value: number): string => value.toFixed(3);

// 1. The training workload, caches on and off.
const base = await loadConfig("configs/default.json");
const training: Record<string, Array<Record<string, number>>> = {};
for (const [label, cache] of [
  ["on", base.cache],
  ["off", { embeddings: 0, retrieval: 0 }],
] as const) {
  const outputDir = await fs.mkdtemp(path.join(os.tmpdir(), "jotty-bench-ops-"));
  training[label] = [];
  try {
    for (let run = 1; run <= runs; run += 1) {
      const runStarted = performance.now();
      const report = await trainRun({ config: { ...base, outputDir, cache }, run, episodes });
      const { cache: hits, latency } = report.metrics;
      (training[label] as Array<Record<string, number>>).push({
        run,
        seconds: (performance.now() - runStarted) / 1000,
        heldOut: report.heldOutSuccessRate,
        embeddingLookups: hits.embeddings.hits + hits.embeddings.misses,
        embeddingHitRate: hits.embeddings.hitRate,
        searchLookups: hits.retrieval.hits + hits.retrieval.misses,
        searchHitRate: hits.retrieval.hitRate,
        hitRate: hits.hitRate,
        retrieveP50: latency.retrieve.p50,
        retrieveP95: latency.retrieve.p95,
        predictP50: latency.predict.p50,
        storeP50: latency.store.p50,
      });
    }
  } finally {
    await fs.remove(outputDir);
  }
}
console.log(`Training workload: configs/default.json, ${runs} runs × ${episodes} episodes + held-out evaluation, each run loading the last`);
printTable(
  ["cache", "run", "held-out", "embedding hits", "search hits", "all hits", "retrieve p50 ms", "retrieve p95 ms", "predict p50 ms", "run s"],
  Object.entries(training).flatMap(([label, rows]) =>
    rows.map((row) => [
      label,
      String(row.run),
      percent(row.heldOut as number),
      `${percent(row.embeddingHitRate as number)} of ${row.embeddingLookups}`,
      `${percent(row.searchHitRate as number)} of ${row.searchLookups}`,
      percent(row.hitRate as number),
      ms(row.retrieveP50 as number),
      ms(row.retrieveP95 as number),
      ms(row.predictP50 as number),
      (row.seconds as number).toFixed(1),
    ]),
  ),
);

// 2. Repeated reads of a 100k-memory store.
const rng = new Rng(5);
const words = vocabulary(rng, 2000);
const snapshot = syntheticSnapshot(rng, words, size);
const questions = new SqlAnalyst().tasks("heldOut").map((task) => task.question);
const reads: Record<string, Record<string, number>> = {};
for (const [label, retrievalCache, embeddings] of [
  ["on", 1000, 10_000],
  ["off", 0, 0],
] as const) {
  const hashing = new HashingEmbedder();
  const embedder = embeddings === 0 ? hashing : new CachedEmbedder(hashing, { capacity: embeddings });
  const memory = await HierarchicalMemory.restore(snapshot, { embedder, retrievalCache, settings: { capacities: { episodic: size, semantic: size, procedural: size, meta: size, causal: size } } });
  // Warm the code paths up on other texts first, so neither variant pays for compilation.
  for (let index = 0; index < 100; index += 1) await memory.retrieve({ goal: `warm-up ${words[index]} ${words[index + 1]}`, k: 5, record: false });
  memory.resetCacheStats();
  if (embedder instanceof CachedEmbedder) embedder.resetStats();
  const latency = new LatencyHistogram();
  const firstPass = new LatencyHistogram();
  for (let pass = 0; pass < passes; pass += 1) {
    for (const question of questions) {
      const begin = performance.now();
      await memory.retrieve({ goal: question, k: 5, record: false });
      const elapsed = performance.now() - begin;
      latency.record(elapsed);
      if (pass === 0) firstPass.record(elapsed);
    }
  }
  const searches = memory.cacheStats();
  const vectors = embedder instanceof CachedEmbedder ? embedder.stats() : { hits: 0, misses: 0 };
  const lookups = searches.hits + searches.misses + vectors.hits + vectors.misses;
  reads[label] = {
    reads: latency.count,
    searchHitRate: searches.hitRate,
    hitRate: lookups === 0 ? 0 : (searches.hits + vectors.hits) / lookups,
    p50: latency.quantile(0.5),
    p95: latency.quantile(0.95),
    coldP50: firstPass.quantile(0.5),
  };
}
console.log(`\nRepeated reads at ${size} memories: ${questions.length} held-out questions × ${passes} passes, no writes in between (frozen reads)`);
printTable(
  ["cache", "reads", "search hits", "all hits", "first pass p50 ms", "p50 ms", "p95 ms"],
  Object.entries(reads).map(([label, row]) => [
    label,
    String(row.reads),
    percent(row.searchHitRate as number),
    percent(row.hitRate as number),
    ms(row.coldP50 as number),
    ms(row.p50 as number),
    ms(row.p95 as number),
  ]),
);

// 3. Fuzzy search at 100k memories: the first builds the term index, the rest use it.
const fuzzyMemory = await HierarchicalMemory.restore(snapshot, { settings: { capacities: { episodic: size, semantic: size, procedural: size, meta: size, causal: size } } });
const misspell = (word: string): string => (word.length > 3 ? word.slice(0, 2) + word.slice(3) : `${word}x`);
let begin = performance.now();
await fuzzyMemory.search({ text: `${misspell(words[0] as string)} ${words[1]}`, fuzzy: true, k: 5 });
const fuzzyFirstMs = performance.now() - begin;
const fuzzyLatency = new LatencyHistogram();
for (let index = 0; index < 100; index += 1) {
  const text = `${misspell(words[(index * 7) % words.length] as string)} ${words[(index * 13 + 1) % words.length]}`;
  begin = performance.now();
  await fuzzyMemory.search({ text, fuzzy: true, k: 5 });
  fuzzyLatency.record(performance.now() - begin);
}
const fuzzy = { firstMs: fuzzyFirstMs, ...fuzzyLatency.summary() };
console.log(`\nFuzzy search at ${size} memories: two-word queries with a misspelling`);
printTable(["first search (builds the term index) ms", "then p50 ms", "p95 ms"], [[fuzzy.firstMs.toFixed(0), ms(fuzzy.p50), ms(fuzzy.p95)]]);

// 4. Prune time at 100k memories; the synthetic memories' values, uses and ages vary.
const policies: Array<[string, PrunePolicy[]]> = [
  ["age (90 days)", [{ kind: "age" }]],
  ["value (< 0.2)", [{ kind: "value" }]],
  ["usage (< 0.1 a day)", [{ kind: "usage", minPerDay: 0.1 }]],
  ["budget (top 10k)", [{ kind: "budget", keep: 10_000, level: "all" }]],
  ["all four", [{ kind: "age" }, { kind: "value" }, { kind: "usage", minPerDay: 0.1 }, { kind: "budget", keep: 10_000, level: "all" }]],
];
// A long-running team: memories made over the past year, last used between then and today.
const DAY = 86_400_000;
const today = 1_700_000_000_000 + 400 * DAY;
const aged = {
  ...snapshot,
  entries: snapshot.entries.map((entry) => {
    const createdAt = today - rng.int(7, 365) * DAY;
    return { ...entry, createdAt, updatedAt: createdAt, lastAccess: entry.accessCount === 0 ? null : createdAt + rng.next() * (today - createdAt) };
  }),
};
const clock = { now: () => today };
const pruning: Array<Record<string, number | string>> = [];
for (const [label, chosen] of policies) {
  const memory = await HierarchicalMemory.restore(aged, { clock, settings: { capacities: { episodic: size, semantic: size, procedural: size, meta: size, causal: size } } });
  const dryStart = performance.now();
  const dry = memory.prune({ policies: chosen, dryRun: true });
  const dryMs = performance.now() - dryStart;
  const realStart = performance.now();
  const real = memory.prune({ policies: chosen });
  const realMs = performance.now() - realStart;
  pruning.push({ policy: label, removed: real.removed.length, remaining: real.remaining, dryRunMs: dryMs, pruneMs: realMs, sameAsDryRun: String(dry.removed.length === real.removed.length) });
}
console.log(`\nPrune at ${size} memories (made over the past year, last used since)`);
printTable(
  ["policy", "removed", "remaining", "dry run ms", "prune ms"],
  pruning.map((row) => [String(row.policy), String(row.removed), String(row.remaining), (row.dryRunMs as number).toFixed(0), (row.pruneMs as number).toFixed(0)]),
);

await writeResult(values.out, "operations", {
  description: "Cache hit rates and latency on the SQL-analyst training workload (cache on and off), repeated reads at scale, prune time at scale",
  settings: { runs, episodes, size, passes, config: "configs/default.json" },
  durationMs: performance.now() - started,
  training,
  repeatedReads: reads,
  fuzzy,
  pruning,
});
