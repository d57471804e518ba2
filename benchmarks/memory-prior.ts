/**
 * What the memory prior of policy actors changes in the main job: two runs of `npm start`
 * (configs/default.json, 80 episodes each) with `conductor.memoryPrior` at its default and
 * at 0, then the actors' local memories: how many learned a value, and the mean value of the
 * memories of successful choices (they start at 0.70).
 *
 * Usage: npm run bench:memory-prior -- [--episodes 80] [--out outputs/benchmarks]
 */
import { promises as fsp } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { trainRun } from "../src/evaluation/index.js";
import { loadConfig, parseConfig, Vault } from "../src/index.js";
import { printTable, writeResult } from "./report.js";

const { values } = parseArgs({ options: { episodes: { type: "string", default: "80" }, out: { type: "string", default: "outputs/benchmarks" } } });
const episodes = Number(values.episodes);
const base = await loadConfig("configs/default.json");
const started = performance.now();

interface Arm {
  memoryPrior: number;
  heldOut: number[];
  training: number[];
  localMemories: number;
  learned: number;
  successValue: number;
}

const arms: Arm[] = [];
for (const memoryPrior of [base.conductor.memoryPrior, 0]) {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), "jotty-memory-prior-"));
  try {
    const config = parseConfig({ ...base, outputDir: dir, conductor: { ...base.conductor, memoryPrior } });
    const heldOut: number[] = [];
    const training: number[] = [];
    for (let run = 1; run <= 2; run += 1) {
      const report = await trainRun({ config, run, episodes });
      heldOut.push(report.heldOutSuccessRate);
      training.push(report.successRate);
    }
    const loaded = await (await Vault.open({ dir })).loadLatest();
    const entries = Object.values(loaded?.state.localMemories ?? {}).flatMap((snapshot) => (snapshot as { entries: Array<{ kind: string; values: Record<string, { value: number; visits: number }> }> }).entries);
    const successValues = entries.filter((entry) => entry.kind === "success").flatMap((entry) => Object.values(entry.values).map((goal) => goal.value));
    arms.push({
      memoryPrior,
      heldOut,
      training,
      localMemories: entries.length,
      learned: entries.filter((entry) => Object.values(entry.values).some((goal) => goal.visits > 0)).length,
      successValue: successValues.reduce((total, value) => total + value, 0) / Math.max(1, successValues.length),
    });
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}
const percent = (value: number) => `${Math.round(value * 100)}%`;
printTable(
  ["memoryPrior", "training success, runs 1 / 2", "held-out, runs 1 / 2", "local memories", "with a learned value", "mean value of success memories"],
  arms.map((arm) => [String(arm.memoryPrior), arm.training.map(percent).join(" / "), arm.heldOut.map(percent).join(" / "), String(arm.localMemories), String(arm.learned), arm.successValue.toFixed(2)]),
);
await writeResult(values.out as string, "memory-prior", {
  description: "the main job with and without the policy actors' memory prior: outcomes and how many local memory values were learned",
  settings: { episodes, runs: 2 },
  durationMs: performance.now() - started,
  results: arms,
});
