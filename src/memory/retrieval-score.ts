import type { z } from "zod";
import type { RetrievalSchema } from "../config/index.js";

/** Retrieval settings, parsed. */
export type RetrievalSettings = z.infer<typeof RetrievalSchema>;

/** The parts of a memory's retrieval score. */
export interface RetrievalScoreInput {
  /** Cosine similarity of the query and the memory. */
  relevance: number;
  /** Learned value of the memory for the goal, in [0, 1]. */
  value: number;
  /** Weight of the memory's level. */
  levelWeight: number;
  /** Hours since the memory was last used (or stored). */
  ageHours: number;
  /** How often it was retrieved. */
  accessCount: number;
  /** Episodes that credited it for this goal. */
  visits: number;
  /** Accesses across the whole memory, N of the UCB bonus. */
  totalAccesses: number;
}

/**
 * relevance·w_r + value·w_v + level·w_l + exp(−decay·hours)·w_rec + min(1, ln(accesses+1)/10)·w_f,
 * plus the UCB bonus c·√(ln(N+1)/(visits+1)) when c > 0.
 */
export function retrievalScore(input: RetrievalScoreInput, settings: RetrievalSettings): number {
  const { weights } = settings;
  const recency = Math.exp(-settings.recencyDecayPerHour * Math.max(0, input.ageHours));
  const frequency = Math.min(1, Math.log(input.accessCount + 1) / 10);
  const bonus = settings.ucb > 0 ? settings.ucb * Math.sqrt(Math.log(input.totalAccesses + 1) / (input.visits + 1)) : 0;
  return (
    weights.relevance * input.relevance +
    weights.value * input.value +
    weights.level * input.levelWeight +
    weights.recency * recency +
    weights.frequency * frequency +
    bonus
  );
}
