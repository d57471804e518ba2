import { randomBytes } from "node:crypto";
import { promises as fsp } from "node:fs";
import path from "node:path";
import { errorMessage, JottyError } from "../errors/index.js";
import { writeFileAtomic } from "./atomic-write.js";
import type { AuditLog } from "./audit-log.js";
import { DELETING_PREFIX, removeLeftovers } from "./leftovers.js";
import { isRunName, newestFirst, nextRunName } from "./run-name.js";
import { MANIFEST } from "./manifest.js";
import { readManifest, type RunCheck } from "./run-reader.js";
import { acquireLock, type HeldLock, type LockOptions } from "./vault-lock.js";

const LATEST = "LATEST";
/** The newest run name ever issued in the folder, so names keep increasing whatever is deleted. */
const LAST_RUN = ".last-run";

/** A run folder's name with what its manifest says. */
export type NamedRunCheck = { name: string } & RunCheck;


/**
 * The mechanics of an output folder beneath the Vault: its run folders, `LATEST`, the lock, and
 * mending what a crash left each time the lock is taken.
 */
export class OutputFolder {
  /** Manifest checks by run, with the manifest file's size, time and inode they were made for. */
  private readonly checked = new Map<string, { stamp: string; check: RunCheck }>();
  /** The lock while `locked` runs. */
  private lock: HeldLock | undefined;

  constructor(
    readonly dir: string,
    private readonly options: {
      key: Buffer | undefined;
      lock: LockOptions;
      audit: AuditLog;
      warn: (warning: string, options?: { once?: boolean }) => void;
    },
  ) {}

  /** The run folders' names, newest first. */
  async runNames(): Promise<string[]> {
    const entries = await fsp.readdir(this.dir, { withFileTypes: true }).catch(() => []);
    return entries.filter((entry) => entry.isDirectory() && isRunName(entry.name)).map((entry) => entry.name).sort(newestFirst);
  }

  /** Every run's manifest check, newest first (no checksums). */
  async checkAll(): Promise<NamedRunCheck[]> {
    const names = await this.runNames();
    for (const name of this.checked.keys()) if (!names.includes(name)) this.checked.delete(name);
    return Promise.all(names.map(async (name) => ({ name, ...(await this.check(name)) })));
  }

  /** A run's manifest check, read again only when the manifest file changed (a complete run never does). */
  private async check(name: string): Promise<RunCheck> {
    const stat = await fsp.stat(path.join(this.dir, name, MANIFEST)).catch(() => undefined);
    const stamp = stat === undefined ? "none" : `${stat.size}:${stat.mtimeMs}:${stat.ino}`;
    const known = this.checked.get(name);
    if (known !== undefined && known.stamp === stamp && stat !== undefined) return known.check;
    const check = await readManifest(this.dir, name, this.options.key);
    this.checked.set(name, { stamp, check });
    return check;
  }

  /** The run `LATEST` names, if any. */
  async latest(): Promise<string | undefined> {
    const text = await fsp.readFile(path.join(this.dir, LATEST), "utf8").catch(() => undefined);
    return text?.trim() || undefined;
  }

  /** Points `LATEST` at a run (or removes it). */
  async setLatest(run: string | undefined): Promise<void> {
    if (run === undefined) await fsp.rm(path.join(this.dir, LATEST), { force: true });
    else await writeFileAtomic(path.join(this.dir, LATEST), `${run}\n`);
  }

  /**
   * Runs `work` holding the folder's lock, after mending what a crash may have left: run
   * folders whose save never finished, temporary files, a stale `LATEST`, audit records a save
   * wrote into its manifest but not yet into the log. `work` gets the runs left, newest first.
   */
  async locked<T>(work: (checks: NamedRunCheck[]) => Promise<T>): Promise<T> {
    const lock = await acquireLock(this.dir, this.options.lock);
    this.lock = lock;
    try {
      const checks = await this.checkAll();
      const complete = checks.filter((check) => check.status === "complete").map((check) => check.name);
      const incomplete = checks.filter((check) => check.status === "incomplete").map((check) => check.name);
      const { removed, failed } = await removeLeftovers(this.dir, { incompleteRuns: incomplete, completeRuns: complete });
      if (removed.length > 0) this.options.warn(`Cleaned up after a crash in ${this.dir}: removed ${removed.join(", ")}`);
      if (failed.length > 0) this.options.warn(`Could not remove what a crash left in ${this.dir}: ${failed.join(", ")}; it is tried again next time`, { once: true });
      const remaining = checks.filter((check) => check.status !== "incomplete");
      const newest = remaining.find((check) => check.status === "complete");
      if (newest !== undefined && (await this.latest()) !== newest.name) await this.setLatest(newest.name);
      if (newest?.manifest?.manifestVersion === 2) await this.reconcileAudit(newest.name, newest.manifest);
      return await work(remaining);
    } finally {
      this.lock = undefined;
      await lock.release();
    }
  }

  /**
   * Checks, before a commit, that the lock taken for it is still this process's: a process
   * paused longer than a lock may go unrenewed could have been taken for dead meanwhile.
   *
   * @throws JottyError `vault_locked` when it was taken over (nothing is committed).
   */
  async assertLocked(): Promise<void> {
    if (this.lock !== undefined && (await this.lock.held())) return;
    throw new JottyError({
      code: "vault_locked",
      message: `The lock of ${this.dir} was taken over while this process was saving (it went unrenewed too long, or was judged stale); nothing was committed. Save again.`,
    });
  }

  private async reconcileAudit(run: string, manifest: { audit: Parameters<AuditLog["reconcile"]>[0]; auditLog: string | null }): Promise<void> {
    try {
      const appended = await this.options.audit.reconcile(manifest.audit, manifest.auditLog);
      if (appended === null) this.options.warn(`audit log not repaired: ${path.basename(this.options.audit.file)} does not continue into the records ${run}'s save wrote`, { once: true });
    } catch (error) {
      this.options.warn(`audit log not repaired: ${errorMessage(error)}`, { once: true });
    }
  }

  /** Names and creates the folder of a new run; call it holding the lock. */
  async createRun(now: number): Promise<string> {
    const issued = [...(await this.runNames()), (await fsp.readFile(path.join(this.dir, LAST_RUN), "utf8").catch(() => "")).trim(), (await this.latest()) ?? ""];
    for (;;) {
      const run = nextRunName(now, issued);
      await writeFileAtomic(path.join(this.dir, LAST_RUN), `${run}\n`);
      try {
        await fsp.mkdir(path.join(this.dir, run));
        return run;
      } catch (error) {
        // Only a folder left behind that could not be removed holds the name: take the next.
        if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
        issued.push(run);
      }
    }
  }

  /** Deletes a run folder: renamed aside first, so a crash never leaves part of a run under its name. */
  async removeRun(name: string): Promise<void> {
    const aside = path.join(this.dir, `${DELETING_PREFIX}${name}-${randomBytes(4).toString("hex")}`);
    await fsp.rename(path.join(this.dir, name), aside);
    await fsp.rm(aside, { recursive: true, force: true });
  }
}
