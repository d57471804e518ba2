import { promises as fsp } from "node:fs";
import path from "node:path";
import type { AuditAnchor } from "./audit-log.js";
import type { NamedRunCheck } from "./output-folder.js";
import { checkFiles, type RunStatus } from "./run-reader.js";

/** A run folder and what it holds. */
export interface RunInfo {
  name: string;
  /** Its manifest is valid and every file matches it (checksums, unless listed with `verify: false`). */
  complete: boolean;
  /** `incomplete`: its save never finished; `damaged`: its manifest or a file is wrong (see `problem`). */
  status: RunStatus;
  problem?: string;
  /** Bytes on disk, all files included. */
  bytes: number;
  /** From the manifest, when it is readable. */
  createdAt?: string;
  schemaVersion?: number;
}

/** Learned state on disk: what {@link Vault.usage} returns. */
export interface VaultUsage {
  /** Bytes of the complete runs kept plus the audit log. */
  bytes: number;
  /** Complete runs, oldest first, with their size and growth over the run before (null for the first). */
  runs: Array<{ run: string; bytes: number; growth: number | null }>;
  /** Mean growth per run over the runs kept (null with fewer than two). */
  growthPerRun: number | null;
}


async function folderBytes(folder: string): Promise<number> {
  let total = 0;
  for (const entry of await fsp.readdir(folder, { withFileTypes: true, recursive: true }).catch(() => [])) {
    if (entry.isFile()) total += await fsp.stat(path.join(entry.parentPath, entry.name)).then((stat) => stat.size, () => 0);
  }
  return total;
}

/**
 * Every run folder with its size and status. A run is complete when its manifest is valid and
 * every file matches its checksum (sizes only with `verify: false`); `verified` remembers the
 * runs whose checksums were checked, by their manifest, so each is hashed once. Damaged runs
 * are told to `warn`.
 */
export async function describeRuns(
  dir: string,
  checks: readonly NamedRunCheck[],
  { verify, verified, warn }: { verify: boolean; verified: Map<string, string>; warn: (warning: string) => void },
): Promise<RunInfo[]> {
  const infos: RunInfo[] = [];
  for (const check of checks) {
    let { status, problem } = check;
    if (check.manifest !== undefined) {
      const vouched = JSON.stringify(check.manifest);
      const fileProblem = verified.get(check.name) === vouched ? undefined : await checkFiles(dir, check.name, check.manifest, { quick: !verify });
      if (fileProblem !== undefined) [status, problem] = ["damaged", fileProblem];
      else if (verify) verified.set(check.name, vouched);
    }
    if (status === "damaged") warn(`Skipped ${problem ?? check.name}`);
    infos.push({
      name: check.name,
      complete: status === "complete",
      status,
      ...(problem === undefined ? {} : { problem }),
      bytes: await folderBytes(path.join(dir, check.name)),
      ...(check.manifest === undefined ? {} : { createdAt: check.manifest.createdAt, schemaVersion: check.manifest.schemaVersion }),
    });
  }
  return infos;
}

/** Size on disk of the complete runs (newest first in `runs`) and the audit log, and how much each run grew over the one before. */
export function usageOf(runs: readonly RunInfo[], auditBytes: number): VaultUsage {
  const complete = runs.filter((run) => run.complete).reverse();
  const listed = complete.map((run, index) => ({ run: run.name, bytes: run.bytes, growth: index === 0 ? null : run.bytes - (complete[index - 1] as RunInfo).bytes }));
  const growths = listed.flatMap((run) => (run.growth === null ? [] : [run.growth]));
  return {
    bytes: complete.reduce((total, run) => total + run.bytes, 0) + auditBytes,
    runs: listed,
    growthPerRun: growths.length === 0 ? null : growths.reduce((total, growth) => total + growth, 0) / growths.length,
  };
}

/** What the runs' manifests remember of the audit log: the last record each save wrote. */
export function auditAnchorsOf(checks: readonly NamedRunCheck[]): AuditAnchor[] {
  const anchors: AuditAnchor[] = [];
  for (const { name, manifest } of checks) {
    if (manifest?.manifestVersion !== 2) continue;
    const last = manifest.audit.at(-1);
    if (last === undefined || manifest.auditLog === null) continue;
    anchors.push({ source: `run ${name}`, log: manifest.auditLog, seq: last.seq, hash: last.hash });
  }
  return anchors;
}
