import path from "node:path";
import type { Command } from "commander";
import { CONFIG_DEFAULTS, parseConfig } from "../config/index.js";
import { createEmbedder } from "../embeddings/index.js";
import { JottyError } from "../errors/index.js";
import { HierarchicalMemory, type PrunePolicy } from "../memory/index.js";
import { COMPONENT_STEMS } from "../persistence/index.js";
import type { CliIo } from "./cli-io.js";
import { numberFlag } from "./cli-options.js";
import { latestState, memorySnapshots, openVault } from "./vault-access.js";

/** `jotty prune` */
export function registerPrune(program: Command, io: CliIo): void {
  program
    .command("prune")
    .description("remove memories by age, value, usage or a size budget from the newest run, saving the result as a new run")
    .argument("[dir]", "output folder", CONFIG_DEFAULTS.outputDir)
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
      // Pruning writes learned state: it waits for a process learning into the folder to finish,
      // so neither drops the other's work. A dry run writes nothing and does not wait.
      const releaseWriter = options.dryRun === true ? undefined : await (await openVault(io, dir, options.keyEnv)).acquireWriter({ onBusy: "wait" });
      const lines: string[] = [];
      try {
        const { loaded } = await latestState(io, dir, options.keyEnv);
        // The run's own config: its memory settings and embedder (stored vectors are reused, nothing is
        // re-embedded), and its codec and retention for the pruned run.
        const config = parseConfig(loaded.state.config ?? {});
        const vault = await openVault(io, dir, options.keyEnv, { compress: config.persistence.compress, keepRuns: config.persistence.keepRuns });
        const embedder = createEmbedder(config.embeddings);
        const pruned: Record<string, Record<string, unknown>> = {};
        const vectors = { ...(loaded.state.vectors ?? {}) };
        const removed: string[] = [];
        for (const [name, snapshot] of memorySnapshots(loaded.state)) {
          if (snapshot === undefined) continue;
          const stem = name === "shared" ? COMPONENT_STEMS.sharedMemory : COMPONENT_STEMS.localMemory(name);
          const memory = await HierarchicalMemory.restore(snapshot, { embedder, settings: config.memory, vectors: vectors[stem] });
          const report = memory.prune({ policies, dryRun: options.dryRun === true });
          removed.push(...report.removed.map((entry) => entry.id));
          // The pruned memory's vectors replace the run's, so the next start loads them as they are.
          const bytes = memory.snapshotVectors();
          if (bytes === undefined) delete vectors[stem];
          else vectors[stem] = bytes;
          pruned[name] = memory.snapshot(bytes === undefined ? { columns: true } : { includeVectors: false, columns: true }) as unknown as Record<string, unknown>;
          lines.push(`memory ${name}: ${report.removed.length} ${options.dryRun === true ? "would go" : "removed"}, ${report.remaining} left`);
          for (const entry of report.removed.slice(0, 5)) lines.push(`  [${entry.level}] ${entry.id}: ${entry.reasons.join("; ")}`);
        }
        if (options.dryRun !== true && removed.length > 0) {
          const { shared, ...locals } = pruned;
          // The prune is recorded with the save that persists it, in one step.
          const run = await vault.save(
            { ...loaded.state, ...(shared === undefined ? {} : { sharedMemory: shared }), ...(Object.keys(locals).length === 0 ? {} : { localMemories: { ...loaded.state.localMemories, ...locals } }), vectors },
            { audit: [{ action: "prune", ids: removed, details: { from: loaded.run, policies: policies.map((policy) => policy.kind).join(",") } }], base: loaded.run },
          );
          lines.push(`saved to ${path.join(dir, run)} (from ${loaded.run})`);
        } else {
          lines.push(options.dryRun === true ? "dry run: nothing changed" : "nothing to prune");
        }
      } finally {
        await releaseWriter?.();
      }
      io.stdout(`${lines.join("\n")}\n`);
    });
}

