import { z } from "zod";
import { decodeVector, encodeVector } from "../embeddings/index.js";
import { parseSnapshot } from "../util/index.js";
import { JottyError } from "../errors/index.js";
import { columnsProblem, columnsToEntries, MEMORY_COLUMNS_VERSION, MemoryColumnsSchema } from "./memory-columns.js";
import { MemoryEntrySchema } from "./memory-entry.js";

export { decodeVector, encodeVector };

/** The schema version snapshots are written with. */
export const MEMORY_SNAPSHOT_VERSION = 1;

/** A memory snapshot, version 1. */
export const MemorySnapshotSchema = z.strictObject({
  schemaVersion: z.literal(MEMORY_SNAPSHOT_VERSION),
  name: z.string().min(1),
  /** Which embedder made the vectors (see `embedderId`). */
  embedder: z.string(),
  totalAccesses: z.int().min(0),
  /** When the last consolidation pass ran: episodes stored before it do not seed clusters again. */
  lastConsolidation: z.number().optional(),
  entries: z.array(MemoryEntrySchema.extend({ vector: z.string().optional() })),
  /** Goals seen, with their vectors (null when they are recomputed on restore). */
  goals: z.record(z.string(), z.string().nullable()),
});

/** A memory snapshot: plain JSON. */
export type MemorySnapshot = z.infer<typeof MemorySnapshotSchema>;

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
  const version = (snapshot as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof version !== "number" || version < MEMORY_COLUMNS_VERSION) {
    return parseSnapshot({ schema: MemorySnapshotSchema, snapshot, version: MEMORY_SNAPSHOT_VERSION, what: "memory", inPlace });
  }
  // The columns are only read (rows and payloads are built anew): checked where they are.
  const columns = parseSnapshot({ schema: MemoryColumnsSchema, snapshot, version: MEMORY_COLUMNS_VERSION, what: "memory", inPlace: true });
  return {
    schemaVersion: MEMORY_SNAPSHOT_VERSION,
    name: columns.name,
    embedder: columns.embedder,
    totalAccesses: columns.totalAccesses,
    ...(columns.lastConsolidation === undefined ? {} : { lastConsolidation: columns.lastConsolidation }),
    entries: columnsToEntries(columns),
    goals: { ...columns.goals },
  };
}

/**
 * Checks a memory snapshot in either form where it is, building nothing: what a save runs
 * before it writes.
 *
 * @throws JottyError as {@link parseMemorySnapshot} does.
 */
export function checkMemorySnapshot(snapshot: unknown): void {
  const version = (snapshot as { schemaVersion?: unknown } | null)?.schemaVersion;
  if (typeof version !== "number" || version < MEMORY_COLUMNS_VERSION) {
    parseSnapshot({ schema: MemorySnapshotSchema, snapshot, version: MEMORY_SNAPSHOT_VERSION, what: "memory", inPlace: true });
    return;
  }
  const problem = columnsProblem(parseSnapshot({ schema: MemoryColumnsSchema, snapshot, version: MEMORY_COLUMNS_VERSION, what: "memory", inPlace: true }));
  if (problem !== undefined) throw new JottyError({ code: "snapshot_invalid", message: `Not a memory snapshot of schema version ${MEMORY_COLUMNS_VERSION}: ${problem}.` });
}
