import type { JottyConfig } from "../config/index.js";
import { JottyError } from "../errors/index.js";
import type { Telemetry } from "../telemetry/index.js";
import type { Clock } from "../util/index.js";
import type { AuditEntry } from "./audit-log.js";
import type { JottyState } from "./jotty-state.js";
import type { LockOptions } from "./vault-lock.js";

/** Options of {@link Vault.open}. */
export interface VaultOptions {
  /** The output folder holding run folders and `LATEST`. */
  dir: string;
  /** Complete runs kept; older ones go (never the newest). @default 10 */
  keepRuns?: number;
  /** gzip every state file. @default false */
  compress?: boolean;
  /** Passphrase for AES-256-GCM encryption of every state file and checkpoint. */
  encryptionKey?: string;
  /** Waiting for another process's save. @default wait up to 30 s */
  lock?: LockOptions;
  /** Told about every run skipped, every crash leftover cleaned, every audit problem. */
  onWarning?: (warning: string) => void;
  /** Where time is read for run names and timestamps (lock waits use real time). @default systemClock */
  clock?: Clock;
  /** Who the audit log names for this vault's operations. @default the operating-system user */
  auditBy?: string;
  /** Where `save` and `load` latencies are recorded. */
  telemetry?: Telemetry;
}

/** A state loaded from a run. */
export interface LoadedState {
  state: JottyState;
  run: string;
  /** Runs skipped before this one, and why. */
  warnings: string[];
}

/** Options of {@link Vault.save}. */
export interface SaveOptions {
  /** More audit records written with the save (each gets the run in its details). */
  audit?: readonly AuditEntry[];
  /** The run this state grew from; another run saved meanwhile is reported (its learning is not in this state). */
  base?: string | null;
}

/**
 * A vault's options from a config's `outputDir` and `persistence` section; the encryption key
 * is read from the environment variable it names.
 *
 * @throws JottyError `config_invalid` when that variable is not set.
 */
export function vaultOptionsFromConfig(config: Pick<JottyConfig, "outputDir" | "persistence">, env: Record<string, string | undefined>): VaultOptions {
  const { persistence } = config;
  let encryptionKey: string | undefined;
  if (persistence.encryptionKeyEnv !== undefined) {
    encryptionKey = env[persistence.encryptionKeyEnv];
    if (encryptionKey === undefined) {
      throw new JottyError({
        code: "config_invalid",
        message: `persistence.encryptionKeyEnv names ${persistence.encryptionKeyEnv}, but that environment variable is not set. Set it to the vault's passphrase.`,
      });
    }
  }
  return {
    dir: config.outputDir,
    keepRuns: persistence.keepRuns,
    compress: persistence.compress,
    lock: persistence.lock,
    ...(encryptionKey === undefined ? {} : { encryptionKey }),
  };
}
