import path from "node:path";
import type { Command } from "commander";
import fs from "fs-extra";
import { parseConfig } from "../config/index.js";
import type { CliIo } from "./cli-io.js";
import { assertFolderPath, configFor, MODES, percent, positiveInteger, rolling } from "./cli-options.js";
import { svgLineChart } from "./svg-line-chart.js";
import { trainRun, type RunReport } from "./training.js";

// Two-sided 95% critical values of Student's t for 1–30 degrees of freedom: with a few
// seeds, the normal 1.96 would make the intervals far too narrow.
const T95 = [12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228, 2.201, 2.179, 2.16, 2.145, 2.131, 2.12, 2.11, 2.101, 2.093, 2.086, 2.08, 2.074, 2.069, 2.064, 2.06, 2.056, 2.052, 2.048, 2.045, 2.042];

/** Mean and the half-width of its 95% confidence interval (Student's t; 0 for one value). */
export function meanAndInterval(values: readonly number[]): { mean: number; halfWidth: number } {
  const mean = values.reduce((total, value) => total + value, 0) / values.length;
  if (values.length < 2) return { mean, halfWidth: 0 };
  const variance = values.reduce((total, value) => total + (value - mean) ** 2, 0) / (values.length - 1);
  const df = values.length - 1;
  const t = T95[df - 1] ?? (df <= 60 ? 2.0 : df <= 120 ? 1.98 : 1.96);
  return { mean, halfWidth: (t * Math.sqrt(variance)) / Math.sqrt(values.length) };
}

/** `jotty benchmark modes` */
export function registerBenchmark(program: Command, io: CliIo): void {
  const benchmark = program.command("benchmark").description("compare what the learning modes buy");
  benchmark
    .command("modes")
    .description("the same tasks and seeds under DISABLED, CONTEXTUAL and PERSISTENT, R runs each")
    .option("-c, --config <file>", "experiment config", "configs/default.json")
    .option("-r, --runs <n>", "runs per mode", positiveInteger("--runs"), 3)
    .option("-e, --episodes <m>", "episodes a run (the config's by default)", positiveInteger("--episodes"))
    .option("-k, --seeds <k>", "seeds per mode, for confidence intervals", positiveInteger("--seeds"), 3)
    .option("-o, --output <dir>", "where the report goes", "outputs/benchmarks")
    .option("--held-out <n>", "held-out tasks evaluated per run", positiveInteger("--held-out"), 42)
    .option("--json", "print the results as JSON")
    .action(async (options: { config: string; runs: number; episodes?: number; seeds: number; output: string; heldOut: number; json?: boolean }) => {
      await assertFolderPath(options.output, "--output");
      const base = await configFor({ config: options.config });
      const episodes = options.episodes ?? base.training.episodes;
      const results: Record<string, RunReport[][]> = {};
      for (const mode of MODES) {
        results[mode] = [];
        for (let seedIndex = 0; seedIndex < options.seeds; seedIndex += 1) {
          const folder = path.join(options.output, "modes", `${mode}-seed${seedIndex}`);
          await fs.remove(folder);
          const config = parseConfig({ ...base, learningMode: mode, seed: base.seed + seedIndex * 1000, outputDir: folder });
          const runs: RunReport[] = [];
          for (let run = 1; run <= options.runs; run += 1) {
            runs.push(await trainRun({ config, run, episodes, heldOutLimit: options.heldOut, measureStart: true }));
          }
          (results[mode] as RunReport[][]).push(runs);
          if (options.json !== true) io.stdout(`  ${mode}, seed ${seedIndex + 1}/${options.seeds}: held-out ${runs.map((report) => percent(report.heldOutSuccessRate)).join(" → ")}\n`);
        }
      }
      const table = MODES.map((mode) => ({
        mode,
        runs: Array.from({ length: options.runs }, (_, run) => {
          const end = meanAndInterval((results[mode] as RunReport[][]).map((runs) => (runs[run] as RunReport).heldOutSuccessRate));
          const start = meanAndInterval((results[mode] as RunReport[][]).map((runs) => (runs[run] as RunReport).heldOutAtStart ?? 0));
          return { run: run + 1, heldOutAtStart: start.mean, heldOut: end.mean, interval95: end.halfWidth };
        }),
      }));
      const summary = { benchmark: "learning-modes", config: options.config, runs: options.runs, episodes, seeds: options.seeds, heldOutTasks: options.heldOut, modes: table };
      await fs.ensureDir(options.output);
      await fs.writeJson(path.join(options.output, "learning-modes.json"), { ...summary, curves: Object.fromEntries(MODES.map((mode) => [mode, (results[mode] as RunReport[][]).map((runs) => runs.map((report) => report.curve))])) }, { spaces: 2 });
      const curves = MODES.map((mode) => {
        const perSeed = (results[mode] as RunReport[][]).map((runs) => runs.flatMap((report) => report.curve));
        const length = Math.min(...perSeed.map((curve) => curve.length));
        const mean = Array.from({ length }, (_, index) => perSeed.reduce((total, curve) => total + (curve[index] ?? 0), 0) / perSeed.length);
        return { label: mode, points: rolling(mean, 10).map((y, x) => ({ x: x + 1, y })) };
      });
      const svg = svgLineChart({
        title: `Training success by episode (rolling 10; runs of ${episodes} episodes back to back)`,
        xRange: [1, Math.max(2, options.runs * episodes)],
        yRange: [0, 1],
        panels: [{ title: "success rate", xLabel: "episode", yLabel: "success", series: curves }],
      });
      const rows = table
        .flatMap((entry) => entry.runs.map((run) => `<tr><td>${entry.mode}</td><td>${run.run}</td><td>${percent(run.heldOutAtStart)}</td><td>${percent(run.heldOut)} ± ${percent(run.interval95)}</td></tr>`))
        .join("\n");
      await fs.writeFile(
        path.join(options.output, "learning-modes.html"),
        `<!doctype html><html><head><meta charset="utf-8"><title>Jotty learning modes</title><style>body{font-family:sans-serif;margin:2em}td,th{padding:4px 12px;text-align:right}</style></head><body><h1>Learning modes</h1><p>${options.seeds} seeds, ${options.runs} runs of ${episodes} episodes, ${options.heldOut} held-out tasks; 95% intervals over seeds.</p><table><tr><th>mode</th><th>run</th><th>held-out at start</th><th>held-out at end</th></tr>${rows}</table>${svg}</body></html>\n`,
      );
      if (options.json === true) {
        io.stdout(`${JSON.stringify(summary)}\n`);
        return;
      }
      const lines = ["", "held-out success at the end of each run (at its start), mean ± 95% interval over seeds", ""];
      for (const entry of table) {
        for (const run of entry.runs) {
          const bar = "█".repeat(Math.round(run.heldOut * 30)).padEnd(30, "·");
          lines.push(`${entry.mode.padEnd(11)} run ${run.run}  ${bar} ${percent(run.heldOut).padStart(4)} ± ${percent(run.interval95).padStart(4)}  (start ${percent(run.heldOutAtStart)})`);
        }
      }
      lines.push("", `wrote ${path.join(options.output, "learning-modes.html")} and learning-modes.json`, "");
      io.stdout(lines.join("\n"));
    });
}

