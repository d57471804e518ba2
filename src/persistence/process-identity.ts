import { readFileSync, readlinkSync } from "node:fs";
import os from "node:os";

/** Who holds a lock, a lease or a checkpoint folder: enough to tell later whether it still runs. */
export interface ProcessIdentity {
  pid: number;
  hostname: string;
  /**
   * When the process started, in clock ticks since boot (`/proc/<pid>/stat`, Linux), so a pid
   * that a later, unrelated process has taken is not mistaken for the owner. Null where the
   * system does not tell.
   */
  startTicks: number | null;
  /**
   * The kernel's boot id and the process's pid namespace (Linux), so that a process of another
   * container or another boot that happens to share the hostname is not judged by pids it
   * cannot see. Null where the system does not tell.
   */
  bootId?: string | null;
  pidNamespace?: string | null;
}

function readOr<T>(read: () => T): T | null {
  try {
    return read();
  } catch {
    return null;
  }
}

/** The start time of a process in clock ticks since boot, or null where `/proc` does not say. */
export function processStartTicks(pid: number | "self"): number | null {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, "utf8");
  } catch {
    return null;
  }
  // The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[19]);
  return Number.isFinite(ticks) ? ticks : null;
}

let self: ProcessIdentity | undefined;

/** This process. */
export function currentProcess(): ProcessIdentity {
  self ??= {
    pid: process.pid,
    hostname: os.hostname(),
    startTicks: processStartTicks("self"),
    bootId: readOr(() => readFileSync("/proc/sys/kernel/random/boot_id", "utf8").trim()),
    pidNamespace: readOr(() => readlinkSync("/proc/self/ns/pid")),
  };
  return self;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/**
 * What can be known of an owner from this machine: `alive` or `dead` for a process of this
 * host, boot and pid namespace (its pid runs, and started when the owner did), `unknown` for
 * any other's.
 */
export function ownerStatus(owner: Partial<ProcessIdentity>): "alive" | "dead" | "unknown" {
  if (typeof owner.pid !== "number" || owner.hostname !== os.hostname()) return "unknown";
  const me = currentProcess();
  // Same name, but another boot or another pid namespace: its pids are not ours to check.
  if (typeof owner.bootId === "string" && typeof me.bootId === "string" && owner.bootId !== me.bootId) return "unknown";
  if (typeof owner.pidNamespace === "string" && typeof me.pidNamespace === "string" && owner.pidNamespace !== me.pidNamespace) return "unknown";
  if (!pidAlive(owner.pid)) return "dead";
  if (typeof owner.startTicks === "number") {
    const now = processStartTicks(owner.pid);
    // The pid runs again, but it is a later process: the owner is gone.
    if (now !== null && now !== owner.startTicks) return "dead";
  }
  return "alive";
}

/** Whether two identities name the same process. */
export function sameProcess(a: Partial<ProcessIdentity>, b: ProcessIdentity): boolean {
  return a.pid === b.pid && a.hostname === b.hostname && (a.startTicks ?? null) === b.startTicks;
}
