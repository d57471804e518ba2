import { baseEmbedder, embedderId, embedTexts, HashingEmbedder } from "../embeddings/index.js";
import { entriesToColumns, type MemoryColumns } from "./memory-columns.js";
import type { MemoryEntry } from "./memory-entry.js";
import type { MemoryParts } from "./memory-parts.js";
import { loadMemoryVectors, type IndexFactory } from "./memory-vectors.js";
import { decodeVector, encodeVector, MEMORY_SNAPSHOT_VERSION, type MemorySnapshot } from "./memory-snapshot.js";

/** What a snapshot holds beyond the table and the goals: the memory's name and counters. */
export interface SnapshotHeader {
  name: string;
  totalAccesses: number;
  /** When the last consolidation pass started (-Infinity before the first, and then left out). */
  lastConsolidation: number;
}

/**
 * The whole memory as JSON (the body of {@link HierarchicalMemory.snapshot}), as rows or, with
 * `columns`, as columns. Vectors are left out for the offline hashing embedder, whose vectors
 * are recomputed on restore more cheaply than they are stored, unless `includeVectors` says otherwise.
 */
export function snapshotMemory(
  { table, goals, embedder }: Pick<MemoryParts, "table" | "goals" | "embedder">,
  { header, includeVectors, columns = false }: { header: SnapshotHeader; includeVectors: boolean | undefined; columns?: boolean | undefined },
): MemorySnapshot | MemoryColumns {
  const withVectors = includeVectors ?? !(baseEmbedder(embedder) instanceof HashingEmbedder);
  if (columns) {
    const goalVectors = Object.fromEntries([...goals.entries()].map(([goal, vector]) => [goal, withVectors ? encodeVector(vector) : null]));
    const lastConsolidation = Number.isFinite(header.lastConsolidation) ? header.lastConsolidation : undefined;
    const vectorOf = (id: string): string | undefined => {
      const vector = table.index?.get(id);
      return vector === undefined ? undefined : encodeVector(vector);
    };
    return entriesToColumns({ name: header.name, embedder: embedderId(embedder), totalAccesses: header.totalAccesses, lastConsolidation, goals: goalVectors }, table.values(), withVectors ? vectorOf : undefined);
  }
  return {
    schemaVersion: MEMORY_SNAPSHOT_VERSION,
    name: header.name,
    embedder: embedderId(embedder),
    totalAccesses: header.totalAccesses,
    ...(Number.isFinite(header.lastConsolidation) ? { lastConsolidation: header.lastConsolidation } : {}),
    entries: [...table.values()].map((entry) => {
      const copy = structuredClone(entry);
      const vector = withVectors ? table.index?.get(entry.id) : undefined;
      return vector === undefined ? copy : { ...copy, vector: encodeVector(vector) };
    }),
    goals: Object.fromEntries([...goals.entries()].map(([goal, vector]) => [goal, withVectors ? encodeVector(vector) : null])),
  };
}

function withoutVector({ vector: _vector, ...entry }: MemorySnapshot["entries"][number]): MemoryEntry {
  return entry;
}

/** Where a restored memory's vectors came from. */
export interface VectorRestore {
  /** `loaded`: the stored index as it was; `embedded`: some or all vectors computed again; `none`: nothing to restore. */
  vectors: "loaded" | "embedded" | "none";
  /** Why stored vectors given to the restore were not used. */
  problem?: string;
  /** Memories whose vectors were embedded again. */
  embedded?: number;
}

/**
 * Fills an empty memory's table and goals from a parsed snapshot (the body of
 * {@link HierarchicalMemory.restore}). Stored vectors are trusted only when the same embedder
 * made them, since vectors of two embedders are not comparable; the rest are embedded again.
 */
export async function restoreSnapshot(
  { table, goals, embedder }: Pick<MemoryParts, "table" | "goals" | "embedder">,
  snapshot: MemorySnapshot,
  { vectors, load }: { vectors: Uint8Array | undefined; load: IndexFactory["load"] },
): Promise<VectorRestore> {
  const sameEmbedder = snapshot.embedder === embedderId(embedder);
  const stored = vectors === undefined ? undefined : loadMemoryVectors(vectors, { embedder, ids: snapshot.entries.map((entry) => entry.id), load });
  const report: VectorRestore = { vectors: snapshot.entries.length === 0 ? "none" : "embedded" };
  if (stored !== undefined && "index" in stored) {
    // An entry saved without its vector (the usual case) is taken as it is, not copied.
    table.adopt(stored.index, snapshot.entries.map((entry) => (entry.vector === undefined ? entry : withoutVector(entry))));
    report.vectors = "loaded";
  } else if (stored !== undefined) report.problem = stored.problem;
  const missing = report.vectors === "loaded" ? [] : snapshot.entries.filter((entry) => !sameEmbedder || entry.vector === undefined);
  const embedded = await embedTexts(
    baseEmbedder(embedder),
    missing.map((entry) => entry.content),
  );
  const fresh = new Map(missing.map((entry, position) => [entry.id, embedded[position] as Float32Array]));
  if (report.vectors !== "loaded") {
    for (const { vector, ...entry } of snapshot.entries) table.insert(entry, fresh.get(entry.id) ?? decodeVector(vector as string));
    if (missing.length > 0) report.embedded = missing.length;
    else if (snapshot.entries.length > 0) report.vectors = "loaded";
  }
  const known = Object.entries(snapshot.goals);
  const goalsToEmbed = known.filter(([, vector]) => !sameEmbedder || vector === null).map(([goal]) => goal);
  const goalVectors = await embedTexts(embedder, goalsToEmbed);
  goalsToEmbed.forEach((goal, position) => goals.set(goal, goalVectors[position] as Float32Array));
  for (const [goal, vector] of known) {
    if (!goals.has(goal) && vector !== null) goals.set(goal, decodeVector(vector));
  }
  return report;
}
