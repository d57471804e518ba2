import { CachedEmbedder, cacheStats, zeroHnswCounters, type CacheStats, type Embedder, type HnswCounters } from "../embeddings/index.js";
import type { JottyConfig } from "../config/index.js";
import type { DecisionEvidence } from "../knowledge/index.js";
import type { Experience } from "../experience/index.js";
import type { QPredictor } from "../learning/index.js";
import { LlmUsage } from "../llm/index.js";
import { MEMORY_LEVELS, type HierarchicalMemory, type MemoryLevel } from "../memory/index.js";
import type { Vault, VaultUsage } from "../persistence/index.js";
import type { LatencySummary, Telemetry, TimedOperation } from "../telemetry/index.js";
import type { ExecutionMode } from "./execution-mode.js";
import type { TraceLibrary } from "./trace-library.js";

/** What {@link Conductor.metrics} returns: how the learned state is used and how big it is. */
export interface ConductorMetrics {
  /** p50 / p95 / p99 (and count, mean, extremes) in milliseconds, since this process started. */
  latency: Record<TimedOperation, LatencySummary>;
  memories: {
    total: number;
    byLevel: Record<MemoryLevel, number>;
    /** Memories per owner: `shared` for the team's memory, else the actor's name. */
    byActor: Record<string, number>;
    /**
     * The memories' vector indexes, summed: how many answer approximately (HNSW), filtered
     * searches that scored every passing vector (`exactScans`) or found too few in the graph and
     * were redone exactly (`exactFallbacks`), rebuilds, and adds linked from their store's search.
     */
    index: HnswCounters & { approximate: number };
  };
  qEntries: number;
  /** The Q-predictor's index of states (its neighbour search): which it is, and its counters as for the memories'. */
  qIndex: HnswCounters & { kind: QPredictor["indexKind"] };
  /** Lessons in force: drawn from the decision evidence. */
  lessons: number;
  /** What the decision evidence holds: episodes, decision points, procedures, causes, meta statements, retractions. */
  knowledge: { episodes: number; points: number; procedures: number; causes: number; meta: number; retractions: number; retractedThisRun: number };
  /** Model calls, tokens and cost (tokens × `llm.costPer1kTokens` / 1000) per execution mode, over every run. */
  llm: {
    byMode: Record<ExecutionMode, { episodes: number; calls: number; tokens: number; cost: number }>;
    /** Calls the Q-predictor made for values (for policy actors' decisions: already counted in `byMode`). */
    qPredictor: { calls: number; tokens: number; cost: number };
    /**
     * Summaries and reflections the learning loops asked for (memory consolidation, reflection,
     * reflection summaries) since this process started. Each failure, an answer rejected for its
     * shape or grounding included, fell back to the rules; `skipped` calls were not made while a
     * circuit breaker was open.
     */
    learning: { calls: number; failures: number; rejected: number; skipped: number; tokens: number; cost: number };
    total: { calls: number; tokens: number; cost: number };
  };
  /** Hits of the embedding cache and of the memory search caches since this process started. */
  cache: { embeddings: CacheStats; retrieval: CacheStats; hitRate: number };
  /** Learned state on disk (PERSISTENT and loaded DISABLED runs; null without a Vault). */
  disk: VaultUsage | null;
}

/** What {@link collectMetrics} reads. */
export interface MetricsSources {
  config: JottyConfig;
  memories: readonly HierarchicalMemory[];
  traces: TraceLibrary;
  q: QPredictor;
  experience: Experience | undefined;
  evidence: DecisionEvidence;
  embedder: Embedder;
  telemetry: Telemetry;
  vault: Vault | undefined;
  /** Lessons retracted since this process started. */
  retracted: number;
}

/** Sums of hits, misses, sizes and capacities of several caches. */
function combined(stats: readonly CacheStats[]): CacheStats {
  const total = (field: "hits" | "misses" | "size" | "capacity"): number => stats.reduce((sum, entry) => sum + entry[field], 0);
  return cacheStats(total("hits"), total("misses"), total("size"), total("capacity"));
}

/** The index counters of several memories, summed. */
function indexCounters(memories: readonly HierarchicalMemory[]): ConductorMetrics["memories"]["index"] {
  const total = { approximate: 0, ...zeroHnswCounters() };
  for (const memory of memories) {
    if (memory.indexKind === "approximate") total.approximate += 1;
    for (const [field, count] of Object.entries(memory.indexCounters()) as Array<[keyof HnswCounters, number]>) total[field] += count;
  }
  return total;
}

/** The Conductor's metrics: latency, sizes, lessons and knowledge, model use and cost, caches, disk. */
export async function collectMetrics(sources: MetricsSources): Promise<ConductorMetrics> {
  const { config, memories, traces, q, experience, evidence, embedder, telemetry, vault } = sources;
  const byLevel = Object.fromEntries(MEMORY_LEVELS.map((level) => [level, memories.reduce((total, memory) => total + memory.size(level), 0)])) as Record<MemoryLevel, number>;
  const price = (config.llm?.costPer1kTokens ?? 0) / 1000;
  const byMode = Object.fromEntries(
    Object.entries(traces.modeStats()).map(([mode, stats]) => [mode, { episodes: stats.episodes, calls: stats.llmCalls, tokens: stats.tokens, cost: stats.tokens * price }]),
  ) as ConductorMetrics["llm"]["byMode"];
  const usage = q.llmUsage();
  const qTokens = usage.inputTokens + usage.outputTokens;
  const qPredictor = { calls: usage.calls, tokens: qTokens, cost: qTokens * price };
  const loops = new LlmUsage();
  for (const memory of memories) loops.add(memory.llmUsage());
  if (experience !== undefined) loops.add(experience.llmUsage());
  const { inputTokens, outputTokens, ...learningCounts } = loops.get();
  const learning = { ...learningCounts, tokens: loops.tokens, cost: loops.tokens * price };
  const calls = Object.values(byMode).reduce((total, mode) => total + mode.calls, learning.calls);
  const tokens = Object.values(byMode).reduce((total, mode) => total + mode.tokens, learning.tokens);
  const embeddings = embedder instanceof CachedEmbedder ? embedder.stats() : cacheStats(0, 0, 0, 0);
  const retrieval = combined(memories.map((memory) => memory.cacheStats()));
  const lookups = embeddings.hits + embeddings.misses + retrieval.hits + retrieval.misses;
  const view = evidence.knowledge();
  const stats = evidence.stats();
  return {
    latency: telemetry.latency(),
    memories: {
      total: memories.reduce((total, memory) => total + memory.size(), 0),
      byLevel,
      byActor: Object.fromEntries(memories.map((memory) => [memory.name, memory.size()])),
      index: indexCounters(memories),
    },
    qEntries: q.size,
    qIndex: { kind: q.indexKind, ...q.indexCounters() },
    lessons: view.lessons.length,
    knowledge: {
      episodes: stats.episodes,
      points: stats.points,
      procedures: view.procedures.length,
      causes: view.causes.length,
      meta: view.meta.length,
      retractions: stats.retractions,
      retractedThisRun: sources.retracted,
    },
    llm: { byMode, qPredictor, learning, total: { calls, tokens, cost: tokens * price } },
    cache: { embeddings, retrieval, hitRate: lookups === 0 ? 0 : (embeddings.hits + retrieval.hits) / lookups },
    disk: vault === undefined ? null : await vault.usage(),
  };
}

/** What {@link Conductor.stats} returns: counts of what has been learned. */
export interface TeamStats {
  episodes: number;
  memories: { shared: Record<string, number>; local: Record<string, Record<string, number>> };
  qEntries: number;
  lessons: number;
  traces: number;
  modes: ReturnType<TraceLibrary["modeStats"]>;
  trajectories: number;
  strategies: number;
}

/** Counts of what a team has learned: memories per level, Q entries, lessons, traces, trajectories, strategies in force. */
export function collectStats(sources: {
  episodes: number;
  sharedMemory: HierarchicalMemory;
  localMemories: ReadonlyMap<string, HierarchicalMemory>;
  q: QPredictor;
  evidence: DecisionEvidence;
  traces: TraceLibrary;
  experience: Experience | undefined;
  playbook: string;
}): TeamStats {
  const { experience, playbook } = sources;
  return {
    episodes: sources.episodes,
    memories: {
      shared: sources.sharedMemory.counts(),
      local: Object.fromEntries([...sources.localMemories].map(([name, memory]) => [name, memory.counts()])),
    },
    qEntries: sources.q.size,
    lessons: sources.evidence.knowledge().lessons.length,
    traces: sources.traces.size,
    modes: sources.traces.modeStats(),
    trajectories: experience?.queryTrajectories({ limit: Number.MAX_SAFE_INTEGER }).length ?? 0,
    strategies:
      experience === undefined || !experience.playbooks.names().includes(playbook)
        ? 0
        : experience.playbooks.get(playbook).strategies.filter((strategy) => !strategy.retired).length,
  };
}
