import { z } from "zod";
import { defaulted } from "./defaulted.js";

/** Where and how learned state is kept between runs. */
export const PersistenceSchema = z.strictObject({
  keepRuns: z.int().positive().default(10).describe("complete runs kept; older ones are deleted (never the newest)"),
  compress: z.boolean().default(false).describe("gzip every state file (.json.gz)"),
  encryptionKeyEnv: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name")
    .optional()
    .describe("encrypt state files and checkpoints with AES-256-GCM, the key (a passphrase) read from this environment variable"),
  lock: defaulted(
    z.strictObject({
      wait: z.boolean().default(true).describe("wait for another process's save to finish instead of failing"),
      timeoutMs: z.int().positive().default(30_000),
    }),
  ),
  concurrentWriters: z
    .enum(["wait", "warn", "refuse"])
    .default("wait")
    .describe(
      "when another process is learning into the same output folder: wait for it to finish (then start from what it learned), warn and go on (the two processes' learning is not merged), or refuse",
    ),
  loadRun: z.string().optional().describe("DISABLED mode: the run whose state is loaded (frozen inference)"),
});

/** Persistence settings, parsed. */
export type PersistenceConfig = z.infer<typeof PersistenceSchema>;
