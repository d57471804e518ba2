import path from "node:path";
import type { JottyConfig } from "../config/index.js";
import { JottyError } from "../errors/index.js";
import { currentProcess, sameProcess } from "./process-identity.js";
import { acquireLockFile, readLockOwner, type HeldLock, type LockOptions } from "./vault-lock.js";

/** What a second process that wants to learn into a folder another one is learning into does (`persistence.concurrentWriters`). */
export type ConcurrentWriters = JottyConfig["persistence"]["concurrentWriters"];

const WRITER = ".jotty.writer";

/**
 * Leases this process holds (or is taking), by file: Conductors of one process share one. The
 * entry is made before the first request awaits anything, so requests made at once share it too.
 */
const held = new Map<string, { count: number; lock: Promise<HeldLock | undefined> }>();

async function take(
  file: string,
  dir: string,
  { onBusy, onWarning, lock }: { onBusy: ConcurrentWriters; onWarning: ((warning: string) => void) | undefined; lock: LockOptions },
): Promise<HeldLock | undefined> {
  try {
    return await acquireLockFile(file, { ...lock, wait: false, purpose: "learning into this folder" });
  } catch (error) {
    if (!JottyError.is(error, "vault_locked")) throw error;
  }
  const owner = (await readLockOwner(file))?.owner;
  const who = owner === undefined ? "another process" : `process ${owner.pid} on ${owner.hostname} (since ${owner.acquiredAt})`;
  // Held by this very process through another copy of Jotty: shared, as within one copy.
  if (owner !== undefined && sameProcess(owner, currentProcess())) return undefined;
  if (onBusy === "refuse") {
    throw new JottyError({
      code: "vault_locked",
      message: `${who} is learning into ${dir}; what this run learned would not be merged with what it learns. Wait for it to finish, use another output folder, or set persistence.concurrentWriters to "wait" (or "warn" to go on unmerged).`,
      details: { folder: dir, pid: owner?.pid ?? null },
    });
  }
  if (onBusy === "warn") {
    onWarning?.(
      `${who} is also learning into ${dir}: the two runs' learning is not merged — each save holds only its own process's learning, and the next run loads whichever saved last (the other stays in its own run folders).`,
    );
    return undefined;
  }
  onWarning?.(`${who} is learning into ${dir}; waiting for it to finish before going on, so that neither loses what the other learns.`);
  return acquireLockFile(file, { ...lock, wait: true, timeoutMs: Number.POSITIVE_INFINITY, purpose: "learning into this folder" });
}

/**
 * Takes the writer lease of an output folder (`.jotty.writer`) for as long as a learning run
 * lasts. Only one process learns into a folder at a time: until learning from several
 * processes is merged, a second writer's saves would silently drop the first's learning (or
 * the first's the second's). When another live process holds the lease, `onBusy` says what
 * happens: `wait` until it is released (the waiting process then loads what the other
 * learned), `warn` and go on unmerged, or `refuse`. Requests within one process share the
 * lease. Returns its release.
 *
 * @throws JottyError `vault_locked` for `refuse` when another process holds the lease.
 */
export async function acquireWriterLease(
  dir: string,
  { onBusy, onWarning, lock = {} }: { onBusy: ConcurrentWriters; onWarning?: ((warning: string) => void) | undefined; lock?: LockOptions },
): Promise<() => Promise<void>> {
  const file = path.join(dir, WRITER);
  let entry = held.get(file);
  if (entry === undefined) {
    entry = { count: 0, lock: take(file, dir, { onBusy, onWarning, lock }) };
    held.set(file, entry);
  }
  entry.count += 1;
  try {
    await entry.lock;
  } catch (error) {
    entry.count -= 1;
    if (held.get(file) === entry && entry.count === 0) held.delete(file);
    throw error;
  }
  const mine = entry;
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    mine.count -= 1;
    if (mine.count > 0) return;
    if (held.get(file) === mine) held.delete(file);
    await (await mine.lock)?.release();
  };
}
