import fs from "fs-extra";
import { JottyError } from "../errors/index.js";
import { Vault, type LoadedState } from "../persistence/index.js";
import type { CliIo } from "./cli-io.js";

/**
 * The output folder's Vault, without creating the folder; `keyEnv` names the passphrase's
 * variable. What the Vault handles (a damaged run skipped, crash leftovers cleaned) is printed
 * on standard error.
 */
export async function openVault(io: CliIo, dir: string, keyEnv: string | undefined, options: { compress?: boolean; keepRuns?: number } = {}): Promise<Vault> {
  if (!(await fs.pathExists(dir))) {
    throw new JottyError({ code: "invalid_argument", message: `There is no folder ${dir}; name the output folder of a training run (outputs by default).` });
  }
  let encryptionKey: string | undefined;
  if (keyEnv !== undefined) {
    encryptionKey = process.env[keyEnv];
    if (encryptionKey === undefined) throw new JottyError({ code: "invalid_argument", message: `--key-env names ${keyEnv}, but that environment variable is not set.` });
  }
  return Vault.open({ dir, ...options, ...(encryptionKey === undefined ? {} : { encryptionKey }), onWarning: (warning) => io.stderr(`warning: ${warning}\n`) });
}

/** The newest complete run of a folder, with its Vault. */
export async function latestState(io: CliIo, dir: string, keyEnv: string | undefined): Promise<{ vault: Vault; loaded: LoadedState }> {
  const vault = await openVault(io, dir, keyEnv);
  let loaded: LoadedState | null;
  try {
    loaded = await vault.loadLatest();
  } catch (error) {
    if (!JottyError.is(error, "vault_decrypt_failed")) throw error;
    throw new JottyError({
      code: "vault_decrypt_failed",
      message:
        keyEnv === undefined
          ? `The runs in ${dir} are encrypted; pass --key-env with the environment variable holding the passphrase.`
          : `The passphrase in ${keyEnv} does not open the runs in ${dir}.`,
      cause: error,
    });
  }
  if (loaded === null) throw new JottyError({ code: "vault_no_valid_state", message: `${dir} holds no saved run yet; train in PERSISTENT mode first.` });
  return { vault, loaded };
}

/** A saved state's memory snapshots by name: the shared one and each actor's. */
export function memorySnapshots(state: { sharedMemory?: unknown; localMemories?: Record<string, unknown> | undefined }): Array<[string, unknown]> {
  return [["shared", state.sharedMemory], ...Object.entries(state.localMemories ?? {})];
}
