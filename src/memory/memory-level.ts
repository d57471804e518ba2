import { z } from "zod";

/**
 * The five levels of the hierarchical memory.
 *
 * - `EPISODIC`: raw events of episodes.
 * - `SEMANTIC`: patterns abstracted from clusters of episodes.
 * - `PROCEDURAL`: step-by-step procedures, from comparing successes and failures.
 * - `META`: wisdom about what works (protected from eviction by default).
 * - `CAUSAL`: cause → effect knowledge, e.g. failures with their context.
 */
export const MemoryLevel = {
  EPISODIC: "episodic",
  SEMANTIC: "semantic",
  PROCEDURAL: "procedural",
  META: "meta",
  CAUSAL: "causal",
} as const;

/** One of the {@link MemoryLevel} values. */
export type MemoryLevel = (typeof MemoryLevel)[keyof typeof MemoryLevel];

/** Every level, most concrete first. */
export const MEMORY_LEVELS: readonly MemoryLevel[] = ["episodic", "semantic", "procedural", "meta", "causal"];

/** zod schema of {@link MemoryLevel}. */
export const MemoryLevelSchema = z.enum(["episodic", "semantic", "procedural", "meta", "causal"]);

/** How much a level counts in retrieval: distilled knowledge outranks raw events. */
export const LEVEL_WEIGHTS: Readonly<Record<MemoryLevel, number>> = {
  meta: 1,
  causal: 0.95,
  semantic: 0.9,
  procedural: 0.85,
  episodic: 0.7,
};

/** What a memory records; it sets the value a memory starts with. */
export const MemoryKindSchema = z.enum(["success", "failure", "neutral", "pattern", "procedure", "meta", "causal"]);

/** One of the memory kinds. */
export type MemoryKind = z.infer<typeof MemoryKindSchema>;

/** The value a memory of each kind starts with, for any goal. */
export const INITIAL_VALUES: Readonly<Record<MemoryKind, number>> = {
  success: 0.4,
  failure: 0.5,
  neutral: 0.5,
  pattern: 0.5,
  procedure: 0.7,
  meta: 0.9,
  causal: 0.9,
};

/** The kind a memory has when none is given. */
export function defaultKind(level: MemoryLevel): MemoryKind {
  switch (level) {
    case "episodic":
      return "neutral";
    case "semantic":
      return "pattern";
    case "procedural":
      return "procedure";
    case "meta":
      return "meta";
    case "causal":
      return "causal";
  }
}
