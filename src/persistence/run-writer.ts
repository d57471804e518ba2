import { randomBytes } from "node:crypto";
import path from "node:path";
import { issueList, JottyError } from "../errors/index.js";
import { fsyncFolder, writeFileAtomic } from "./atomic-write.js";
import type { AuditRecord } from "./audit-log.js";
import { binarySuffix, codecSuffix, encodeText, encryptBytes, type Codec } from "./codec.js";
import { isVectorsStem, JottyStateSchema, splitState, STATE_SCHEMA_VERSION, type JottyState } from "./jotty-state.js";
import { firstUnsafeValue } from "./json-safety.js";
import { MANIFEST, MANIFEST_VERSION, manifestMac, runFileAad, type ManifestV2 } from "./manifest.js";
import { sha256Hex } from "./run-reader.js";

/** One file of a run, encoded. */
export interface EncodedFile {
  stem: string;
  path: string;
  bytes: Buffer;
  sha256: string;
}

/**
 * Checks a state and encodes its files: its shape, and that every value survives JSON (no NaN,
 * Infinity, cycles or class instances), then each file compressed and encrypted (bound to a
 * fresh save id and its path) as the codec says.
 *
 * @throws JottyError `snapshot_invalid` naming the first problem.
 */
export async function encodeState(state: JottyState, codec: Codec): Promise<{ runId: string; files: EncodedFile[] }> {
  const parsed = JottyStateSchema.safeParse(state);
  if (!parsed.success) {
    throw new JottyError({ code: "snapshot_invalid", message: `Cannot save this state: ${issueList(parsed.error, { root: "(root)", limit: 5 }).join("; ")}.` });
  }
  const { vectors: _vectors, ...plain } = state;
  const unsafe = firstUnsafeValue(plain, "state");
  if (unsafe !== undefined) throw new JottyError({ code: "snapshot_invalid", message: `Cannot save this state: ${unsafe}. Nothing was written.` });
  const runId = randomBytes(16).toString("hex");
  const suffix = codecSuffix(codec);
  const files = await Promise.all(
    splitState(parsed.data).map(async ({ stem, content }) => {
      const binary = isVectorsStem(stem);
      const file = binary ? `${stem}${binarySuffix(codec)}` : `${stem}${suffix}`;
      // Vectors are stored as they are: floats and codes barely compress.
      const plain = binary ? Buffer.from((content as Uint8Array).buffer, (content as Uint8Array).byteOffset, (content as Uint8Array).byteLength) : await encodeText(JSON.stringify(content), { compress: codec.compress });
      const bytes = codec.key === undefined ? plain : encryptBytes(plain, codec.key, runFileAad(runId, file));
      return { stem, path: file, bytes, sha256: sha256Hex(bytes) };
    }),
  );
  return { runId, files };
}

/**
 * Writes a run's files, each atomically, then flushes every folder of the run and the run's
 * own entry in the output folder, so a power cut after the manifest cannot lose a folder the
 * manifest names.
 */
export async function writeFiles(folder: string, files: readonly EncodedFile[]): Promise<void> {
  await Promise.all(files.map((file) => writeFileAtomic(path.join(folder, file.path), file.bytes)));
  const folders = new Set<string>();
  for (const file of files) {
    for (let current = path.dirname(path.join(folder, file.path)); current.startsWith(folder); current = path.dirname(current)) folders.add(current);
  }
  for (const inner of [...folders].sort((a, b) => b.length - a.length)) await fsyncFolder(inner);
  await fsyncFolder(path.dirname(folder));
}

/**
 * Writes a run's manifest, the save's commit point: each file's size and checksum, the save's
 * id, the audit records it appends, and for an encrypted run a MAC over all of it.
 */
export async function writeManifest({
  folder,
  run,
  runId,
  files,
  codec,
  createdAt,
  records,
  auditLog,
}: {
  folder: string;
  run: string;
  runId: string;
  files: readonly EncodedFile[];
  codec: Codec;
  createdAt: string;
  records: AuditRecord[];
  auditLog: string | null;
}): Promise<void> {
  const body: Omit<ManifestV2, "mac"> = {
    manifestVersion: MANIFEST_VERSION,
    schemaVersion: STATE_SCHEMA_VERSION,
    createdAt,
    run,
    runId,
    codec: { compress: codec.compress, encrypted: codec.key !== undefined },
    files: files.map(({ stem, path: file, bytes, sha256 }) => ({ path: file, stem, bytes: bytes.length, sha256 })),
    audit: records,
    auditLog,
  };
  const manifest: ManifestV2 = codec.key === undefined ? body : { ...body, mac: manifestMac(body, codec.key) };
  await writeFileAtomic(path.join(folder, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
}
