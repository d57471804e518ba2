/** How often a search took a path other than the graph: told by `HnswVectorIndex.counters`. */
export interface HnswCounters {
  /** Filters that so few vectors pass that every passing vector was scored. */
  exactScans: number;
  /** Filtered graph searches that found fewer than `k` and were redone exactly. */
  exactFallbacks: number;
  /** Rebuilds that dropped removed nodes. */
  rebuilds: number;
  /** Adds linked in from the `beforeAdd` search just before them, instead of searching again. */
  searchesReused: number;
}

/** Counters at zero: an index's first, and what an index without a graph reports. */
export function zeroHnswCounters(): HnswCounters {
  return { exactScans: 0, exactFallbacks: 0, rebuilds: 0, searchesReused: 0 };
}
