import path from "node:path";
import type { Command } from "commander";
import fs from "fs-extra";
import type { CliIo } from "./cli-io.js";
import { rolling } from "./cli-options.js";
import { CONFIG_DEFAULTS } from "../config/index.js";
import { svgLineChart } from "../reporting/index.js";
import { latestState } from "./vault-access.js";
import { errorMessage } from "../errors/index.js";

/** `jotty report` */
export function registerReport(program: Command, io: CliIo): void {
  program
    .command("report")
    .description("learning curves across every saved run, as an HTML page")
    .argument("[dir]", "output folder", CONFIG_DEFAULTS.outputDir)
    .option("--out <file>", "where the page goes (report.html in the folder by default)")
    .option("--key-env <var>", "environment variable holding the passphrase of an encrypted folder")
    .action(async (dir: string, options: { out?: string; keyEnv?: string }) => {
      const { vault } = await latestState(io, dir, options.keyEnv);
      const runs: string[] = [];
      const successes: number[] = [];
      const rewards: number[] = [];
      for (const run of (await vault.runs()).filter((info) => info.complete).reverse()) {
        // A run that does not load is left out of the curves, with a warning (its problem is told).
        const state = await vault.load(run.name).then(
          (loaded) => loaded.state,
          (error: unknown) => {
            io.stderr(`warning: left out of the report: ${errorMessage(error)}\n`);
            return undefined;
          },
        );
        if (state === undefined) continue;
        runs.push(run.name);
        for (const episode of ((state.summary as { episodes?: Array<{ success?: boolean; reward?: number }> } | undefined)?.episodes ?? [])) {
          successes.push(episode.success === true ? 1 : 0);
          rewards.push(episode.reward ?? 0);
        }
      }
      const points = (values: number[]): Array<{ x: number; y: number }> => rolling(values, 10).map((y, x) => ({ x: x + 1, y }));
      const low = Math.min(0, ...rewards);
      const high = Math.max(1, ...rewards);
      const svg = svgLineChart({
        title: `${runs.length} runs, ${successes.length} episodes (rolling 10)`,
        xRange: [1, Math.max(2, successes.length)],
        yRange: [low, high],
        panels: [
          { title: "success rate", xLabel: "episode", yLabel: "value", series: [{ label: "success", points: points(successes) }] },
          { title: "reward", xLabel: "episode", yLabel: "value", series: [{ label: "reward", points: points(rewards) }] },
        ],
      });
      const file = options.out ?? path.join(dir, "report.html");
      await fs.outputFile(file, `<!doctype html><html><head><meta charset="utf-8"><title>Jotty report</title></head><body style="font-family:sans-serif"><h1>Learning across runs</h1><p>${runs.join(", ")}</p>${svg}</body></html>\n`);
      io.stdout(`wrote ${file} (${runs.length} runs, ${successes.length} episodes)\n`);
    });
}
