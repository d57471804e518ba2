import { Command, CommanderError } from "commander";
import fs from "fs-extra";
import { configJsonSchema, loadConfig } from "../config/index.js";
import { createEnvironment } from "../environments/index.js";
import { errorMessage, JottyError } from "../errors/index.js";
import { registerAudit } from "./audit-command.js";
import { registerBenchmark } from "./benchmark-command.js";
import { ExitCode, processIo, type CliIo } from "./cli-io.js";
import { registerExport } from "./export-command.js";
import { registerInspect } from "./inspect-command.js";
import { registerPrune } from "./prune-command.js";
import { registerReport } from "./report-command.js";
import { registerTrain } from "./train-command.js";

function buildProgram(io: CliIo): Command {
  const program = new Command()
    .name("jotty")
    .description("Teams of AI agents that get better at their tasks across runs.")
    .exitOverride()
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr })
    .option("--verbose", "print the stack of unexpected errors")
    .showHelpAfterError("(run `jotty --help` for the commands)");

  const config = program.command("config").description("inspect and check experiment configs");

  config
    .command("schema")
    .description("print the JSON Schema of a Jotty config (point a config's $schema at it)")
    .option("-o, --out <file>", "write it to a file instead of standard output")
    .action(async (options: { out?: string }) => {
      const text = `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
      if (options.out === undefined) {
        io.stdout(text);
      } else {
        await fs.outputFile(options.out, text);
        io.stdout(`wrote ${options.out}\n`);
      }
    });

  config
    .command("validate")
    .description("check a config file (JSON or YAML); exits 0 when valid, 2 with every problem when not")
    .argument("<file>", "config file")
    .action(async (file: string) => {
      const parsed = await loadConfig(file);
      // The schema checks shapes; building the environment also checks its name and options.
      createEnvironment(parsed.environment.name, parsed.environment.options);
      io.stdout(
        `${file} is a valid Jotty config: learning mode ${parsed.learningMode}, environment ${parsed.environment.name}, ${parsed.actors.length} actor${parsed.actors.length === 1 ? "" : "s"}.\n`,
      );
    });

  registerTrain(program, io);
  registerBenchmark(program, io);
  registerInspect(program, io);
  registerReport(program, io);
  registerExport(program, io);
  registerPrune(program, io);
  registerAudit(program, io);
  return program;
}

/**
 * Runs the `jotty` command line and returns its exit code instead of exiting, so it can be
 * tested in-process. Errors are printed as messages, never as stack traces.
 *
 * @param argv - the arguments after the program name, e.g. `["config", "validate", "x.json"]`.
 * @param io - where output goes. @default the process's stdout and stderr
 */
export async function runCli(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const program = buildProgram(io);
  try {
    await program.parseAsync([...argv], { from: "user" });
    return ExitCode.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Help and version exit with code 0; usage errors were already printed by commander.
      return error.exitCode === 0 ? ExitCode.ok : ExitCode.badInput;
    }
    if (JottyError.is(error)) {
      io.stderr(`error: ${error.message}\n`);
      if (argv.includes("--verbose") && error.stack !== undefined) io.stderr(`${error.stack}\n`);
      const badInput =
        error.code.startsWith("config_") ||
        error.code === "invalid_argument" ||
        error.code === "unknown_environment" ||
        error.code === "vault_no_valid_state" ||
        error.code === "vault_decrypt_failed";
      return badInput ? ExitCode.badInput : ExitCode.failure;
    }
    io.stderr(`error: ${errorMessage(error)}\n`);
    if (argv.includes("--verbose") && error instanceof Error && error.stack !== undefined) io.stderr(`${error.stack}\n`);
    return ExitCode.failure;
  }
}
