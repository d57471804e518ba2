import { baseEmbedder } from "../embeddings/index.js";
import { JottyError } from "../errors/index.js";
import { representativeIndex, rulePattern, ruleProcedure, ruleWisdom } from "./consolidation-rules.js";
import { embedOne } from "./embed-one.js";
import { meanValue } from "./goal-values.js";
import { makeRoom } from "./make-room.js";
import { memoryId, type MemoryEntry } from "./memory-entry.js";
import type { MemoryParts } from "./memory-parts.js";
import { modelSummary, type ModelSummaryAccess } from "./model-summary.js";

const HOUR = 3_600_000;
/** Clusters a consolidation pass may start, bounding its cost whatever the backlog. */
const MAX_SEEDS = 256;
/** Memories a procedure or a meta memory is distilled from, at most (the most telling ones). */
const DISTILL_SAMPLE = 50;

/** What one pass of {@link HierarchicalMemory.consolidate} made and removed. */
export interface ConsolidationReport {
  /** Semantic memories made from clusters of episodes. */
  patterns: string[];
  /** Procedural memories made from successes and failures. */
  procedures: string[];
  /** Meta memories made from high- and low-value memories. */
  meta: string[];
  /** Episodic memories pruned. */
  pruned: string[];
  /** Summaries the model failed to write, or wrote unusable (malformed, empty, ungrounded): rules were used instead. */
  modelFailures: number;
}

/**
 * Where consolidation has got to, kept by the memory between passes (and in its snapshot) so
 * each pass costs in proportion to what is new.
 */
export interface ConsolidationProgress {
  /** When the last pass started (-Infinity before the first); episodes stored since then seed clusters. */
  lastPass: number;
}

/**
 * A summary from the model, or from the rules when there is no model or its answer is unusable;
 * each fallback after a model failure is counted in the report, so a pass shows how far the
 * model could be trusted.
 */
async function summarise({
  llm,
  instruction,
  items,
  fallback,
  report,
}: {
  llm: ModelSummaryAccess | undefined;
  instruction: string;
  items: readonly string[];
  fallback: () => string;
  report: ConsolidationReport;
}): Promise<string> {
  if (llm === undefined) return fallback();
  try {
    return await modelSummary(llm, { instruction, items: items.slice(0, 20) });
  } catch (error) {
    if (!JottyError.is(error, "llm_error")) throw error;
    report.modelFailures += 1;
    return fallback();
  }
}

/** Adds a distilled memory (or reinforces it when already known) without near-duplicate merging. */
async function addDistilled(
  { table, embedder, settings, clock }: Pick<MemoryParts, "table" | "embedder" | "settings" | "clock">,
  entry: Omit<MemoryEntry, "id" | "accessCount" | "lastAccess" | "createdAt" | "updatedAt" | "timesStored" | "causalLinks">,
): Promise<string> {
  const id = memoryId({ domain: entry.metadata.domain, taskType: entry.metadata.taskType, level: entry.level, content: entry.content, actor: entry.metadata.actor });
  const existing = table.get(id);
  if (existing !== undefined) {
    existing.timesStored += 1;
    existing.updatedAt = clock.now();
    existing.sources = [...new Set([...existing.sources, ...entry.sources])];
    table.changed(existing, "update", "distilled");
    return id;
  }
  const vector = await embedOne(baseEmbedder(embedder), entry.content);
  makeRoom({ table, level: entry.level, capacity: settings.capacities[entry.level], incoming: 1 });
  const now = clock.now();
  const created: MemoryEntry = { ...entry, id, accessCount: 0, lastAccess: null, createdAt: now, updatedAt: now, timesStored: 1, causalLinks: [] };
  table.insert(created, vector);
  table.changed(created, "create", "distilled");
  return id;
}

/**
 * One consolidation pass (the body of {@link HierarchicalMemory.consolidate}): episodes
 * clustered into patterns, procedures and meta wisdom distilled when there is a model, old
 * low-value episodes pruned. Moves `progress` on.
 */
export async function consolidateMemories(
  parts: MemoryParts,
  { llm, progress }: { llm: ModelSummaryAccess | undefined; progress: ConsolidationProgress },
): Promise<ConsolidationReport> {
  const { table, goals, clock } = parts;
  const report: ConsolidationReport = { patterns: [], procedures: [], meta: [], pruned: [], modelFailures: 0 };
  const settings = parts.settings.consolidation;
  const index = table.index;
  if (index === undefined) return report;

  // 1. Clusters of similar, not yet consolidated episodes → semantic patterns. Only episodes
  // stored since the last pass seed a cluster (older ones found no cluster then), so a pass
  // costs in proportion to what is new; a cluster is the seed's nearest open neighbours.
  const open = new Set(
    [...table.idsOf("episodic")].filter((id) => (table.get(id) as MemoryEntry).consolidatedInto === undefined),
  );
  const since = progress.lastPass;
  const fresh = [...open]
    .filter((id) => (table.get(id) as MemoryEntry).createdAt >= since)
    .sort((a, b) => (table.get(a) as MemoryEntry).createdAt - (table.get(b) as MemoryEntry).createdAt);
  // A pass seeds at most MAX_SEEDS clusters, oldest first; the rest wait for the next pass.
  const seeds = fresh.slice(0, MAX_SEEDS);
  const waiting = fresh[MAX_SEEDS];
  progress.lastPass = waiting === undefined ? clock.now() : (table.get(waiting) as MemoryEntry).createdAt;
  for (const seed of seeds) {
    if (!open.has(seed) || open.size < settings.minClusterSize) continue;
    const seedVector = index.get(seed) as Float32Array;
    const members = index
      .search(seedVector, { k: Math.min(open.size, 200), filter: { level: "episodic", predicate: (id) => open.has(id) } })
      .filter((match) => match.score >= settings.clusterSimilarity)
      .map((match) => table.get(match.id) as MemoryEntry);
    if (members.length < settings.minClusterSize) continue;
    for (const member of members) open.delete(member.id);
    const vectors = members.map((member) => index.get(member.id) as Float32Array);
    const representative = members[representativeIndex(vectors)] as MemoryEntry;
    const content = await summarise({
      llm,
      instruction: "Summarise what these similar episodes have in common as one reusable pattern.",
      items: members.map((member) => `[${member.kind}] ${member.content}`),
      fallback: () => rulePattern(members, representative.content),
      report,
    });
    const patternId = await addDistilled(parts, {
      level: "semantic",
      kind: "pattern",
      content,
      metadata: {
        domain: representative.metadata.domain,
        taskType: representative.metadata.taskType,
        sourceEpisodes: [...new Set(members.flatMap((member) => member.metadata.sourceEpisodes))],
      },
      values: goals.average(members),
      protected: false,
      sources: members.map((member) => member.id),
    });
    for (const member of members) member.consolidatedInto = patternId;
    report.patterns.push(patternId);
  }

  // 2. Task types with enough successes and failures → procedures, re-derived only for task
  // types with new outcomes, from their most recent DISTILL_SAMPLE successes and failures.
  const byTask = new Map<string, { successes: MemoryEntry[]; failures: MemoryEntry[]; fresh: boolean }>();
  for (const id of table.idsOf("episodic")) {
    const entry = table.get(id) as MemoryEntry;
    if (entry.kind !== "success" && entry.kind !== "failure") continue;
    const key = `${entry.metadata.domain}\u0000${entry.metadata.taskType}`;
    const group = byTask.get(key) ?? { successes: [], failures: [], fresh: false };
    (entry.kind === "success" ? group.successes : group.failures).push(entry);
    group.fresh ||= entry.createdAt >= since;
    byTask.set(key, group);
  }
  const recent = (entries: MemoryEntry[]): MemoryEntry[] => entries.sort((a, b) => b.createdAt - a.createdAt).slice(0, DISTILL_SAMPLE);
  // Without a model there is no rule for a procedure worth reading (a list of common words is
  // none): a Conductor derives procedures and meta statements from its decision evidence.
  for (const group of llm === undefined ? [] : byTask.values()) {
    if (!group.fresh || group.successes.length < settings.minSuccesses || group.failures.length < settings.minFailures) continue;
    const successes = recent(group.successes);
    const failures = recent(group.failures);
    const first = successes[0] as MemoryEntry;
    const content = await summarise({
      llm,
      instruction: `Write a short step-by-step procedure for ${first.metadata.taskType} tasks: what the successes did and the failures did not.`,
      items: [...successes.map((entry) => `[success] ${entry.content}`), ...failures.map((entry) => `[failure] ${entry.content}`)],
      fallback: () =>
        ruleProcedure({
          taskType: first.metadata.taskType,
          successes: successes.map((entry) => entry.content),
          failures: failures.map((entry) => entry.content),
        }),
      report,
    });
    report.procedures.push(
      await addDistilled(parts, {
        level: "procedural",
        kind: "procedure",
        content,
        metadata: { domain: first.metadata.domain, taskType: first.metadata.taskType, sourceEpisodes: [] },
        values: {},
        protected: false,
        sources: [...successes, ...failures].map((entry) => entry.id),
      }),
    );
  }

  // 3. High- against low-value memories → meta wisdom, from the DISTILL_SAMPLE highest and lowest.
  const scored = [...table.values()]
    .filter((entry) => entry.level !== "meta" && Object.keys(entry.values).length > 0)
    .map((entry) => ({ entry, value: meanValue(entry) }));
  const high = scored
    .filter((item) => item.value >= settings.highValue)
    .sort((a, b) => b.value - a.value)
    .slice(0, DISTILL_SAMPLE)
    .map((item) => item.entry);
  const low = scored
    .filter((item) => item.value <= settings.lowValue)
    .sort((a, b) => a.value - b.value)
    .slice(0, DISTILL_SAMPLE)
    .map((item) => item.entry);
  if (llm !== undefined && high.length >= settings.minHighValue) {
    const content = await summarise({
      llm,
      instruction: "State in one or two sentences what the high-value experiences do that the low-value ones do not.",
      items: [...high.map((entry) => `[high value] ${entry.content}`), ...low.map((entry) => `[low value] ${entry.content}`)],
      fallback: () => ruleWisdom({ high: high.map((entry) => entry.content), low: low.map((entry) => entry.content) }),
      report,
    });
    report.meta.push(
      await addDistilled(parts, {
        level: "meta",
        kind: "meta",
        content,
        metadata: { domain: "general", taskType: "general", sourceEpisodes: [] },
        values: {},
        protected: true,
        sources: [...high, ...low].map((entry) => entry.id),
      }),
    );
  }

  // 4. Old, low-value episodes go, at most a share of them a pass.
  const now = clock.now();
  const limit = Math.floor(settings.pruneMaxFraction * table.idsOf("episodic").size);
  const prunable = [...table.idsOf("episodic")]
    .map((id) => table.get(id) as MemoryEntry)
    .filter(
      (entry) =>
        !entry.protected &&
        (now - entry.createdAt) / HOUR > settings.pruneAfterHours &&
        meanValue(entry) < settings.pruneBelowValue,
    )
    .sort((a, b) => meanValue(a) - meanValue(b) || a.createdAt - b.createdAt)
    .slice(0, limit);
  for (const entry of prunable) {
    table.remove(entry.id, "pruned");
    report.pruned.push(entry.id);
  }
  return report;
}
