import { randomBytes } from "node:crypto";
import { promises as fsp } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { gunzip, gzip } from "node:zlib";
import { errorMessage, JottyError } from "../errors/index.js";
import { fsyncFolder, writeFileAtomic } from "./atomic-write.js";
import { DELETING_PREFIX, RESTORE_PREFIX } from "./leftovers.js";
import { checkManifest, MANIFEST, type Manifest } from "./manifest.js";
import { isRunName } from "./run-name.js";
import { sha256Hex } from "./run-reader.js";

const gzipAsync = promisify(gzip);
const gunzipAsync = promisify(gunzip);

interface ArchivedFile {
  path: string;
  sha256: string;
  data: string;
}

/** What a backup archive holds. */
export interface ArchiveBody {
  latest: string | null;
  runs: Array<{ name: string; files: ArchivedFile[] }>;
}

/**
 * Writes runs into one gzip archive with a checksum per file and one over the whole: each
 * run's manifest and the files it lists, byte for byte (encrypted runs stay encrypted).
 */
export async function writeBackup({
  dir,
  runs,
  latest,
  file,
  createdAt,
}: {
  dir: string;
  runs: ReadonlyArray<{ name: string; manifest: Manifest }>;
  latest: string | null;
  file: string;
  createdAt: string;
}): Promise<{ runs: number; bytes: number }> {
  const archived: ArchiveBody["runs"] = [];
  for (const { name, manifest } of runs) {
    const files: ArchivedFile[] = [];
    for (const relative of [...manifest.files.map((entry) => entry.path), MANIFEST]) {
      const bytes = await fsp.readFile(path.join(dir, name, relative));
      files.push({ path: relative, sha256: sha256Hex(bytes), data: bytes.toString("base64") });
    }
    archived.push({ name, files });
  }
  const body = JSON.stringify({ latest, runs: archived } satisfies ArchiveBody);
  const archive = JSON.stringify({ format: "jotty-backup", version: 1, createdAt, sha256: sha256Hex(Buffer.from(body)), body });
  const bytes = await gzipAsync(Buffer.from(archive));
  await writeFileAtomic(path.resolve(file), bytes);
  return { runs: archived.length, bytes: bytes.length };
}

/**
 * Reads and checks a backup archive: format, the checksum over the whole, run names, paths
 * (none may leave its run folder) and every file's checksum.
 *
 * @throws JottyError `backup_invalid` when anything does not match.
 */
export async function readBackup(file: string): Promise<ArchiveBody> {
  const invalid = (reason: string, cause?: unknown): JottyError =>
    new JottyError({ code: "backup_invalid", message: `${file} is not a usable Jotty backup: ${reason}. Nothing was restored.`, cause });
  let archive: { format?: unknown; version?: unknown; sha256?: unknown; body?: unknown };
  try {
    archive = JSON.parse((await gunzipAsync(await fsp.readFile(file))).toString("utf8")) as typeof archive;
  } catch (error) {
    throw invalid("it does not decompress into JSON", error);
  }
  if (archive.format !== "jotty-backup" || archive.version !== 1 || typeof archive.body !== "string") throw invalid("unknown format");
  if (sha256Hex(Buffer.from(archive.body)) !== archive.sha256) throw invalid("its checksum does not match");
  const body = JSON.parse(archive.body) as ArchiveBody;
  for (const run of body.runs) {
    if (!isRunName(run.name)) throw invalid(`it names an invalid run "${run.name}"`);
    for (const entry of run.files) {
      const segments = entry.path.split("/");
      if (segments.some((segment) => segment === "" || segment.startsWith(".")) || path.isAbsolute(entry.path) || entry.path.includes("\\")) {
        throw invalid(`it holds an unsafe path "${entry.path}"`);
      }
      if (sha256Hex(Buffer.from(entry.data, "base64")) !== entry.sha256) throw invalid(`${run.name}/${entry.path} does not match its checksum`);
    }
  }
  return body;
}

/**
 * Checks that every run of an archive would load in the folder it goes to: its manifest is
 * valid for that folder's key (an encrypted folder takes only encrypted, authenticated runs,
 * so a plaintext backup cannot put learned text in the clear into it), and every file the
 * manifest lists is in the archive with the checksum the manifest records.
 *
 * @throws JottyError `backup_invalid` naming the first run that would not (nothing is written).
 */
export function checkArchivedRuns(file: string, body: ArchiveBody, key: Buffer | undefined): void {
  for (const run of body.runs) {
    const refuse = (reason: string): JottyError =>
      new JottyError({ code: "backup_invalid", message: `${file} cannot be restored here: ${run.name} ${reason}. Nothing was restored.` });
    const manifestEntry = run.files.find((entry) => entry.path === MANIFEST);
    if (manifestEntry === undefined) throw refuse("has no manifest");
    let manifest: Manifest;
    try {
      manifest = checkManifest(Buffer.from(manifestEntry.data, "base64").toString("utf8"), { run: run.name, key });
    } catch (error) {
      throw refuse(`does not fit this folder (${errorMessage(error)})`);
    }
    for (const listed of manifest.files) {
      const archived = run.files.find((entry) => entry.path === listed.path);
      if (archived === undefined || archived.sha256 !== listed.sha256) throw refuse(`lacks ${listed.path} as its manifest records it`);
    }
  }
}

/**
 * Puts an archive's runs into an output folder, each atomically: written in full into a staging
 * folder, flushed, then renamed into place, so an interrupted restore leaves every run either
 * absent or complete and running it again finishes the job. A run already complete in the
 * folder is left as it is; one there but incomplete or damaged is replaced by the archive's.
 * Call it holding the folder's lock. Returns the runs written.
 */
export async function placeRuns({
  dir,
  body,
  isComplete,
}: {
  dir: string;
  body: ArchiveBody;
  isComplete: (run: string) => Promise<boolean>;
}): Promise<string[]> {
  const staging = path.join(dir, `${RESTORE_PREFIX}${process.pid}-${randomBytes(4).toString("hex")}`);
  const placed: string[] = [];
  try {
    for (const run of body.runs) {
      const target = path.join(dir, run.name);
      const present = await fsp.stat(target).then(() => true, () => false);
      if (present && (await isComplete(run.name))) continue;
      const folder = path.join(staging, run.name);
      for (const entry of run.files) await writeFileAtomic(path.join(folder, entry.path), Buffer.from(entry.data, "base64"));
      await fsyncFolder(staging);
      if (present) {
        const aside = path.join(dir, `${DELETING_PREFIX}${run.name}-${randomBytes(4).toString("hex")}`);
        await fsp.rename(target, aside);
        await fsp.rm(aside, { recursive: true, force: true });
      }
      await fsp.rename(folder, target);
      await fsyncFolder(dir);
      placed.push(run.name);
    }
  } finally {
    await fsp.rm(staging, { recursive: true, force: true });
  }
  return placed;
}
