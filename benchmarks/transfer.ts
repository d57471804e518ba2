/**
 * Transfer to unseen wordings on the tool router: held-out success per run (the held-out
 * requests use wordings never trained on) for the default case-based Q estimates, the
 * kernel estimates, a tabular learner and, as references, chance and a supervised
 * 1-nearest-neighbour classifier given every training label on the same embedder (the
 * ceiling of what the embedding supports). Pooled over seeds, with 95% Wilson intervals.
 *
 * Usage: npm run bench:transfer -- [--runs 3] [--episodes 60] [--seeds 3] [--out outputs/benchmarks]
 */
import { promises as fsp } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { trainRun } from "../src/evaluation/index.js";
import { HashingEmbedder, loadConfig, nearestNeighbourReference, parseConfig, ToolRouter, wilsonInterval } from "../src/index.js";
import { printTable, writeResult } from "./report.js";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "3" },
    episodes: { type: "string", default: "60" },
    seeds: { type: "string", default: "3" },
    out: { type: "string", default: "outputs/benchmarks" },
  },
});
const runs = Number(values.runs);
const episodes = Number(values.episodes);
const seeds = Number(values.seeds);
const started = performance.now();
const router = new ToolRouter();
const heldOut = router.tasks("heldOut");
const base = await loadConfig("configs/tool-router.json");

const arms: Record<string, Record<string, unknown>> = {
  "cases (default)": {},
  kernel: { estimator: "kernel" },
  tabular: { similarity: false },
};

interface ArmRun {
  arm: string;
  run: number;
  heldOut: number;
  low: number;
  high: number;
  training: number;
}

const results: ArmRun[] = [];
for (const [arm, qPredictor] of Object.entries(arms)) {
  const rates: number[][] = Array.from({ length: runs }, () => []);
  const training: number[][] = Array.from({ length: runs }, () => []);
  for (let seed = 0; seed < seeds; seed += 1) {
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), "jotty-transfer-"));
    try {
      const config = parseConfig({ ...base, seed: base.seed + seed, learningMode: "persistent", outputDir: dir, qPredictor: { ...base.qPredictor, ...qPredictor } });
      for (let run = 1; run <= runs; run += 1) {
        const report = await trainRun({ config, run, episodes, heldOutLimit: heldOut.length });
        rates[run - 1]?.push(report.heldOutSuccessRate);
        training[run - 1]?.push(report.successRate);
      }
    } finally {
      await fsp.rm(dir, { recursive: true, force: true });
    }
  }
  rates.forEach((perSeed, index) => {
    const successes = Math.round(perSeed.reduce((total, rate) => total + rate * heldOut.length, 0));
    const { low, high } = wilsonInterval({ successes, trials: perSeed.length * heldOut.length });
    const mean = (list: number[]) => list.reduce((total, value) => total + value, 0) / list.length;
    results.push({ arm, run: index + 1, heldOut: mean(perSeed), low, high, training: mean(training[index] as number[]) });
  });
}
const ceiling = (await nearestNeighbourReference({ environment: router, train: router.tasks("train"), heldOut, embedder: new HashingEmbedder() })).successRate;
const chance = 1 / router.tools().length;
const percent = (value: number) => `${Math.round(value * 100)}%`;
printTable(
  ["arm", "run", "training success", "held-out (unseen wordings)", "95% interval", "of 1-NN"],
  [
    ...results.map((item) => [item.arm, String(item.run), percent(item.training), percent(item.heldOut), `${percent(item.low)}–${percent(item.high)}`, `${Math.round((item.heldOut / ceiling) * 100)}%`]),
    ["random (reference)", "–", "–", percent(chance), "–", `${Math.round((chance / ceiling) * 100)}%`],
    ["1-NN, given the labels (reference)", "–", "–", percent(ceiling), "–", "100%"],
  ],
);
await writeResult(values.out as string, "transfer", {
  description: "tool-router held-out success on unseen wordings per run, pooled over seeds, against chance and a label-given 1-nearest-neighbour classifier on the same embedder",
  settings: { runs, episodes, seeds, heldOut: heldOut.length },
  durationMs: performance.now() - started,
  results,
  references: { chance, nearestNeighbour: ceiling },
});
