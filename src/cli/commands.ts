import path from "node:path";
import { SingleBar } from "cli-progress";
import type { Command } from "commander";
import fs from "fs-extra";
import { loadConfig, parseConfig, type JottyConfig } from "../config/index.js";
import { createEmbedder } from "../embeddings/index.js";
import { parseTasksJsonl, SqlAnalyst } from "../environments/index.js";
import { JottyError } from "../errors/index.js";
import { Experience } from "../experience/index.js";
import { HierarchicalMemory, type PrunePolicy } from "../memory/index.js";
import { QPredictor } from "../learning/index.js";
import type { ConductorMetrics } from "../orchestration/index.js";
import { AuditLog, Vault } from "../persistence/index.js";
import { formatMetrics } from "./format-metrics.js";
import type { CliIo } from "./run-cli.js";
import { svgLineChart } from "./svg-line-chart.js";
import { trainRun, type RunReport } from "./training.js";

const MODES = ["disabled", "contextual", "persistent"] as const;

/**
 * A commander parser for a numeric flag: a whole number when `integer`, at least `min`
 * (above it when `above`), at most `max`; anything else is a clear `invalid_argument`.
 */
function numberFlag(flag: string, { integer = false, min, above = false, max }: { integer?: boolean; min: number; above?: boolean; max?: number }): (value: string) => number {
  const kind = integer ? "whole number" : "number";
  const wanted =
    max !== undefined ? `a ${kind} from ${min} to ${max}` : above || min === 1 ? `a positive ${kind}` : min === 0 ? `a non-negative ${kind}` : `a ${kind} of at least ${min}`;
  return (value) => {
    const number = Number(value);
    const ok = value.trim() !== "" && Number.isFinite(number) && (!integer || Number.isInteger(number)) && (above ? number > min : number >= min) && (max === undefined || number <= max);
    if (!ok) throw new JottyError({ code: "invalid_argument", message: `${flag} takes ${wanted}, got "${value}".` });
    return number;
  };
}

function positiveInteger(flag: string): (value: string) => number {
  return numberFlag(flag, { integer: true, min: 1 });
}

function percent(value: number): string {
  return `${Math.round(value * 100)}%`;
}

/** The config of a command: the file (default configs/default.json), with the command's overrides. */
async function configFor(options: {
  config?: string;
  mode?: string;
  output?: string;
  seed?: number;
  tasks?: string;
  episodes?: number;
}): Promise<JottyConfig> {
  const base = await loadConfig(options.config ?? "configs/default.json");
  if (options.mode !== undefined && !MODES.includes(options.mode as (typeof MODES)[number])) {
    throw new JottyError({ code: "invalid_argument", message: `--mode is one of ${MODES.join(", ")}, not "${options.mode}".` });
  }
  let environmentOptions = base.environment.options;
  if (options.tasks !== undefined) {
    const text = await fs.readFile(options.tasks, "utf8").catch((error: NodeJS.ErrnoException) => {
      throw new JottyError({ code: "invalid_argument", message: `Cannot read the tasks file ${options.tasks} (${error.code ?? "unreadable"}).` });
    });
    environmentOptions = { ...environmentOptions, tasks: parseTasksJsonl(text, options.tasks) };
    if (base.environment.name === "sql-analyst") await new SqlAnalyst(environmentOptions).checkTasks();
  }
  return parseConfig({
    ...base,
    ...(options.mode === undefined ? {} : { learningMode: options.mode }),
    ...(options.output === undefined ? {} : { outputDir: options.output }),
    ...(options.seed === undefined ? {} : { seed: options.seed }),
    environment: { ...base.environment, options: environmentOptions },
    ...(options.episodes === undefined ? {} : { training: { ...base.training, episodes: options.episodes } }),
  });
}

function memoriesLine(memories: Record<string, number>): string {
  return Object.entries(memories)
    .map(([level, count]) => `${level} ${count}`)
    .join(", ");
}

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
      // Ctrl-C stops after the current episode and saves what was learned; a second Ctrl-C quits at once.
      const stop = new AbortController();
      const onInterrupt = (): void => {
        if (stop.signal.aborted) process.exit(130);
        stop.abort();
        io.stderr("\nStopping after this episode and saving what was learned (Ctrl-C again quits at once).\n");
      };
      process.on("SIGINT", onInterrupt);
      try {
        await trainRuns(options, config, episodes, fancy, io, stop.signal);
      } finally {
        process.off("SIGINT", onInterrupt);
      }
    });
}

async function trainRuns(
  options: { runs: number; json?: boolean },
  config: JottyConfig,
  episodes: number,
  fancy: boolean,
  io: CliIo,
  signal: AbortSignal,
): Promise<void> {
  for (let run = 1; run <= options.runs && !signal.aborted; run += 1) {
    let bar: SingleBar | undefined;
    let wins = 0;
    const report = await trainRun({
      config,
      run,
      episodes,
      signal,
      onStart: ({ loadedFrom, memories, qEntries }) => {
        if (options.json === true) return;
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
        if (options.json === true) return;
        const rate = percent(wins / (index + 1));
        if (bar !== undefined) bar.update(index + 1, { rate });
        else if ((index + 1) % 10 === 0 || index + 1 === episodes) io.stdout(`  episode ${index + 1}/${episodes}: success so far ${rate}\n`);
      },
    });
    bar?.stop();
    if (options.json === true) {
      const { curve: _curve, loaded: _loaded, ...summary } = report;
      io.stdout(`${JSON.stringify({ ...summary, savedTo: report.savedTo === null ? null : path.join(config.outputDir, report.savedTo) })}\n`);
      continue;
    }
    io.stdout(
      [
        ...(report.episodes < episodes ? [`Run ${run} stopped after ${report.episodes} of ${episodes} episodes.`] : []),
        `Run ${run}: success ${percent(report.successRate)} in training, ${percent(report.heldOutSuccessRate)} on held-out tasks, ${report.avgSteps.toFixed(1)} steps on average, ${report.llmCalls} LLM calls`,
        `  memories: ${memoriesLine(report.memories)}; Q entries ${report.qEntries}`,
        `  cache hits ${percent(report.metrics.cache.hitRate)}; retrieve p50 ${report.metrics.latency.retrieve.p50.toFixed(2)} ms, p95 ${report.metrics.latency.retrieve.p95.toFixed(2)} ms`,
        `  ${report.savedTo === null ? `not saved (${config.learningMode} mode)` : `saved to ${path.join(config.outputDir, report.savedTo)}`}`,
        "",
      ].join("\n"),
    );
  }
}

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

function rolling(values: readonly number[], window: number): number[] {
  return values.map((_, index) => {
    const slice = values.slice(Math.max(0, index - window + 1), index + 1);
    return slice.reduce((total, value) => total + value, 0) / slice.length;
  });
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

/** The output folder's Vault, without creating the folder; `keyEnv` names the passphrase's variable. */
async function openVault(dir: string, keyEnv: string | undefined, options: { compress?: boolean; keepRuns?: number } = {}): Promise<Vault> {
  if (!(await fs.pathExists(dir))) {
    throw new JottyError({ code: "invalid_argument", message: `There is no folder ${dir}; name the output folder of a training run (outputs by default).` });
  }
  let encryptionKey: string | undefined;
  if (keyEnv !== undefined) {
    encryptionKey = process.env[keyEnv];
    if (encryptionKey === undefined) throw new JottyError({ code: "invalid_argument", message: `--key-env names ${keyEnv}, but that environment variable is not set.` });
  }
  return Vault.open({ dir, ...options, ...(encryptionKey === undefined ? {} : { encryptionKey }), onWarning: () => undefined });
}

async function latestState(dir: string, keyEnv: string | undefined): Promise<{ vault: Vault; loaded: NonNullable<Awaited<ReturnType<Vault["loadLatest"]>>> }> {
  const vault = await openVault(dir, keyEnv);
  let loaded: Awaited<ReturnType<Vault["loadLatest"]>>;
  try {
    loaded = await vault.loadLatest();
  } catch (error) {
    if (!JottyError.is(error, "vault_decrypt_failed")) throw error;
    throw new JottyError({
      code: "vault_decrypt_failed",
      message:
        keyEnv === undefined
          ? `The runs in ${dir} are encrypted; pass --key-env with the environment variable holding the passphrase.`
          : `The passphrase in ${keyEnv} does not open the runs in ${dir}.`,
      cause: error,
    });
  }
  if (loaded === null) throw new JottyError({ code: "vault_no_valid_state", message: `${dir} holds no saved run yet; train in PERSISTENT mode first.` });
  return { vault, loaded };
}

/** A saved state's memory snapshots by name: the shared one and each actor's. */
function memorySnapshots(state: { sharedMemory?: unknown; localMemories?: Record<string, unknown> | undefined }): Array<[string, unknown]> {
  return [["shared", state.sharedMemory], ...Object.entries(state.localMemories ?? {})];
}

/** `jotty prune` */
export function registerPrune(program: Command, io: CliIo): void {
  program
    .command("prune")
    .description("remove memories by age, value, usage or a size budget from the newest run, saving the result as a new run")
    .argument("[dir]", "output folder", "outputs")
    .option("--max-idle-days <days>", "remove memories unused for this many days", numberFlag("--max-idle-days", { min: 0, above: true }))
    .option("--value-floor <value>", "remove memories whose best learned value is below this (0–1)", numberFlag("--value-floor", { min: 0, max: 1 }))
    .option("--min-uses-per-day <rate>", "remove memories used less often than this", numberFlag("--min-uses-per-day", { min: 0, above: true }))
    .option("--keep <n>", "keep only the n most valuable memories of each level", numberFlag("--keep", { integer: true, min: 0 }))
    .option("--dry-run", "say what would go and change nothing")
    .option("--key-env <var>", "environment variable holding the passphrase of an encrypted folder")
    .action(async (dir: string, options: { maxIdleDays?: number; valueFloor?: number; minUsesPerDay?: number; keep?: number; dryRun?: boolean; keyEnv?: string }) => {
      const policies: PrunePolicy[] = [
        ...(options.maxIdleDays === undefined ? [] : [{ kind: "age" as const, maxIdleDays: options.maxIdleDays }]),
        ...(options.valueFloor === undefined ? [] : [{ kind: "value" as const, floor: options.valueFloor }]),
        ...(options.minUsesPerDay === undefined ? [] : [{ kind: "usage" as const, minPerDay: options.minUsesPerDay }]),
        ...(options.keep === undefined ? [] : [{ kind: "budget" as const, keep: options.keep }]),
      ];
      if (policies.length === 0) {
        throw new JottyError({ code: "invalid_argument", message: "Say what to prune: --max-idle-days, --value-floor, --min-uses-per-day or --keep." });
      }
      const { loaded } = await latestState(dir, options.keyEnv);
      // The run's own config: its memory settings and embedder (stored vectors are reused, nothing is
      // re-embedded), and its codec and retention for the pruned run.
      const config = parseConfig(loaded.state.config ?? {});
      const vault = await openVault(dir, options.keyEnv, { compress: config.persistence.compress, keepRuns: config.persistence.keepRuns });
      const embedder = createEmbedder(config.embeddings);
      const pruned: Record<string, Record<string, unknown>> = {};
      const removed: string[] = [];
      const lines: string[] = [];
      for (const [name, snapshot] of memorySnapshots(loaded.state)) {
        if (snapshot === undefined) continue;
        const memory = await HierarchicalMemory.restore(snapshot, { embedder, settings: config.memory });
        const report = memory.prune({ policies, dryRun: options.dryRun === true });
        removed.push(...report.removed.map((entry) => entry.id));
        pruned[name] = memory.snapshot() as unknown as Record<string, unknown>;
        lines.push(`memory ${name}: ${report.removed.length} ${options.dryRun === true ? "would go" : "removed"}, ${report.remaining} left`);
        for (const entry of report.removed.slice(0, 5)) lines.push(`  [${entry.level}] ${entry.id}: ${entry.reasons.join("; ")}`);
      }
      if (options.dryRun !== true && removed.length > 0) {
        const { shared, ...locals } = pruned;
        const run = await vault.save({ ...loaded.state, ...(shared === undefined ? {} : { sharedMemory: shared }), ...(Object.keys(locals).length === 0 ? {} : { localMemories: locals }) });
        await vault.audited({ action: "prune", ids: removed, details: { from: loaded.run, to: run, policies: policies.map((policy) => policy.kind).join(",") } });
        lines.push(`saved to ${path.join(dir, run)} (from ${loaded.run})`);
      } else {
        lines.push(options.dryRun === true ? "dry run: nothing changed" : "nothing to prune");
      }
      io.stdout(`${lines.join("\n")}\n`);
    });
}

/** `jotty audit verify` */
export function registerAudit(program: Command, io: CliIo): void {
  program
    .command("audit")
    .description("the audit log of learned state")
    .command("verify")
    .description("check that no line of the audit log was edited, removed or reordered")
    .argument("[dir]", "output folder", "outputs")
    .action(async (dir: string) => {
      const file = path.join(dir, "audit.jsonl");
      const result = await AuditLog.verify(file);
      if (result.ok) {
        io.stdout(`${file}: ${result.records} records, the chain is intact\n`);
        return;
      }
      throw new JottyError({
        code: "audit_invalid",
        message: `${file} line ${result.line}: ${result.problem}. The ${result.records} records before it are intact.`,
      });
    });
}

/** `jotty inspect`, `jotty report`, `jotty export trajectories` */
export function registerInspection(program: Command, io: CliIo): void {
  program
    .command("inspect")
    .description("what a folder's newest run holds: memories, Q entries, lessons, playbook strategies")
    .argument("[dir]", "output folder", "outputs")
    .option("--key-env <var>", "environment variable holding the passphrase of an encrypted folder")
    .option("--metrics", "the metrics the newest run recorded: latency percentiles, cache hit rates, counts, model use and cost, size on disk")
    .option("--json", "with --metrics: print them as JSON")
    .action(async (dir: string, options: { keyEnv?: string; metrics?: boolean; json?: boolean }) => {
      const { vault, loaded } = await latestState(dir, options.keyEnv);
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
      const lines = [`${dir}: ${(await vault.runs()).map((run) => `${run.name}${run.complete ? "" : " (incomplete)"} ${(run.bytes / 1024).toFixed(0)} KiB`).join(", ")}`, `newest complete run: ${loaded.run}`];
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
        const q = await QPredictor.restore(loaded.state.qPredictor);
        const lessons = q.list().flatMap((entry) => entry.lessons).sort((a, b) => b.count - a.count);
        lines.push(`Q entries: ${q.size}; lessons: ${lessons.length}`);
        for (const lesson of lessons.slice(0, 5)) lines.push(`  ×${lesson.count} ${lesson.text.slice(0, 120)}`);
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

  program
    .command("report")
    .description("learning curves across every saved run, as an HTML page")
    .argument("[dir]", "output folder", "outputs")
    .option("--out <file>", "where the page goes (report.html in the folder by default)")
    .option("--key-env <var>", "environment variable holding the passphrase of an encrypted folder")
    .action(async (dir: string, options: { out?: string; keyEnv?: string }) => {
      const { vault } = await latestState(dir, options.keyEnv);
      const runs = (await vault.runs()).filter((run) => run.complete).reverse();
      const successes: number[] = [];
      const rewards: number[] = [];
      for (const run of runs) {
        const { state } = await vault.load(run.name);
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
      await fs.outputFile(file, `<!doctype html><html><head><meta charset="utf-8"><title>Jotty report</title></head><body style="font-family:sans-serif"><h1>Learning across runs</h1><p>${runs.map((run) => run.name).join(", ")}</p>${svg}</body></html>\n`);
      io.stdout(`wrote ${file} (${runs.length} runs, ${successes.length} episodes)\n`);
    });

  program
    .command("export")
    .description("export learned state")
    .command("trajectories")
    .description("the trajectories of the newest run, for fine-tuning (openai-jsonl) or RL (episodes)")
    .argument("[dir]", "output folder", "outputs")
    .option("-f, --format <format>", "openai-jsonl | episodes", "openai-jsonl")
    .option("--out <file>", "write to a file instead of standard output")
    .option("--key-env <var>", "environment variable holding the passphrase of an encrypted folder")
    .action(async (dir: string, options: { format: string; out?: string; keyEnv?: string }) => {
      if (options.format !== "openai-jsonl" && options.format !== "episodes") {
        throw new JottyError({ code: "invalid_argument", message: `--format is openai-jsonl or episodes, not "${options.format}".` });
      }
      const { loaded } = await latestState(dir, options.keyEnv);
      const loops = (loaded.state.experience as { experience?: unknown } | undefined)?.experience;
      if (loops === undefined) throw new JottyError({ code: "vault_no_valid_state", message: `${loaded.run} holds no trajectories (the learning loops were off).` });
      const experience = Experience.restore(loops);
      const text =
        options.format === "openai-jsonl"
          ? experience.exportFineTuning()
          : `${experience.exportRlEpisodes().map((episode) => JSON.stringify(episode)).join("\n")}\n`;
      if (options.out === undefined) io.stdout(text);
      else {
        await fs.outputFile(options.out, text);
        io.stdout(`wrote ${options.out}\n`);
      }
    });
}
