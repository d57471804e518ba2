import { promises as fsp } from "node:fs";
import path from "node:path";
import { removeEmptyEndedFolders } from "./checkpoint-folders.js";
import { currentProcess, ownerStatus } from "./process-identity.js";

/** Temporary files of atomic writes (`.<name>.<pid>.<hex>.tmp`) and lock files moved aside (`….<pid>.<hex>.stale`). */
const TEMPORARY = /^\..*\.(\d+)\.[0-9a-f]+\.(?:tmp|stale)$/;
/** Run folders being deleted: renamed first, so a crash never leaves half a run under a run's name. */
export const DELETING_PREFIX = ".deleting-";
/** Folders a restore writes runs into before renaming them into place. */
export const RESTORE_PREFIX = ".restore-";

function deadPid(pid: number): boolean {
  return ownerStatus({ pid, hostname: currentProcess().hostname }) === "dead";
}

/** Files of `folder` (recursively) left by atomic writes of processes that have ended. */
async function deadTemporaryFiles(folder: string, recursive: boolean): Promise<string[]> {
  const entries = await fsp.readdir(folder, { withFileTypes: true, recursive }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile() && TEMPORARY.test(entry.name) && deadPid(Number(TEMPORARY.exec(entry.name)?.[1])))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

/**
 * Removes what crashed processes left in an output folder once it is provably dead: run
 * folders whose save never wrote a manifest (saves hold the folder's lock, so the caller, which
 * holds it now, knows no save is running), folders half-deleted or half-restored, temporary
 * files of processes that have ended, and their empty checkpoint folders. Returns what went
 * and what could not be removed (left for the next time), relative to the folder. Call it
 * holding the folder's lock.
 */
export async function removeLeftovers(
  dir: string,
  { incompleteRuns, completeRuns }: { incompleteRuns: readonly string[]; completeRuns: readonly string[] },
): Promise<{ removed: string[]; failed: string[] }> {
  const removed: string[] = [];
  const failed: string[] = [];
  const remove = async (target: string): Promise<void> => {
    try {
      await fsp.rm(target, { recursive: true, force: true });
      removed.push(path.relative(dir, target));
    } catch (error) {
      failed.push(`${path.relative(dir, target)} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
  };
  for (const run of incompleteRuns) await remove(path.join(dir, run));
  for (const entry of await fsp.readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (!entry.isDirectory()) continue;
    if (entry.name.startsWith(DELETING_PREFIX)) await remove(path.join(dir, entry.name));
    const restoring = new RegExp(`^${RESTORE_PREFIX.replace(".", "\\.")}(\\d+)-`).exec(entry.name);
    if (restoring !== null && deadPid(Number(restoring[1]))) await remove(path.join(dir, entry.name));
  }
  for (const file of await deadTemporaryFiles(dir, false)) await remove(file);
  for (const run of completeRuns) for (const file of await deadTemporaryFiles(path.join(dir, run), true)) await remove(file);
  try {
    removed.push(...(await removeEmptyEndedFolders(dir)));
  } catch (error) {
    failed.push(`checkpoint folders (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  return { removed, failed };
}
