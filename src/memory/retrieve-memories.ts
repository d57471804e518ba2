import { embedOne } from "./embed-one.js";
import { invalidArgument } from "./invalid-argument.js";
import type { MemoryEntry } from "./memory-entry.js";
import { LEVEL_WEIGHTS, MEMORY_LEVELS, type MemoryKind, type MemoryLevel } from "./memory-level.js";
import type { MemoryParts } from "./memory-parts.js";
import { retrievalScore } from "./retrieval-score.js";

const HOUR = 3_600_000;

/** What {@link HierarchicalMemory.retrieve} takes. */
export interface RetrieveInput {
  /** The goal the memories should serve; values are read for it. */
  goal: string;
  /** Text to match; the goal when absent. */
  query?: string;
  /** Levels to search. @default all */
  levels?: readonly MemoryLevel[];
  /** Only memories of these actors. */
  actors?: readonly string[];
  /**
   * Read on behalf of this actor: memories owned by any other actor are never returned. With
   * null, for the whole team: only memories owned by no actor.
   */
  visibleTo?: string | null;
  /** How many memories at most. @default 5 */
  k?: number;
  /** Token budget of the contents returned (about four characters a token). */
  maxTokens?: number;
  /**
   * Count the returned memories as accesses (use counts, recency, learner traces). False for
   * frozen inference, where nothing learned may change. @default true
   */
  record?: boolean;
}

/** One retrieved memory with the parts of its score. */
export interface RetrievedMemory {
  id: string;
  level: MemoryLevel;
  kind: MemoryKind;
  content: string;
  /** The full retrieval score. */
  score: number;
  /** Cosine similarity to the query. */
  relevance: number;
  /** Value for the goal (own, or carried over from similar goals). */
  value: number;
  /** Times its value was learned, for any goal (0: still the value its kind starts with). */
  learned: number;
  metadata: MemoryEntry["metadata"];
}

function estimateTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/**
 * The memories most useful for a goal, best first (the body of {@link HierarchicalMemory.retrieve}):
 * the nearest neighbours of the query re-ranked by {@link retrievalScore}, then as many as fit
 * `k` and the token budget. Accesses are recorded through `recordAccess`, with the time the
 * memories were ranked at, because the caller owns the access count and the listeners.
 *
 * @throws JottyError `invalid_argument` for an empty goal, a bad `k` or an unknown level.
 */
export async function retrieveMemories(
  { table, goals, embedder, settings, clock, searches }: MemoryParts,
  {
    input,
    totalAccesses,
    recordAccess,
  }: {
    input: RetrieveInput;
    /** Accesses across the whole memory, N of the UCB bonus, read when ranking: other retrievals may record theirs meanwhile. */
    totalAccesses: () => number;
    recordAccess: (id: string, now: number) => void;
  },
): Promise<RetrievedMemory[]> {
  const { goal, query, levels, actors, visibleTo, k = 5, maxTokens, record = true } = input;
  if (typeof goal !== "string" || goal.trim().length === 0) {
    throw invalidArgument("retrieve needs a goal: the task the memories should serve.");
  }
  if (!Number.isInteger(k) || k < 1) throw invalidArgument(`retrieve's k must be a positive integer, got ${k}.`, { k });
  if (levels !== undefined) {
    for (const level of levels) {
      if (!MEMORY_LEVELS.includes(level)) {
        throw invalidArgument(`Unknown memory level "${String(level)}"; use one of ${MEMORY_LEVELS.join(", ")}.`);
      }
    }
  }
  // Frozen inference embeds the goal without caching it, so not even the goal cache changes.
  const goalVector = await goals.vectorFor(goal, record);
  if (table.index === undefined || table.size === 0) return [];
  const queryVector = query === undefined || query === goal ? goalVector : await embedOne(embedder, query);
  const retrieval = settings.retrieval;
  const candidates = searches.search({ table, index: table.index, key: query ?? goal, vector: queryVector, k: Math.max(k * 4, retrieval.candidates), levels, actors, visibleTo });
  const now = clock.now();
  const ranked: RetrievedMemory[] = [];
  for (const candidate of candidates) {
    if (candidate.score < retrieval.minRelevance) continue;
    const entry = table.get(candidate.id) as MemoryEntry;
    const value = goals.valueOf(entry, goal, goalVector);
    const score = retrievalScore(
      {
        relevance: candidate.score,
        value,
        levelWeight: LEVEL_WEIGHTS[entry.level],
        ageHours: (now - (entry.lastAccess ?? entry.createdAt)) / HOUR,
        accessCount: entry.accessCount,
        visits: entry.values[goal]?.visits ?? 0,
        totalAccesses: totalAccesses(),
      },
      retrieval,
    );
    ranked.push({
      id: entry.id,
      level: entry.level,
      kind: entry.kind,
      content: entry.content,
      score,
      relevance: candidate.score,
      value,
      learned: Object.values(entry.values).reduce((total, goalValue) => total + goalValue.visits, 0),
      metadata: structuredClone(entry.metadata),
    });
  }
  ranked.sort((a, b) => b.score - a.score);
  const chosen: RetrievedMemory[] = [];
  let budget = maxTokens ?? Infinity;
  for (const memory of ranked) {
    if (chosen.length === k) break;
    const tokens = estimateTokens(memory.content);
    if (tokens > budget) continue;
    budget -= tokens;
    chosen.push(memory);
  }
  if (record) for (const memory of chosen) recordAccess(memory.id, now);
  return chosen;
}
