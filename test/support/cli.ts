import { runCli } from "../../src/cli/index.js";

/** Runs the `jotty` command line in this process and returns its exit code and what it printed. */
export async function cli(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await runCli(argv, { stdout: (text) => (stdout += text), stderr: (text) => (stderr += text), tty: false });
  return { code, stdout, stderr };
}
