import path from "node:path";
import type { Command } from "commander";
import fs from "fs-extra";
import type { CliIo } from "./cli-io.js";
import { assertFolderPath, configFor, percent, positiveInteger, rolling } from "./cli-options.js";
import { ARMS, runModesBenchmark, type Arm, type ModesBenchmarkResult } from "./modes-benchmark.js";
import { svgLineChart, type ChartSeries } from "../reporting/index.js";


/** The mean over seeds of curves sampled at the same episodes. */
function meanCurve(curves: ReadonlyArray<ReadonlyArray<{ episode: number; successRate: number }>>): Array<{ x: number; y: number }> {
  const length = Math.min(...curves.map((curve) => curve.length));
  return Array.from({ length }, (_, index) => ({
    x: (curves[0]?.[index] as { episode: number }).episode,
    y: curves.reduce((total, curve) => total + (curve[index]?.successRate ?? 0), 0) / curves.length,
  }));
}

function html(result: ModesBenchmarkResult, config: string): string {
  const total = result.runs * result.episodes;
  const heldOut: ChartSeries[] = ARMS.map((arm) => ({ label: arm, points: meanCurve(result.heldOutCurves[arm]) }));
  if (result.reference !== null) heldOut.push({ label: "1-NN given the labels", points: [{ x: 0, y: result.reference.successRate }, { x: total, y: result.reference.successRate }] });
  const training: ChartSeries[] = ARMS.map((arm) => {
    const perSeed = result.trainingCurves[arm];
    const length = Math.min(...perSeed.map((curve) => curve.length));
    const mean = Array.from({ length }, (_, index) => perSeed.reduce((sum, curve) => sum + (curve[index] ?? 0), 0) / perSeed.length);
    return { label: arm, points: rolling(mean, 10).map((y, x) => ({ x: x + 1, y })) };
  });
  const svg = svgLineChart({
    title: `Learning curves (runs of ${result.episodes} episodes back to back; mean of ${result.seeds} seeds)`,
    xRange: [0, Math.max(2, total)],
    yRange: [0, 1],
    panels: [
      { title: "held-out success (unseen tasks)", xLabel: "training episodes", yLabel: "success", series: heldOut },
      { title: "training success (rolling 10)", xLabel: "episode", yLabel: "success", series: training },
    ],
  });
  const rows = result.modes
    .flatMap((entry) => entry.runs.map((run) => `<tr><td>${entry.mode}</td><td>${run.run}</td><td>${percent(run.heldOutAtStart)}</td><td>${percent(run.heldOut)} ± ${percent(run.interval95)}</td></tr>`))
    .join("\n");
  const reached = result.modes.map((entry) => `<tr><td>${entry.mode}</td><td>${toTarget(entry.episodesToTarget)}</td></tr>`).join("\n");
  const gain = result.gain.map((item) => `<tr><td>${item.run}</td><td>${signed(item.mean)} ± ${percent(item.interval95)}</td></tr>`).join("\n");
  const reference = result.reference === null ? "no answer key: no supervised reference" : `1-NN given every training label (${result.reference.labelled} decisions): ${percent(result.reference.successRate)}`;
  return `<!doctype html><html><head><meta charset="utf-8"><title>Jotty learning modes</title><style>body{font-family:sans-serif;margin:2em}td,th{padding:4px 12px;text-align:right}</style></head><body><h1>Learning modes</h1><p>${config}: ${result.seeds} seeds, ${result.runs} runs of ${result.episodes} episodes, ${result.heldOutTasks} held-out tasks; 95% intervals over seeds. Reference: ${reference}.</p><table><tr><th>arm</th><th>run</th><th>held-out at start</th><th>held-out at end</th></tr>${rows}</table><h2>Episodes to ${percent(result.target)} held-out</h2><table><tr><th>arm</th><th>episodes (per seed)</th></tr>${reached}</table><h2>Stateful minus stateless (PERSISTENT − DISABLED)</h2><table><tr><th>run</th><th>held-out gain</th></tr>${gain}</table>${svg}</body></html>\n`;
}

function signed(value: number): string {
  return `${value >= 0 ? "+" : "−"}${percent(Math.abs(value))}`;
}

function toTarget(episodes: ReadonlyArray<number | null>): string {
  return episodes.map((value) => (value === null ? "not reached" : String(value))).join(", ");
}

/** `jotty benchmark modes` */
export function registerBenchmark(program: Command, io: CliIo): void {
  const benchmark = program.command("benchmark").description("compare what the learning modes buy");
  benchmark
    .command("modes")
    .description("the same tasks and seeds under PERSISTENT, CONTEXTUAL, DISABLED and a tabular learner, against a supervised 1-NN reference")
    .option("-c, --config <file>", "experiment config", "configs/default.json")
    .option("-r, --runs <n>", "runs per arm", positiveInteger("--runs"), 3)
    .option("-e, --episodes <m>", "episodes a run (the config's by default)", positiveInteger("--episodes"))
    .option("-k, --seeds <k>", "seeds per arm, for confidence intervals", positiveInteger("--seeds"), 3)
    .option("-o, --output <dir>", "where the report goes", "outputs/benchmarks")
    .option("--held-out <n>", "held-out tasks evaluated per run", positiveInteger("--held-out"), 42)
    .option("--evaluate-every <n>", "evaluate the held-out tasks every n training episodes, for the curves and episodes to 80%", positiveInteger("--evaluate-every"), 10)
    .option("--json", "print the results as JSON")
    .action(async (options: { config: string; runs: number; episodes?: number; seeds: number; output: string; heldOut: number; evaluateEvery: number; json?: boolean }) => {
      await assertFolderPath(options.output, "--output");
      const base = await configFor({ config: options.config });
      const episodes = options.episodes ?? base.training.episodes;
      const result = await runModesBenchmark({
        base,
        runs: options.runs,
        episodes,
        seeds: options.seeds,
        heldOut: options.heldOut,
        evaluateEvery: options.evaluateEvery,
        output: options.output,
        onSeed: (arm: Arm, seed, reports) => {
          if (options.json !== true) io.stdout(`  ${arm}, seed ${seed + 1}/${options.seeds}: held-out ${reports.map((report) => percent(report.heldOutSuccessRate)).join(" → ")}\n`);
        },
      });
      const { heldOutCurves, trainingCurves, ...summary } = result;
      await fs.ensureDir(options.output);
      await fs.writeJson(path.join(options.output, "learning-modes.json"), { benchmark: "learning-modes", config: options.config, ...summary, heldOutCurves, trainingCurves }, { spaces: 2 });
      await fs.writeFile(path.join(options.output, "learning-modes.html"), html(result, options.config));
      if (options.json === true) {
        io.stdout(`${JSON.stringify({ benchmark: "learning-modes", config: options.config, ...summary })}\n`);
        return;
      }
      const lines = ["", "held-out success at the end of each run (at its start), mean ± 95% interval over seeds", ""];
      for (const entry of result.modes) {
        for (const run of entry.runs) {
          const bar = "█".repeat(Math.round(run.heldOut * 30)).padEnd(30, "·");
          lines.push(`${entry.mode.padEnd(11)} run ${run.run}  ${bar} ${percent(run.heldOut).padStart(4)} ± ${percent(run.interval95).padStart(4)}  (start ${percent(run.heldOutAtStart)})`);
        }
      }
      if (result.reference !== null) lines.push(`${"1-NN".padEnd(11)}        ${"█".repeat(Math.round(result.reference.successRate * 30)).padEnd(30, "·")} ${percent(result.reference.successRate).padStart(4)}  (given every training label: the ceiling of the embedding)`);
      if (base.qPredictor.similarity === false) lines.push("", "This config values actions without similarity already: its persistent and tabular arms are the same learner.");
      lines.push("", `training episodes to ${percent(result.target)} held-out, per seed:`);
      for (const entry of result.modes) lines.push(`  ${entry.mode.padEnd(11)} ${toTarget(entry.episodesToTarget)}`);
      lines.push("", "PERSISTENT − DISABLED held-out, by run: " + result.gain.map((item) => `${signed(item.mean)} ± ${percent(item.interval95)}`).join(", "));
      lines.push("", `wrote ${path.join(options.output, "learning-modes.html")} and learning-modes.json`, "");
      io.stdout(lines.join("\n"));
    });
}
