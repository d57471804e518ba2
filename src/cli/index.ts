export { ExitCode, runCli } from "./run-cli.js";
export type { CliIo } from "./run-cli.js";
