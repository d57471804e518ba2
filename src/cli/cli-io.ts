/** Where the CLI writes; tests pass buffers, the binary passes the process streams. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Whether output goes to a terminal (progress bars then). */
  tty?: boolean;
  /**
   * Aborted when standard output is gone (its reader closed the pipe, as `| head -1` does): a
   * long command then stops as on Ctrl-C, keeping what it did, instead of dying of EPIPE.
   */
  outputClosed?: AbortSignal;
}

/** Exit codes: 0 success, 1 unexpected failure, 2 bad input (config, arguments). */
export const ExitCode = { ok: 0, failure: 1, badInput: 2 } as const;

let processStreams: CliIo | undefined;

/** The process's own streams. A closed standard output aborts `outputClosed`; later writes to it are dropped. */
export function processIo(): CliIo {
  if (processStreams !== undefined) return processStreams;
  const closed = new AbortController();
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
    closed.abort();
  });
  processStreams = {
    stdout: (text) => {
      if (!closed.signal.aborted) process.stdout.write(text);
    },
    stderr: (text) => process.stderr.write(text),
    tty: process.stdout.isTTY === true,
    outputClosed: closed.signal,
  };
  return processStreams;
}
