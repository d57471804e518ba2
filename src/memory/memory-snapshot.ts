import { z } from "zod";
import { decodeVector, encodeVector } from "../embeddings/index.js";
import { parseSnapshot } from "../util/index.js";
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
 * Validates a memory snapshot; with `inPlace`, where it is, returning it as it is (see
 * `parseSnapshot`): the caller must own it.
 *
 * @throws JottyError `snapshot_version_unsupported` when it comes from a newer Jotty,
 *   `snapshot_invalid` when it does not match the schema.
 */
export function parseMemorySnapshot(snapshot: unknown, { inPlace = false }: { inPlace?: boolean } = {}): MemorySnapshot {
  return parseSnapshot({ schema: MemorySnapshotSchema, snapshot, version: MEMORY_SNAPSHOT_VERSION, what: "memory", inPlace });
}
