import { randomBytes } from "node:crypto";
import { promises as fsp } from "node:fs";
import path from "node:path";
import { writeFileAtomic } from "./atomic-write.js";
import { currentProcess, ownerStatus, type ProcessIdentity } from "./process-identity.js";

/** The folder, under an output folder, holding one folder of graph checkpoints per process. */
const CHECKPOINTS = "checkpoints";
const OWNER = "owner.json";
/** Another machine's process is taken for dead when it has not renewed its owner file for this long. */
const REMOTE_STALE_MS = 60_000;
const HEARTBEAT_MS = 10_000;

/** A process's own checkpoint folder, renewed while it works. */
export interface WorkFolder {
  dir: string;
  /** Stops renewing it and removes it when no thread is left in it. */
  release: () => Promise<void>;
}

/**
 * Creates this process's checkpoint folder (`checkpoints/w_<pid>_<random>/` with an
 * `owner.json` naming the process), complete before it appears: it is written under a
 * temporary name and renamed.
 */
export async function createWorkFolder(outputDir: string): Promise<WorkFolder> {
  const root = path.join(outputDir, CHECKPOINTS);
  const name = `w_${process.pid}_${randomBytes(6).toString("hex")}`;
  const staging = path.join(root, `.${name}.tmp`);
  await fsp.mkdir(staging, { recursive: true });
  const owner = path.join(staging, OWNER);
  await writeFileAtomic(owner, `${JSON.stringify({ ...currentProcess(), createdAt: new Date().toISOString() })}\n`);
  const dir = path.join(root, name);
  await fsp.rename(staging, dir);
  const timer = setInterval(() => {
    void fsp.utimes(path.join(dir, OWNER), new Date(), new Date()).catch(() => clearInterval(timer));
  }, HEARTBEAT_MS);
  timer.unref();
  return {
    dir,
    release: async () => {
      clearInterval(timer);
      const left = await fsp.readdir(dir).catch(() => [] as string[]);
      if (!left.some((file) => file.endsWith(".jsonl"))) await fsp.rm(dir, { recursive: true, force: true });
    },
  };
}

/** Whether a checkpoint folder's process has ended: provably on this machine, by silence on another. */
async function ended(folder: string): Promise<boolean> {
  const file = path.join(folder, OWNER);
  const stat = await fsp.stat(file).catch(() => undefined);
  if (stat === undefined) {
    // Folders appear complete (renamed into place); one without an owner is damaged or from an older Jotty.
    const folderStat = await fsp.stat(folder).catch(() => undefined);
    return folderStat !== undefined && Date.now() - folderStat.mtimeMs > REMOTE_STALE_MS;
  }
  let owner: Partial<ProcessIdentity>;
  try {
    owner = JSON.parse(await fsp.readFile(file, "utf8")) as Partial<ProcessIdentity>;
  } catch {
    return Date.now() - stat.mtimeMs > REMOTE_STALE_MS;
  }
  const status = ownerStatus(owner);
  return status === "dead" || (status === "unknown" && Date.now() - stat.mtimeMs > REMOTE_STALE_MS);
}

/**
 * Checkpoint folders left by processes that have ended, which a new checkpointer takes over:
 * `checkpoints/<folder>` of dead owners, and the `checkpoints` folders older Jottys kept inside
 * run folders. Folders of live processes are never touched.
 */
export async function endedCheckpointFolders(outputDir: string, { except, runs }: { except?: string; runs: readonly string[] }): Promise<string[]> {
  const root = path.join(outputDir, CHECKPOINTS);
  const found: string[] = [];
  for (const entry of await fsp.readdir(root, { withFileTypes: true }).catch(() => [])) {
    if (!entry.isDirectory() || entry.name.startsWith(".")) continue;
    const folder = path.join(root, entry.name);
    if (folder !== except && (await ended(folder))) found.push(folder);
  }
  for (const run of runs) {
    const legacy = path.join(outputDir, run, CHECKPOINTS);
    if (await fsp.stat(legacy).then((stat) => stat.isDirectory(), () => false)) found.push(legacy);
  }
  return found;
}

/**
 * Removes what ended processes left in `checkpoints/` and holds nothing to resume: staging
 * folders of folders never renamed into place, and owner folders without a thread. Returns
 * what was removed.
 */
export async function removeEmptyEndedFolders(outputDir: string): Promise<string[]> {
  const root = path.join(outputDir, CHECKPOINTS);
  const removed: string[] = [];
  for (const entry of await fsp.readdir(root, { withFileTypes: true }).catch(() => [])) {
    if (!entry.isDirectory()) continue;
    const folder = path.join(root, entry.name);
    const staging = /^\.w_(\d+)_[0-9a-f]+\.tmp$/.exec(entry.name);
    if (staging !== null) {
      if (ownerStatus({ pid: Number(staging[1]), hostname: currentProcess().hostname }) === "dead") {
        await fsp.rm(folder, { recursive: true, force: true });
        removed.push(path.relative(outputDir, folder));
      }
      continue;
    }
    const files = await fsp.readdir(folder).catch(() => [] as string[]);
    if (!files.some((file) => file.endsWith(".jsonl")) && (await ended(folder))) {
      await fsp.rm(folder, { recursive: true, force: true });
      removed.push(path.relative(outputDir, folder));
    }
  }
  return removed;
}
