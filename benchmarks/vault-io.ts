/**
 * Vault speed and size: save and load of states with 1k, 10k and 100k memories plus a
 * Q-table of 50k entries, plain and gzip.
 *
 * Usage: npm run bench:vault -- [--memories 1000,10000,100000] [--q 50000] [--repeats 3] [--out outputs/benchmarks]
 */
import { promises as fsp } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { Rng, Vault, type JottyState } from "../src/index.js";
import { checkLearnedState } from "../src/orchestration/learned-state.js";
import { printTable, writeResult } from "./report.js";
import { median, megabytes, syntheticQSnapshot, syntheticSnapshot, vocabulary } from "./synthetic.js";

const { values } = parseArgs({
  options: {
    memories: { type: "string", default: "1000,10000,100000" },
    q: { type: "string", default: "50000" },
    repeats: { type: "string", default: "3" },
    out: { type: "string", default: "outputs/benchmarks" },
  },
});
const sizes = values.memories.split(",").map(Number);
const qEntries = Number(values.q);
const repeats = Number(values.repeats);
if (sizes.some((size) => !Number.isInteger(size) || size < 1) || !Number.isInteger(qEntries) || !(repeats > 0)) {
  process.stderr.write("error: --memories, --q and --repeats take positive integers\n");
  process.exit(2);
}

const rng = new Rng(7);
const words = vocabulary(rng, 5000);
const qSnapshot = syntheticQSnapshot(rng, words, qEntries);
const rows: Array<Record<string, number | string>> = [];
const started = performance.now();
for (const size of sizes) {
  const memory = syntheticSnapshot(rng, words, size);
  const state: JottyState = {
    schemaVersion: 1,
    config: { name: "bench" },
    summary: { episodes: [] },
    sharedMemory: memory,
    localMemories: { analyst: syntheticSnapshot(rng, words, Math.ceil(size / 10)) },
    qPredictor: qSnapshot,
    brainState: { memory_learner: { schemaVersion: 1, baselines: {} } },
  };
  // What a Conductor adds before each save: every component checked against its snapshot schema.
  const checks: number[] = [];
  for (let repeat = 0; repeat < repeats; repeat += 1) {
    const begin = performance.now();
    checkLearnedState(state);
    checks.push(performance.now() - begin);
  }
  for (const compress of [false, true]) {
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), "jotty-vault-bench-"));
    try {
      const vault = await Vault.open({ dir, compress, keepRuns: 2 });
      const saves: number[] = [];
      const loads: number[] = [];
      for (let repeat = 0; repeat < repeats; repeat += 1) {
        let begin = performance.now();
        await vault.save(state);
        saves.push(performance.now() - begin);
        begin = performance.now();
        const loaded = await vault.loadLatest();
        loads.push(performance.now() - begin);
        if (loaded === null) throw new Error("nothing loaded");
      }
      const [latest] = await vault.runs();
      rows.push({
        memories: size,
        qEntries,
        codec: compress ? "gzip" : "plain",
        saveMs: Math.round(median(saves)),
        schemaCheckMs: Math.round(median(checks)),
        loadMs: Math.round(median(loads)),
        diskMb: megabytes(latest?.bytes ?? 0),
      });
      process.stdout.write(`measured ${size} memories, ${compress ? "gzip" : "plain"}\n`);
    } finally {
      await fsp.rm(dir, { recursive: true, force: true });
    }
  }
}

printTable(
  ["memories", "Q entries", "codec", "save ms", "load ms", "on disk MB", "Conductor's schema check ms"],
  rows.map((row) => [String(row.memories), String(row.qEntries), String(row.codec), String(row.saveMs), String(row.loadMs), String(row.diskMb), String(row.schemaCheckMs)]),
);
await writeResult(values.out, "vault-io", {
  description:
    "Vault.save and Vault.loadLatest (checksums verified, files decoded and parsed) for states holding a shared memory of the given size, a local memory a tenth of it, and a Q-table; median of repeats, on the machine's temporary folder; and the schema check a Conductor makes of every component before it saves",
  settings: { memories: sizes, qEntries, repeats, folder: os.tmpdir() },
  durationMs: Math.round(performance.now() - started),
  rows,
});
