export { runCli } from "./run-cli.js";
export { ExitCode } from "./cli-io.js";
export type { CliIo } from "./cli-io.js";
