import { embedderId, packSections, TieredVectorIndex, unpackSections, type Embedder, type VectorIndex } from "../embeddings/index.js";
import { errorMessage } from "../errors/index.js";
import type { MemoryConfig } from "../config/index.js";
import type { MemoryTable } from "./memory-table.js";

/** How a memory's vector index is made, and loaded from bytes when it is the built-in one. */
export interface IndexFactory {
  create: (dimensions: number) => VectorIndex;
  /** Undefined for an index of the caller's own, which Jotty cannot load. */
  load: ((bytes: Uint8Array) => VectorIndex) | undefined;
}

/** The built-in index under the memory's `index` settings: exact while small, HNSW from `approximateFrom` on. */
export function builtInIndex(settings: MemoryConfig["index"]): IndexFactory {
  return {
    create: (dimensions) => new TieredVectorIndex({ dimensions, ...settings }),
    load: (bytes) => TieredVectorIndex.fromBytes(bytes, settings),
  };
}

/** The memory's vectors and index as bytes (undefined when there is no index or it cannot be written). */
export function memoryVectors(table: MemoryTable, embedder: Embedder): Uint8Array | undefined {
  const index = table.index;
  if (index?.toBytes === undefined) return undefined;
  // The index's own arrays are copied once, into the buffer that holds them all.
  return packSections({ format: "jotty-memory-vectors", version: 1, embedder: embedderId(embedder), size: index.size }, [index.toPacked?.() ?? index.toBytes()]);
}

/**
 * The index stored by {@link memoryVectors}, when it fits the snapshot being restored: written
 * by the same embedder, holding exactly the snapshot's memories. Otherwise why not, so the
 * caller embeds again and says so.
 */
export function loadMemoryVectors(
  bytes: Uint8Array,
  { embedder, ids, load }: { embedder: Embedder; ids: readonly string[]; load: IndexFactory["load"] },
): { index: VectorIndex } | { problem: string } {
  if (load === undefined) return { problem: "the memory uses an index of its own, which stored vectors cannot be loaded into" };
  try {
    const { header, sections } = unpackSections(bytes, "memory vectors");
    if (header.format !== "jotty-memory-vectors" || header.version !== 1 || sections.length !== 1) return { problem: "the stored vectors are not version 1 memory vectors" };
    if (header.embedder !== embedderId(embedder)) return { problem: `the stored vectors were made by ${String(header.embedder)}, not by ${embedderId(embedder)}` };
    const index = load(sections[0] as Uint8Array);
    if (!(index.holdsExactly?.(ids) ?? (index.size === ids.length && ids.every((id) => index.has(id))))) return { problem: "the stored vectors are not those of the snapshot's memories" };
    return { index };
  } catch (error) {
    return { problem: errorMessage(error) };
  }
}
