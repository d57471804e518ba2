import { z } from "zod";

/** What a memory snapshot holds besides its entries, the same in rows and in columns. */
export const SNAPSHOT_HEADER_SHAPE = {
  name: z.string().min(1),
  /** Which embedder made the vectors (see `embedderId`). */
  embedder: z.string(),
  totalAccesses: z.int().min(0),
  /** When the last consolidation pass ran: episodes stored before it do not seed clusters again. */
  lastConsolidation: z.number().optional(),
  /** Goals seen, with their vectors (null when they are recomputed on restore). */
  goals: z.record(z.string(), z.string().nullable()),
};
