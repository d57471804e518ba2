/**
 * How fast an output folder grows: R runs of `jotty train` (the main job, configs/default.json)
 * into one folder, each loading what the one before saved. After each run: the newest run
 * folder's size and its growth over the previous run's, the experience file's, and within it
 * the playbooks' (the learning loops' versioned strategies) and the trajectories kept.
 *
 * Usage: npm run bench:growth -- [--runs 6] [--episodes 60] [--config configs/default.json] [--out outputs/benchmarks]
 */
import { promises as fsp } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { loadConfig, parseConfig, Vault } from "../src/index.js";
import { trainRun } from "../src/evaluation/index.js";
import { printTable, writeResult } from "./report.js";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "6" },
    episodes: { type: "string", default: "60" },
    config: { type: "string", default: "configs/default.json" },
    out: { type: "string", default: "outputs/benchmarks" },
  },
});
const runs = Number(values.runs);
const episodes = Number(values.episodes);
if (!Number.isInteger(runs) || runs < 1 || !Number.isInteger(episodes) || episodes < 1) {
  process.stderr.write("error: --runs and --episodes take positive integers\n");
  process.exit(2);
}

const dir = await fsp.mkdtemp(path.join(os.tmpdir(), "jotty-growth-"));
const started = performance.now();
const rows: Array<Record<string, number>> = [];
try {
  const config = parseConfig({ ...(await loadConfig(values.config)), outputDir: dir });
  const vault = await Vault.open({ dir });
  let previous: number | null = null;
  for (let run = 1; run <= runs; run += 1) {
    await trainRun({ config, run, episodes });
    const [newest] = (await vault.runs()).filter((info) => info.complete);
    if (newest === undefined) throw new Error("no run was saved");
    const experienceFile = path.join(dir, newest.name, "jotty_state", "experience", "experience.json");
    const experienceBytes = (await fsp.stat(experienceFile)).size;
    const experience = JSON.parse(await fsp.readFile(experienceFile, "utf8")) as { playbooks: unknown; trajectories: unknown[] };
    rows.push({
      run,
      runBytes: newest.bytes,
      growthBytes: previous === null ? 0 : newest.bytes - previous,
      experienceBytes,
      playbookBytes: JSON.stringify(experience.playbooks).length,
      trajectories: experience.trajectories.length,
    });
    previous = newest.bytes;
    process.stdout.write(`run ${run}/${runs} saved ${newest.name}\n`);
  }
} finally {
  await fsp.rm(dir, { recursive: true, force: true });
}

const kib = (bytes: number): string => (bytes / 1024).toFixed(0);
printTable(
  ["run", "run folder KiB", "growth KiB", "experience KiB", "playbooks KiB", "trajectories"],
  rows.map((row) => [String(row.run), kib(row.runBytes as number), row.run === 1 ? "–" : kib(row.growthBytes as number), kib(row.experienceBytes as number), kib(row.playbookBytes as number), String(row.trajectories)]),
);
await writeResult(values.out, "vault-growth", {
  description: "Size of the newest run folder after each of R runs of the main job into one output folder, its growth over the run before, and the experience file and its playbooks within it",
  settings: { runs, episodes, config: values.config },
  durationMs: Math.round(performance.now() - started),
  rows,
});
