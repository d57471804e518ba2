import { z } from "zod";
import { JottyError } from "../errors/index.js";
import { AuditRecordSchema } from "./audit-log.js";
import { binarySuffix, codecSuffix, hmacHex, macKeyOf } from "./codec.js";
import { isVectorsStem } from "./jotty-state.js";

/** Where a run's manifest lives, relative to the run folder. */
export const MANIFEST = "jotty_state/manifest.json";

/** The manifest version this Jotty writes. */
export const MANIFEST_VERSION = 2;

/** A relative path of letters, digits, `_`, `-` and `.`, no segment starting with a dot: it cannot leave the run folder. */
const SAFE_PATH = /^[A-Za-z0-9_][A-Za-z0-9_.-]*(?:\/[A-Za-z0-9_][A-Za-z0-9_.-]*)*$/;

const FileSchema = z.strictObject({
  path: z.string().regex(SAFE_PATH, "must be a relative path inside the run folder"),
  stem: z.string().regex(SAFE_PATH, "must be a relative path inside the run folder"),
  bytes: z.int().min(0),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});

const CodecSchema = z.strictObject({ compress: z.boolean(), encrypted: z.boolean() });

const V1Schema = z.strictObject({
  manifestVersion: z.literal(1),
  schemaVersion: z.int().positive(),
  createdAt: z.string(),
  run: z.string(),
  codec: CodecSchema,
  files: z.array(FileSchema),
});

const V2Schema = z.strictObject({
  manifestVersion: z.literal(2),
  schemaVersion: z.int().positive(),
  createdAt: z.string(),
  run: z.string(),
  /** Random id of this save, bound into every encrypted file (with its path) as associated data. */
  runId: z.string().regex(/^[0-9a-f]{32}$/),
  codec: CodecSchema,
  files: z.array(FileSchema),
  /** The audit records this save appends, so a crash before they reach the log is repaired. */
  audit: z.array(AuditRecordSchema),
  /** The identity of the log they go to (the hash of its first record); null when the log could not be read. */
  auditLog: z.string().regex(/^[0-9a-f]{64}$/).nullable(),
  /** HMAC-SHA256 of the rest, under a key derived from the passphrase (encrypted runs only). */
  mac: z.string().regex(/^[0-9a-f]{64}$/).optional(),
});

/** What a run's manifest records. */
export type Manifest = z.infer<typeof V1Schema> | z.infer<typeof V2Schema>;

/** A manifest this Jotty writes. */
export type ManifestV2 = z.infer<typeof V2Schema>;

const ManifestSchema = z.discriminatedUnion("manifestVersion", [V1Schema, V2Schema]);

/** JSON with object keys sorted at every level, so the same content always gives the same text. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, inner]) => inner !== undefined);
    return `{${entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, inner]) => `${JSON.stringify(key)}:${canonical(inner)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}

/** The MAC of a manifest (without its `mac` field). */
export function manifestMac(manifest: Omit<ManifestV2, "mac">, key: Buffer): string {
  const { mac: _mac, ...rest } = manifest as ManifestV2;
  return hmacHex(macKeyOf(key), canonical(rest));
}

/** The associated data an encrypted file of a run is bound to. */
export function fileAad(manifest: Manifest, file: string): string | undefined {
  return manifest.manifestVersion === 1 ? undefined : runFileAad(manifest.runId, file);
}

/** The associated data of a file of the save `runId`: another save's copy of the file, or another file, does not decrypt in its place. */
export function runFileAad(runId: string, file: string): string {
  return `jotty-run:${runId}:${file}`;
}

const invalid = (run: string, reason: string): JottyError => new JottyError({ code: "snapshot_invalid", message: `${run}: ${reason}` });

/**
 * Parses and checks a run's manifest: its shape, that it names this run, that every file path
 * stays inside the run folder and matches its codec, and — for a vault with a key — that the
 * run is encrypted and its manifest authenticated, so a planted plaintext run or a copied
 * manifest is refused.
 *
 * @throws JottyError `snapshot_invalid` (or `vault_decrypt_failed`) naming the problem.
 */
export function checkManifest(text: string, { run, key }: { run: string; key: Buffer | undefined }): Manifest {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw invalid(run, `${MANIFEST} is not valid JSON`);
  }
  const parsed = ManifestSchema.safeParse(data);
  if (!parsed.success) {
    const first = parsed.error.issues[0];
    throw invalid(run, `${MANIFEST} does not match its schema${first === undefined ? "" : ` (${first.path.join(".")}: ${first.message})`}`);
  }
  const manifest = parsed.data;
  if (manifest.run !== run) throw invalid(run, `${MANIFEST} belongs to run ${manifest.run}, not to this folder`);
  const suffix = codecSuffix({ compress: manifest.codec.compress, key: manifest.codec.encrypted ? Buffer.alloc(0) : undefined });
  const binary = binarySuffix({ key: manifest.codec.encrypted ? Buffer.alloc(0) : undefined });
  for (const file of manifest.files) {
    const expected = `${file.stem}${isVectorsStem(file.stem) ? binary : suffix}`;
    if (file.path !== expected) throw invalid(run, `${MANIFEST} lists ${file.path}, which does not match its codec`);
  }
  if (key !== undefined) {
    if (!manifest.codec.encrypted) {
      throw invalid(run, "it is not encrypted, but this folder's runs are: a run written without the key is not loaded into an encrypted folder");
    }
    if (manifest.manifestVersion === 2 && (manifest.mac === undefined || manifest.mac !== manifestMac(manifest, key))) {
      throw new JottyError({
        code: "vault_decrypt_failed",
        message: `${run}: ${MANIFEST} is not authenticated by this key: the key is wrong or the manifest was altered`,
      });
    }
  }
  return manifest;
}
