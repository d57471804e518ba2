import { errorMessage, JottyError } from "../errors/index.js";
import type { JottyState } from "./jotty-state.js";
import type { NamedRunCheck } from "./output-folder.js";
import { newestFirst } from "./run-name.js";
import type { LoadedState } from "./vault-options.js";


/**
 * The newest run that loads, newest first through `checks`: read (checksums, decoding, schema)
 * and, with `restore`, turned into what the caller needs. A run that fails either is skipped
 * with a warning; so is, in an encrypted folder, a run in the old manifest format newer than
 * one in the new (copied in, since every save here writes the new one). A failure that is not
 * the run's own (an embedder, a disk) is thrown, so an older run never loads in its place.
 *
 * @returns null when no run is there, or only saves that never finished.
 * @throws JottyError `vault_no_valid_state` (or `vault_decrypt_failed`) listing every reason.
 */
export async function loadNewest<T>({
  dir,
  checks,
  encrypted,
  read,
  restore,
  warn,
}: {
  dir: string;
  checks: readonly NamedRunCheck[];
  encrypted: boolean;
  read: (run: string) => Promise<JottyState>;
  restore?: (state: JottyState, run: string) => Promise<T>;
  warn: (warning: string) => void;
}): Promise<(LoadedState & { restored?: T }) | null> {
  const warnings: string[] = [];
  const skip = (warning: string): void => {
    warnings.push(warning);
    warn(warning);
  };
  // A run older Jottys wrote (no MAC) newer than one this Jotty wrote was copied in, not saved.
  const oldestV2 = checks.filter((check) => check.manifest?.manifestVersion === 2).at(-1)?.name;
  for (const { name, manifest } of checks) {
    if (encrypted && manifest?.manifestVersion === 1 && oldestV2 !== undefined && newestFirst(name, oldestV2) < 0) {
      skip(`Skipped ${name}: a run in the old manifest format, newer than runs in the new one (it was copied in, not saved here)`);
      continue;
    }
    let state: JottyState;
    try {
      state = await read(name);
    } catch (error) {
      if (!JottyError.is(error)) throw error;
      skip(`Skipped ${errorMessage(error)}`);
      continue;
    }
    if (restore === undefined) return { state, run: name, warnings };
    try {
      return { state, run: name, warnings, restored: await restore(state, name) };
    } catch (error) {
      // Only a state its components cannot read is skipped: an embedder or a disk failing now
      // would fail for every run, and must not make an older run load in its place.
      if (!JottyError.is(error, "snapshot_invalid") && !JottyError.is(error, "snapshot_version_unsupported")) throw error;
      skip(`Skipped ${name}: its state does not restore (${errorMessage(error)})`);
    }
  }
  // Saves that never finished (a crash, or one still running) leave no state to load.
  if (checks.every((check) => check.status === "incomplete")) return null;
  const decryption = warnings.some((warning) => warning.includes("key is wrong") || warning.includes("no key was given"));
  throw new JottyError({
    code: decryption ? "vault_decrypt_failed" : "vault_no_valid_state",
    message: `No run in ${dir} can be loaded:\n${warnings.map((warning) => `  - ${warning}`).join("\n")}${decryption ? "\nCheck the encryption key." : ""}`,
    details: { warnings },
  });
}
