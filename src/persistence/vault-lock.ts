import { promises as fsp } from "node:fs";
import os from "node:os";
import path from "node:path";
import { JottyError } from "../errors/index.js";
import { systemClock, type Clock } from "../util/index.js";

/** How {@link acquireLock} behaves when another process holds the lock. */
export interface LockOptions {
  /** Wait for it to be released. @default true */
  wait?: boolean;
  /** Give up after this long. @default 30000 */
  timeoutMs?: number;
  /** Where time is read. @default systemClock */
  clock?: Clock;
}

interface LockOwner {
  pid: number;
  hostname: string;
  acquiredAt: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function readOwner(file: string): Promise<LockOwner | undefined> {
  try {
    return JSON.parse(await fsp.readFile(file, "utf8")) as LockOwner;
  } catch {
    return undefined;
  }
}

const sleep = (milliseconds: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, milliseconds));

/**
 * Takes the exclusive lock of an output folder (`.jotty.lock`, created with O_EXCL). A lock
 * left by a dead process on this machine is taken over. Returns the release function.
 *
 * @throws JottyError `vault_locked` when another live process holds it and `wait` is false, or
 *   it is not released within `timeoutMs`.
 */
export async function acquireLock(
  folder: string,
  { wait = true, timeoutMs = 30_000, clock = systemClock }: LockOptions = {},
): Promise<() => Promise<void>> {
  await fsp.mkdir(folder, { recursive: true });
  const file = path.join(folder, ".jotty.lock");
  const me: LockOwner = { pid: process.pid, hostname: os.hostname(), acquiredAt: new Date(clock.now()).toISOString() };
  const deadline = clock.now() + timeoutMs;
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
      return async () => {
        const owner = await readOwner(file);
        if (owner?.pid === me.pid && owner.acquiredAt === me.acquiredAt) await fsp.rm(file, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const owner = await readOwner(file);
    // A lock file without a readable owner is being written right now, or was left half-written by a crash.
    const stale =
      owner === undefined
        ? clock.now() - (await fsp.stat(file).then((stat) => stat.mtimeMs, () => clock.now())) > 2_000
        : owner.hostname === os.hostname() && !alive(owner.pid);
    if (stale) {
      await fsp.rm(file, { force: true });
      continue;
    }
    if (!wait || clock.now() >= deadline) {
      throw new JottyError({
        code: "vault_locked",
        message: `The output folder ${folder} is locked by process ${owner?.pid ?? "unknown"} on ${owner?.hostname ?? "this machine"}${wait ? ` and was not released within ${timeoutMs} ms` : ""}. Wait for it to finish, or set persistence.lock.wait to true.`,
        details: { folder, pid: owner?.pid ?? null },
      });
    }
    await sleep(pause);
    pause = Math.min(200, pause * 2);
  }
}
