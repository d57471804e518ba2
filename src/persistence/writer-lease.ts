import path from "node:path";
import { JottyError } from "../errors/index.js";
import { currentProcess, sameProcess } from "./process-identity.js";
import { acquireLockFile, readLockOwner, type HeldLock, type LockOptions } from "./vault-lock.js";

/** What a second process that wants to learn into a folder another one is learning into does. */
export type ConcurrentWriters = "wait" | "warn" | "refuse";

const WRITER = ".jotty.writer";

/** Leases this process holds, by file: Conductors of one process share one. */
const held = new Map<string, { count: number; lock: HeldLock }>();

/**
 * Takes the writer lease of an output folder (`.jotty.writer`) for as long as a learning run
 * lasts. Only one process learns into a folder at a time: until learning from several
 * processes is merged, a second writer's saves would silently drop the first's learning (or
 * the first's the second's). When another live process holds the lease, `onBusy` says what
 * happens: `wait` until it is released (the waiting process then loads what the other
 * learned), `warn` and go on unmerged, or `refuse`. Conductors within one process share the
 * lease. Returns its release.
 *
 * @throws JottyError `vault_locked` for `refuse` when another process holds the lease.
 */
export async function acquireWriterLease(
  dir: string,
  { onBusy, onWarning, lock = {} }: { onBusy: ConcurrentWriters; onWarning?: ((warning: string) => void) | undefined; lock?: LockOptions },
): Promise<() => Promise<void>> {
  const file = path.join(dir, WRITER);
  const mine = held.get(file);
  if (mine !== undefined) {
    mine.count += 1;
    return releaser(file);
  }
  let lockHeld: HeldLock;
  try {
    lockHeld = await acquireLockFile(file, { ...lock, wait: false, purpose: "learning into this folder" });
  } catch (error) {
    if (!JottyError.is(error, "vault_locked")) throw error;
    const owner = (await readLockOwner(file))?.owner;
    const who = owner === undefined ? "another process" : `process ${owner.pid} on ${owner.hostname} (since ${owner.acquiredAt})`;
    if (owner !== undefined && sameProcess(owner, currentProcess())) {
      // Held by this very process through another copy of Jotty: shared, as within one copy.
      return async () => undefined;
    }
    if (onBusy === "refuse") {
      throw new JottyError({
        code: "vault_locked",
        message: `${who} is learning into ${dir}; what this run learned would not be merged with what it learns. Wait for it to finish, use another output folder, or set persistence.concurrentWriters to "wait" (or "warn" to go on unmerged).`,
        details: { folder: dir, pid: owner?.pid ?? null },
      });
    } else if (onBusy === "warn") {
      onWarning?.(
        `${who} is also learning into ${dir}: the two runs' learning is not merged — each save holds only its own process's learning, and the next run loads whichever saved last (the other stays in its own run folders).`,
      );
      return async () => undefined;
    } else {
      onWarning?.(`${who} is learning into ${dir}; waiting for it to finish so that this run starts from what it learned (persistence.concurrentWriters: "wait").`);
      lockHeld = await acquireLockFile(file, { ...lock, wait: true, timeoutMs: Number.POSITIVE_INFINITY, purpose: "learning into this folder" });
    }
  }
  held.set(file, { count: 1, lock: lockHeld });
  return releaser(file);
}

function releaser(file: string): () => Promise<void> {
  let released = false;
  return async () => {
    if (released) return;
    released = true;
    const entry = held.get(file);
    if (entry === undefined) return;
    entry.count -= 1;
    if (entry.count > 0) return;
    held.delete(file);
    await entry.lock.release();
  };
}
