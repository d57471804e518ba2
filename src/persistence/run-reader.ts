import { promises as fsp } from "node:fs";
import path from "node:path";
import { errorMessage, JottyError } from "../errors/index.js";
import { decodeBinary, decodeBytes } from "./codec.js";
import { isVectorsStem, joinState, JottyStateSchema, STATE_SCHEMA_VERSION, type JottyState } from "./jotty-state.js";
import { checkManifest, fileAad, MANIFEST, type Manifest } from "./manifest.js";
import { migrateState } from "./migrations/index.js";
import { readHashed, readHashedHere, sha256Hex } from "./read-hashed.js";
import { readWhole } from "./read-whole.js";

/** What a run folder holds: a complete run, one whose save never finished, or a damaged one. */
export type RunStatus = "complete" | "incomplete" | "damaged";

/** A run folder as checked on disk. */
export interface RunCheck {
  status: RunStatus;
  /** Why it is not complete. */
  problem?: string;
  manifest?: Manifest;
}

export { sha256Hex } from "./read-hashed.js";


/**
 * Reads and checks a run's manifest. A folder without one is `incomplete` (its save did not
 * finish); one whose manifest is unreadable or refused is `damaged`.
 */
export async function readManifest(dir: string, run: string, key: Buffer | undefined): Promise<RunCheck> {
  const text = await fsp.readFile(path.join(dir, run, MANIFEST), "utf8").catch((error: NodeJS.ErrnoException) => error);
  if (text instanceof Error) {
    return text.code === "ENOENT"
      ? { status: "incomplete", problem: `${run}: missing ${MANIFEST} (the save did not finish)` }
      : { status: "damaged", problem: `${run}: ${MANIFEST} cannot be read (${text.code ?? errorMessage(text)})` };
  }
  try {
    return { status: "complete", manifest: checkManifest(text, { run, key }) };
  } catch (error) {
    return { status: "damaged", problem: errorMessage(error) };
  }
}

/**
 * Checks a run's files against its manifest: sizes only (`quick`), or sizes and checksums.
 * Returns the first problem, or undefined when every file matches.
 */
export async function checkFiles(dir: string, run: string, manifest: Manifest, { quick = false }: { quick?: boolean } = {}): Promise<string | undefined> {
  const folder = path.join(dir, run);
  for (const file of manifest.files) {
    const full = path.join(folder, file.path);
    if (quick) {
      const size = await fsp.stat(full).then((stat) => stat.size, () => -1);
      if (size < 0) return `${run}: missing ${file.path}`;
      if (size !== file.bytes) return `${run}: ${file.path} does not match its checksum in the manifest`;
      continue;
    }
    const bytes = await readWhole(full).catch(() => undefined);
    if (bytes === undefined) return `${run}: missing ${file.path}`;
    if (bytes.length !== file.bytes || sha256Hex(bytes) !== file.sha256) return `${run}: ${file.path} does not match its checksum in the manifest`;
  }
  return undefined;
}

/**
 * Reads one run: manifest checked, every file's checksum verified, decoded (decrypted with the
 * associated data that binds it to its run and path), migrated and checked against the schema.
 *
 * @throws JottyError naming the first problem (`snapshot_invalid`, `vault_decrypt_failed`,
 *   `snapshot_version_unsupported`).
 */
export async function readRunState(dir: string, run: string, key: Buffer | undefined, warn?: (warning: string) => void): Promise<JottyState> {
  const check = await readManifest(dir, run, key);
  if (check.manifest === undefined) {
    const code = check.problem?.includes("not authenticated") ? "vault_decrypt_failed" : "snapshot_invalid";
    throw new JottyError({ code, message: check.problem ?? `${run}: unreadable` });
  }
  const { codec, files, schemaVersion } = check.manifest;
  if (schemaVersion > STATE_SCHEMA_VERSION) {
    throw new JottyError({
      code: "snapshot_version_unsupported",
      message: `${run}: state schema version ${schemaVersion} is newer than this Jotty reads (${STATE_SCHEMA_VERSION}); upgrade Jotty to load it`,
    });
  }
  const folder = path.join(dir, run);
  const manifest = check.manifest;
  const contents = await Promise.all(
    files.map(async (file) => {
      // A memory's vectors, the largest files, are hashed on a worker while this thread parses the JSON it needs first.
      const full = path.join(folder, file.path);
      const read = await (isVectorsStem(file.stem) ? readHashed(full, file.bytes, warn) : readHashedHere(full)).catch(() => undefined);
      if (read === undefined) throw new JottyError({ code: "snapshot_invalid", message: `${run}: missing ${file.path}` });
      const { bytes } = read;
      if (bytes.length !== file.bytes || read.sha256 !== file.sha256) {
        throw new JottyError({ code: "snapshot_invalid", message: `${run}: ${file.path} does not match its checksum in the manifest` });
      }
      const aad = fileAad(manifest, file.path);
      if (isVectorsStem(file.stem)) {
        try {
          return { stem: file.stem, content: new Uint8Array(decodeBinary(bytes, { encrypted: codec.encrypted, key, aad })) as unknown };
        } catch (error) {
          throw new JottyError({ code: JottyError.is(error) ? error.code : "snapshot_invalid", message: `${run}: ${file.path}: ${errorMessage(error)}` });
        }
      }
      let decoded: string;
      try {
        decoded = await decodeBytes(bytes, { compressed: codec.compress, encrypted: codec.encrypted, key, aad });
      } catch (error) {
        throw new JottyError({ code: JottyError.is(error) ? error.code : "snapshot_invalid", message: `${run}: ${file.path}: ${errorMessage(error)}` });
      }
      try {
        return { stem: file.stem, content: JSON.parse(decoded) as unknown };
      } catch {
        throw new JottyError({ code: "snapshot_invalid", message: `${run}: ${file.path} is not valid JSON` });
      }
    }),
  );
  let migrated: Record<string, unknown>;
  try {
    migrated = migrateState(joinState(schemaVersion, contents));
  } catch (error) {
    throw new JottyError({ code: JottyError.is(error) ? error.code : "snapshot_invalid", message: `${run}: ${errorMessage(error)}` });
  }
  const state = JottyStateSchema.safeParse(migrated);
  if (!state.success) throw new JottyError({ code: "snapshot_invalid", message: `${run}: the state does not match schema version ${STATE_SCHEMA_VERSION}` });
  return state.data;
}
