import { randomBytes } from "node:crypto";
import { promises as fsp } from "node:fs";
import path from "node:path";
import { CONFIG_DEFAULTS } from "../config/index.js";
import { JottyError } from "../errors/index.js";
import { systemClock, type Clock } from "../util/index.js";
import { currentProcess, ownerStatus, sameProcess, type ProcessIdentity } from "./process-identity.js";

/** How {@link acquireLock} behaves when another process holds the lock. */
export interface LockOptions {
  /** Wait for it to be released. @default true */
  wait?: boolean;
  /** Give up after this long. @default 30000 */
  timeoutMs?: number;
  /** Where time is read for the lock's timestamp. @default systemClock */
  clock?: Clock;
  /**
   * A lock held on another machine (whose process cannot be checked from here) is stale when
   * its holder has not renewed it for this long (clocks of machines differ by a few seconds at most). @default 60000
   */
  staleAfterMs?: number;
  /** How often the holder renews its lock. @default 5000 */
  heartbeatMs?: number;
}

/** What a lock file records. */
export interface LockOwner extends ProcessIdentity {
  acquiredAt: string;
  /** Tells two holds by the same process apart. */
  token: string;
  /** What the holder is doing, for messages. */
  purpose?: string;
}

/** A held lock. */
export interface HeldLock {
  /** Releases it (only if it is still this holder's). */
  release: () => Promise<void>;
  /** Whether the lock file is still this holder's (another process may have judged it stale). */
  held: () => Promise<boolean>;
}

/** Reads a lock file: its owner, or undefined while it is being written or when it is damaged. */
export async function readLockOwner(file: string): Promise<{ owner: LockOwner | undefined; raw: string } | undefined> {
  const raw = await fsp.readFile(file, "utf8").catch(() => undefined);
  if (raw === undefined) return undefined;
  try {
    const owner = JSON.parse(raw) as LockOwner;
    return { owner: typeof owner?.pid === "number" ? owner : undefined, raw };
  } catch {
    return { owner: undefined, raw };
  }
}

/**
 * Whether a lock can be taken over: its process is gone (same machine: the pid is free, or
 * runs a later process), another machine's holder stopped renewing it, or it was left
 * half-written by a crash.
 */
async function lockIsStale(file: string, owner: LockOwner | undefined, staleAfterMs: number): Promise<boolean> {
  const modified = await fsp.stat(file).then((stat) => stat.mtimeMs, () => undefined);
  if (modified === undefined) return false; // gone: nothing to take over, the next attempt creates it
  const age = Date.now() - modified;
  if (owner === undefined) return age > 2_000;
  const status = ownerStatus(owner);
  return status === "dead" || (status === "unknown" && age > staleAfterMs);
}

/**
 * Removes a stale lock without removing a fresh one a rival wrote meanwhile: the file is moved
 * aside, and put back when it is no longer the one judged stale.
 */
async function breakLock(file: string, judged: string): Promise<void> {
  const aside = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.stale`;
  try {
    await fsp.rename(file, aside);
  } catch {
    return; // another process broke it first
  }
  const moved = await fsp.readFile(aside, "utf8").catch(() => undefined);
  if (moved !== judged) await fsp.link(aside, file).catch(() => undefined);
  await fsp.rm(aside, { force: true });
}

const sleep = (milliseconds: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, milliseconds));

/**
 * Takes an exclusive lock file (created with O_EXCL) holding its owner's pid, host, process
 * start time and a token, renewed every `heartbeatMs` while held. A lock left by a dead
 * process is taken over; so is one of another machine not renewed for `staleAfterMs`.
 *
 * @throws JottyError `vault_locked` when another live process holds it and `wait` is false,
 *   or it is not released within `timeoutMs`.
 */
export async function acquireLockFile(
  file: string,
  { wait = CONFIG_DEFAULTS.persistence.lock.wait, timeoutMs = CONFIG_DEFAULTS.persistence.lock.timeoutMs, clock = systemClock, staleAfterMs = 60_000, heartbeatMs = 5_000, purpose }: LockOptions & { purpose?: string } = {},
): Promise<HeldLock> {
  await fsp.mkdir(path.dirname(file), { recursive: true });
  const me: LockOwner = {
    ...currentProcess(),
    acquiredAt: new Date(clock.now()).toISOString(),
    token: randomBytes(8).toString("hex"),
    ...(purpose === undefined ? {} : { purpose }),
  };
  const deadline = Date.now() + timeoutMs;
  let pause = 5;
  for (;;) {
    try {
      const handle = await fsp.open(file, "wx");
      try {
        await handle.writeFile(JSON.stringify(me));
        await handle.sync();
      } finally {
        await handle.close();
      }
      return hold(file, me, heartbeatMs);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const found = await readLockOwner(file);
    if (found === undefined) continue; // released meanwhile
    if (await lockIsStale(file, found.owner, staleAfterMs)) {
      await breakLock(file, found.raw);
      continue;
    }
    if (!wait || Date.now() >= deadline) {
      const owner = found.owner;
      const who = owner === undefined ? "a process that is writing it now" : `process ${owner.pid} on ${owner.hostname}${sameProcess(owner, currentProcess()) ? " (this process)" : ""}`;
      throw new JottyError({
        code: "vault_locked",
        message: `${file} is held by ${who}${owner?.purpose === undefined ? "" : ` (${owner.purpose})`}${
          wait ? ` and was not released within ${timeoutMs} ms` : ""
        }. ${
          wait
            ? "Wait for it to finish or raise persistence.lock.timeoutMs; if that process is gone, delete the lock file."
            : "Wait for it to finish, or set persistence.lock.wait to true to wait for it."
        }`,
        details: { file, pid: owner?.pid ?? null, hostname: owner?.hostname ?? null },
      });
    }
    await sleep(pause);
    pause = Math.min(200, pause * 2);
  }
}

function hold(file: string, me: LockOwner, heartbeatMs: number): HeldLock {
  const mine = async (): Promise<boolean> => {
    const found = await readLockOwner(file);
    return found?.owner?.token === me.token && found.owner.pid === me.pid;
  };
  // Renewing shows another machine that the holder still works; a dead holder stops renewing.
  const timer = setInterval(() => {
    void mine().then((still) => (still ? fsp.utimes(file, new Date(), new Date()) : clearInterval(timer))).catch(() => undefined);
  }, heartbeatMs);
  timer.unref();
  return {
    release: async () => {
      clearInterval(timer);
      if (await mine()) await fsp.rm(file, { force: true });
    },
    held: mine,
  };
}

/**
 * Takes the exclusive lock of an output folder (`.jotty.lock`).
 *
 * @throws JottyError `vault_locked` (see {@link acquireLockFile}).
 */
export async function acquireLock(folder: string, options: LockOptions = {}): Promise<HeldLock> {
  return acquireLockFile(path.join(folder, ".jotty.lock"), { ...options, purpose: "saving learned state" });
}
