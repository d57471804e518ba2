import type { Command } from "commander";
import { CONFIG_DEFAULTS, LearningSchema, QPredictorSchema } from "../config/index.js";
import { JottyError } from "../errors/index.js";
import { Experience } from "../experience/index.js";
import { DecisionEvidence } from "../knowledge/index.js";
import { QPredictor, qPredictorOptionsFromConfig, type QPredictorRestoreOptions } from "../learning/index.js";
import { HierarchicalMemory } from "../memory/index.js";
import type { ConductorMetrics } from "../orchestration/index.js";
import type { CliIo } from "./cli-io.js";
import { memoriesLine, percent } from "./cli-options.js";
import { formatMetrics } from "./format-metrics.js";
import { latestState, memorySnapshots } from "./vault-access.js";

/**
 * The Q-predictor settings the run was configured with, from its config snapshot (calibration
 * reads values against its reward range); the defaults when the snapshot does not parse.
 */
function runQSettings(config: Record<string, unknown> | undefined): QPredictorRestoreOptions {
  const learning = LearningSchema.safeParse(config?.learning ?? {});
  const qPredictor = QPredictorSchema.safeParse(config?.qPredictor ?? {});
  return learning.success && qPredictor.success ? qPredictorOptionsFromConfig({ learning: learning.data, qPredictor: qPredictor.data }) : {};
}

/** `jotty inspect` */
export function registerInspect(program: Command, io: CliIo): void {
  program
    .command("inspect")
    .description("what a folder's newest run holds: memories, Q entries, lessons, playbook strategies")
    .argument("[dir]", "output folder", CONFIG_DEFAULTS.outputDir)
    .option("--key-env <var>", "environment variable holding the passphrase of an encrypted folder")
    .option("--metrics", "the metrics the newest run recorded: latency percentiles, cache hit rates, counts, model use and cost, size on disk")
    .option("--json", "with --metrics: print them as JSON")
    .action(async (dir: string, options: { keyEnv?: string; metrics?: boolean; json?: boolean }) => {
      const { vault, loaded } = await latestState(io, dir, options.keyEnv);
      if (options.metrics === true) {
        const recorded = (loaded.state.summary as { metrics?: ConductorMetrics } | undefined)?.metrics;
        if (recorded === undefined) {
          throw new JottyError({
            code: "invalid_argument",
            message: `${loaded.run} recorded no metrics (it was saved by an older Jotty or outside a Conductor); train again to record them.`,
          });
        }
        // Size on disk is read now, so it includes runs saved after this one.
        const metrics = { ...recorded, disk: await vault.usage() };
        io.stdout(options.json === true ? `${JSON.stringify(metrics, null, 2)}
` : `metrics of ${loaded.run}
${formatMetrics(metrics).join("\n")}
`);
        return;
      }
      const lines = [`${dir}: ${(await vault.runs()).map((run) => `${run.name}${run.complete ? "" : ` (${run.status})`} ${(run.bytes / 1024).toFixed(0)} KiB`).join(", ")}`, `newest complete run: ${loaded.run}`];
      // The rules first, as the team's prompts show them: the lessons of the decision evidence, most confident first.
      const recorded = (loaded.state.brainState as Record<string, unknown> | undefined)?.decision_evidence;
      if (recorded !== undefined) {
        const evidence = new DecisionEvidence();
        evidence.restoreState(recorded);
        const { lessons, procedures, causes } = evidence.knowledge();
        const stats = evidence.stats();
        lines.push(`lessons: ${lessons.length} from ${stats.episodes} episodes at ${stats.points} decision points (${stats.retractions} retracted so far)`);
        for (const lesson of lessons.slice(0, 8)) lines.push(`  ${lesson.text}`);
        lines.push(`procedures: ${procedures.length}; causes: ${causes.length}`);
        for (const cause of causes.slice(0, 3)) lines.push(`  cause: ${cause.text}`);
      }
      for (const [name, snapshot] of memorySnapshots(loaded.state)) {
        if (snapshot === undefined) continue;
        const memory = await HierarchicalMemory.restore(snapshot);
        const best = memory
          .list()
          .map((entry) => ({ entry, value: Object.values(entry.values).reduce((top, goal) => Math.max(top, goal.value), 0) }))
          .sort((a, b) => b.value - a.value)
          .slice(0, 3);
        lines.push(`memory ${name}: ${memoriesLine(memory.counts())}`);
        for (const { entry, value } of best) lines.push(`  V=${value.toFixed(2)} [${entry.level}] ${entry.content.slice(0, 110)}`);
      }
      if (loaded.state.qPredictor !== undefined) {
        const q = await QPredictor.restore(loaded.state.qPredictor, runQSettings(loaded.state.config));
        lines.push(`Q entries: ${q.size}`);
        const calibration = await q.calibration();
        if (calibration.samples > 0) lines.push(`calibration: Brier ${calibration.brierScore.toFixed(3)}, ECE ${calibration.expectedCalibrationError.toFixed(3)} over ${calibration.samples} predictions`);
      }
      const loops = (loaded.state.experience as { experience?: unknown } | undefined)?.experience;
      if (loops !== undefined) {
        const experience = Experience.restore(loops);
        for (const name of experience.playbooks.names()) {
          const playbook = experience.playbooks.get(name);
          const active = playbook.strategies.filter((strategy) => !strategy.retired).sort((a, b) => b.helpfulCount + b.harmfulCount - (a.helpfulCount + a.harmfulCount));
          lines.push(`playbook ${name} v${playbook.version}: ${active.length} strategies, used ${playbook.usage.count} times, success ${percent(playbook.usage.successRate)}`);
          for (const strategy of active.slice(0, 5)) lines.push(`  ${strategy.type} (${strategy.helpfulCount}/${strategy.harmfulCount}) ${strategy.description}`);
        }
      }
      io.stdout(`${lines.join("\n")}\n`);
    });
}
