import { z } from "zod";
import { decodeVector, encodeVector } from "../embeddings/index.js";
import { parseSnapshot } from "../util/index.js";
import { checkColumns, columnsToEntries, MEMORY_COLUMNS_VERSION, MemoryColumnsSchema, type MemoryColumns } from "./memory-columns.js";
import { MemoryEntrySchema } from "./memory-entry.js";
import { SNAPSHOT_HEADER_SHAPE } from "./snapshot-header-schema.js";

export { decodeVector, encodeVector };

/** The schema version snapshots are written with. */
export const MEMORY_SNAPSHOT_VERSION = 1;

/** A memory snapshot, version 1. */
export const MemorySnapshotSchema = z.strictObject({
  schemaVersion: z.literal(MEMORY_SNAPSHOT_VERSION),
  ...SNAPSHOT_HEADER_SHAPE,
  entries: z.array(MemoryEntrySchema.extend({ vector: z.string().optional() })),
});

/** A memory snapshot: plain JSON. */
export type MemorySnapshot = z.infer<typeof MemorySnapshotSchema>;

/**
 * From this many memories, columns are checked where they are by the compiled check; below it
 * zod copies them. Compiling the check costs about 0.1 s, once a process: what zod takes for
 * some 20,000 memories, and a tenth of a small team's restart.
 */
export const COLUMNS_CHECKED_IN_PLACE_FROM = 10_000;

/** A snapshot checked against the schema of its form: rows (checked in place, or copied), or columns (only read, so checked in place when large). */
function checkedForm(snapshot: unknown, inPlace: boolean): { rows: MemorySnapshot } | { columns: MemoryColumns } {
  const header = snapshot as { schemaVersion?: unknown; size?: unknown } | null;
  const version = header?.schemaVersion;
  if (typeof version !== "number" || version < MEMORY_COLUMNS_VERSION) {
    return { rows: parseSnapshot({ schema: MemorySnapshotSchema, snapshot, version: MEMORY_SNAPSHOT_VERSION, what: "memory", inPlace }) };
  }
  const large = typeof header?.size === "number" && header.size >= COLUMNS_CHECKED_IN_PLACE_FROM;
  return { columns: parseSnapshot({ schema: MemoryColumnsSchema, snapshot, version: MEMORY_COLUMNS_VERSION, what: "memory", inPlace: large }) };
}

/**
 * Validates a memory snapshot, as rows (version 1) or as columns (version 2, what the Vault
 * writes), and returns it as rows. With `inPlace`, rows are checked where they are and
 * returned as they are (see `parseSnapshot`), so the caller must own them; rows built from
 * columns are always new.
 *
 * @throws JottyError `snapshot_version_unsupported` when it comes from a newer Jotty,
 *   `snapshot_invalid` when it does not match the schema.
 */
export function parseMemorySnapshot(snapshot: unknown, { inPlace = false }: { inPlace?: boolean } = {}): MemorySnapshot {
  const form = checkedForm(snapshot, inPlace);
  if ("rows" in form) return form.rows;
  const { schemaVersion: _version, size: _size, goals, lastConsolidation, name, embedder, totalAccesses } = form.columns;
  return {
    schemaVersion: MEMORY_SNAPSHOT_VERSION,
    name,
    embedder,
    totalAccesses,
    ...(lastConsolidation === undefined ? {} : { lastConsolidation }),
    entries: columnsToEntries(form.columns),
    goals: { ...goals },
  };
}

/**
 * Checks a memory snapshot in either form where it is, building nothing: what a save runs
 * before it writes.
 *
 * @throws JottyError as {@link parseMemorySnapshot} does.
 */
export function checkMemorySnapshot(snapshot: unknown): void {
  const form = checkedForm(snapshot, true);
  if ("columns" in form) checkColumns(form.columns);
}
