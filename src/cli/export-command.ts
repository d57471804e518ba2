import type { Command } from "commander";
import fs from "fs-extra";
import { CONFIG_DEFAULTS } from "../config/index.js";
import { JottyError } from "../errors/index.js";
import { Experience } from "../experience/index.js";
import type { CliIo } from "./cli-io.js";
import { latestState } from "./vault-access.js";

/** `jotty export trajectories` */
export function registerExport(program: Command, io: CliIo): void {
  program
    .command("export")
    .description("export learned state")
    .command("trajectories")
    .description("the trajectories of the newest run, for fine-tuning (openai-jsonl) or RL (episodes)")
    .argument("[dir]", "output folder", CONFIG_DEFAULTS.outputDir)
    .option("-f, --format <format>", "openai-jsonl | episodes", "openai-jsonl")
    .option("--out <file>", "write to a file instead of standard output")
    .option("--key-env <var>", "environment variable holding the passphrase of an encrypted folder")
    .action(async (dir: string, options: { format: string; out?: string; keyEnv?: string }) => {
      if (options.format !== "openai-jsonl" && options.format !== "episodes") {
        throw new JottyError({ code: "invalid_argument", message: `--format is openai-jsonl or episodes, not "${options.format}".` });
      }
      const { loaded } = await latestState(io, dir, options.keyEnv);
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
