/**
 * What keeping checkpoints costs a step: a PERSISTENT Conductor (every node's checkpoint and
 * writes appended to the thread's log in the Vault, durability "sync") against a CONTEXTUAL
 * one (no checkpoints), the same team, environment and seed, per environment step. Each is
 * measured `--repeats` times, interleaved so that machine noise hits both alike, and the
 * median is reported.
 *
 * Usage: npm run bench:checkpoints -- [--episodes 20] [--repeats 5] [--out outputs/benchmarks]
 */
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import fs from "fs-extra";
import { Conductor, HashingEmbedder } from "../src/index.js";
import { printTable, writeResult } from "./report.js";
import { median } from "./synthetic.js";

const { values } = parseArgs({
  options: {
    episodes: { type: "string", default: "20" },
    repeats: { type: "string", default: "5" },
    out: { type: "string", default: "outputs/benchmarks" },
  },
});
const episodes = Number(values.episodes);
const repeats = Number(values.repeats);
if (![episodes, repeats].every((count) => Number.isInteger(count) && count >= 1)) {
  process.stderr.write("error: --episodes and --repeats take positive whole numbers\n");
  process.exit(2);
}

const MAX_STEPS = 60;
const WARM_UP = 5;
const MODES = ["contextual", "persistent"] as const;
const embedder = new HashingEmbedder();

/** Milliseconds a step of `episodes` episodes after a warm-up, in a Conductor of its own on a fresh folder. */
async function stepMs(mode: (typeof MODES)[number]): Promise<number> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "jotty-checkpoint-cost-"));
  try {
    const conductor = await Conductor.create({
      config: {
        learningMode: mode,
        outputDir: dir,
        seed: 3,
        environment: { name: "cliff-walking", options: { maxSteps: MAX_STEPS } },
        learning: { alpha: 0.5, gamma: 1, epsilon: { kind: "constant", value: 0.1 } },
        training: { maxStepsPerEpisode: MAX_STEPS, saveEvery: 1000 },
      },
      embedder,
    });
    for (let episode = 0; episode < WARM_UP; episode += 1) await conductor.run();
    let steps = 0;
    const begin = performance.now();
    for (let episode = 0; episode < episodes; episode += 1) steps += (await conductor.run()).steps;
    const ms = (performance.now() - begin) / steps;
    await conductor.close();
    return ms;
  } finally {
    await fs.remove(dir);
  }
}

const started = performance.now();
await stepMs("persistent"); // warm up the JIT on both paths
await stepMs("contextual");
const samples: Record<(typeof MODES)[number], number[]> = { contextual: [], persistent: [] };
for (let repeat = 0; repeat < repeats; repeat += 1) for (const mode of MODES) samples[mode].push(await stepMs(mode));
const contextual = median(samples.contextual);
const rows = MODES.map((mode) => ({ mode, msPerStep: Number(median(samples[mode]).toFixed(3)), ratio: Number((median(samples[mode]) / contextual).toFixed(2)) }));
printTable(
  ["mode", "ms/step", "ratio"],
  rows.map((row) => [row.mode, String(row.msPerStep), `${row.ratio}×`]),
);
await writeResult(values.out, "checkpoint-cost", {
  description:
    "Median over repeats of milliseconds per environment step of a PERSISTENT Conductor (checkpoints appended to the Vault every node, durability sync) against a CONTEXTUAL one (no checkpoints): one PolicyActor on cliff walking, after a warm-up",
  settings: { episodes, repeats, warmUp: WARM_UP, maxSteps: MAX_STEPS },
  durationMs: Math.round(performance.now() - started),
  rows,
});
