import path from "node:path";
import { SingleBar } from "cli-progress";
import type { Command } from "commander";
import type { JottyConfig } from "../config/index.js";
import type { CliIo } from "./cli-io.js";
import { configFor, memoriesLine, numberFlag, percent, positiveInteger } from "./cli-options.js";
import { trainRun, type RunReport } from "../evaluation/index.js";

/** The model calls of evaluation and of the learning loops, where there were any. */
function modelUse(report: RunReport): string {
  const learning = report.metrics.llm.learning;
  const parts = [
    ...(report.evaluationLlmCalls > 0 ? [`${report.evaluationLlmCalls} in evaluation`] : []),
    ...(learning.calls + learning.skipped > 0 ? [`${learning.calls} by the learning loops, ${learning.failures} of them fell back to rules`] : []),
  ];
  return parts.length === 0 ? "" : ` (and ${parts.join("; ")})`;
}

/** Signals that stop a training run after its current episode, saving what it learned, and the exit code a second one quits with. */
const STOPPING_SIGNALS = { SIGINT: 130, SIGTERM: 143 } as const;

/** `jotty train` */
export function registerTrain(program: Command, io: CliIo): void {
  program
    .command("train")
    .description("train the team for one or more runs; each run loads what the previous saved (PERSISTENT mode)")
    .option("-c, --config <file>", "experiment config", "configs/default.json")
    .option("-r, --runs <n>", "runs (each is one lifetime of the Conductor)", positiveInteger("--runs"), 1)
    .option("-e, --episodes <m>", "episodes a run (the config's by default)", positiveInteger("--episodes"))
    .option("-m, --mode <mode>", "disabled | contextual | persistent (the config's by default)")
    .option("-o, --output <dir>", "output folder (the config's by default)")
    .option("-s, --seed <s>", "seed (the config's by default)", numberFlag("--seed", { integer: true, min: 0 }))
    .option("-t, --tasks <file>", "JSONL of SQL-analyst tasks to use instead of the built-in ones")
    .option("--json", "one JSON object per run on standard output")
    .action(async (options: { config: string; runs: number; episodes?: number; mode?: string; output?: string; seed?: number; tasks?: string; json?: boolean }) => {
      const config = await configFor(options);
      const episodes = options.episodes ?? config.training.episodes;
      const fancy = options.json !== true && process.stdout.isTTY === true && io.tty === true;
      // Ctrl-C or SIGTERM stops after the current episode and saves what was learned; a second one quits at once.
      const stop = new AbortController();
      const onSignal = (signal: keyof typeof STOPPING_SIGNALS): void => {
        if (stop.signal.aborted) process.exit(STOPPING_SIGNALS[signal]);
        stop.abort();
        io.stderr(`\n${signal}: stopping after this episode and saving what was learned (${signal} again quits at once).\n`);
      };
      // A reader that went away (`| head -1`) stops the run the same way, quietly.
      const onOutputClosed = (): void => stop.abort();
      io.outputClosed?.addEventListener("abort", onOutputClosed);
      const listeners = Object.keys(STOPPING_SIGNALS).map((signal) => [signal, () => onSignal(signal as keyof typeof STOPPING_SIGNALS)] as const);
      for (const [signal, listener] of listeners) process.on(signal, listener);
      try {
        await trainRuns(options, config, episodes, fancy, io, stop.signal);
      } finally {
        for (const [signal, listener] of listeners) process.off(signal, listener);
        io.outputClosed?.removeEventListener("abort", onOutputClosed);
      }
    });
}

async function trainRuns(options: { runs: number; json?: boolean }, config: JottyConfig, episodes: number, fancy: boolean, io: CliIo, signal: AbortSignal): Promise<void> {
  const text = options.json !== true;
  for (let run = 1; run <= options.runs && !signal.aborted; run += 1) {
    let bar: SingleBar | undefined;
    let wins = 0;
    const report = await trainRun({
      config,
      run,
      episodes,
      signal,
      onWarning: (warning) => io.stderr(`warning: ${warning}\n`),
      onStart: ({ loadedFrom, memories, qEntries }) => {
        if (!text) return;
        io.stdout(
          `Run ${run}/${options.runs} (${config.learningMode}, ${config.environment.name}): ${
            loadedFrom === null ? "starting fresh" : `loaded state from ${loadedFrom}: ${memories} memories, ${qEntries} Q entries`
          }\n`,
        );
        if (fancy) {
          bar = new SingleBar({ format: "  {bar} {value}/{total} episodes | success {rate}", hideCursor: true });
          bar.start(episodes, 0, { rate: "0%" });
        }
      },
      onEpisode: (result, index) => {
        if (result.success) wins += 1;
        if (!text) return;
        const rate = percent(wins / (index + 1));
        if (bar !== undefined) bar.update(index + 1, { rate });
        else if ((index + 1) % 10 === 0 || index + 1 === episodes) io.stdout(`  episode ${index + 1}/${episodes}: success so far ${rate}\n`);
      },
      onSave: ({ run: saved, episodes: done, learned }) => {
        if (text && bar === undefined) io.stdout(`  saved after episode ${done} (${learned} learned in all) to ${path.join(config.outputDir, saved)}\n`);
      },
    });
    bar?.stop();
    if (!text) {
      const { curve: _curve, loaded: _loaded, ...summary } = report;
      io.stdout(`${JSON.stringify({ ...summary, savedTo: report.savedTo === null ? null : path.join(config.outputDir, report.savedTo) })}\n`);
      continue;
    }
    io.stdout(
      [
        ...(report.episodes < episodes ? [`Run ${run} stopped after ${report.episodes} of ${episodes} episodes.`] : []),
        `Run ${run}: success ${percent(report.successRate)} in training, ${percent(report.heldOutSuccessRate)} on held-out tasks, ${report.avgSteps.toFixed(1)} steps on average, ${report.llmCalls} LLM calls${modelUse(report)}`,
        `  memories: ${memoriesLine(report.memories)}; Q entries ${report.qEntries}`,
        `  cache hits ${percent(report.metrics.cache.hitRate)}; retrieve p50 ${report.metrics.latency.retrieve.p50.toFixed(2)} ms, p95 ${report.metrics.latency.retrieve.p95.toFixed(2)} ms`,
        `  ${report.savedTo === null ? `not saved (${config.learningMode} mode)` : `saved to ${path.join(config.outputDir, report.savedTo)}`}`,
        "",
      ].join("\n"),
    );
  }
}
