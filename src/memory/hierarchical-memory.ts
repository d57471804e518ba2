import { CONFIG_DEFAULTS, MemorySchema, type JottyConfig, type MemoryConfig } from "../config/index.js";
import { createEmbedder, HashingEmbedder, TieredVectorIndex, zeroHnswCounters, type CacheStats, type Embedder, type HnswCounters } from "../embeddings/index.js";
import { issueList, JottyError } from "../errors/index.js";
import { LlmUsage, type LlmUsageCounts } from "../llm/index.js";
import { timed, type Telemetry } from "../telemetry/index.js";
import { systemClock, type Clock } from "../util/index.js";
import { CausalLinks, type CausalLinkInput } from "./causal-links.js";
import { consolidateMemories, type ConsolidationProgress, type ConsolidationReport } from "./consolidate-memories.js";
import { consolidatedKnowledge, type KnowledgeQuery } from "./consolidated-knowledge.js";
import { GoalValues } from "./goal-values.js";
import type { HierarchicalMemoryOptions, MemoryRestoreOptions } from "./hierarchical-memory-options.js";
import type { ChangeListener } from "./memory-change.js";
import type { MemoryEntry } from "./memory-entry.js";
import { MEMORY_LEVELS, type MemoryLevel } from "./memory-level.js";
import type { MemoryParts } from "./memory-parts.js";
import type { MemoryColumns } from "./memory-columns.js";
import { parseMemorySnapshot, type MemorySnapshot } from "./memory-snapshot.js";
import { MemoryTable } from "./memory-table.js";
import { builtInIndex, memoryVectors, type IndexFactory } from "./memory-vectors.js";
import { summaryAccessOf, type ModelSummaryAccess } from "./model-summary.js";
import { pruneMemories, type PrunePolicy, type PruneReport } from "./prune-memories.js";
import { putItem, type PutItemInput } from "./put-item.js";
import { retrieveMemories, type RetrievedMemory, type RetrieveInput } from "./retrieve-memories.js";
import { SearchCache } from "./search-cache.js";
import { setMemoryValue } from "./set-value.js";
import { searchMemories, type SearchMatch, type SearchQuery } from "./search-memories.js";
import { similarMemories, type SimilarMemory, type SimilarQuery } from "./similar-memories.js";
import { restoreSnapshot, snapshotMemory, type VectorRestore } from "./snapshot-memory.js";
import { storeMemory, type StoreMemoryInput, type StoreMemoryResult } from "./store-memory.js";

/** Told when a memory is retrieved; the memory learner uses it for eligibility traces. */
export type AccessListener = (event: { memory: HierarchicalMemory; id: string }) => void;

/**
 * Jotty's memory: five levels (episodic, semantic, procedural, meta, causal) of text memories
 * with goal-conditioned values learned by TD(λ), embedding retrieval that weighs relevance
 * with value, level, recency and use, causal links, and consolidation of episodes into
 * patterns, procedures and wisdom.
 *
 * @example
 * ```ts
 * const memory = new HierarchicalMemory({ settings: config.memory });
 * await memory.store({ level: "episodic", kind: "success", content: "Filtered on dt, not ts", goal: "daily revenue" });
 * const recalled = await memory.retrieve({ goal: "revenue per day", k: 3 });
 * ```
 */
export class HierarchicalMemory {
  /** Name of this memory (`shared`, or an actor's). */
  readonly name: string;
  /** The embedder in use. */
  readonly embedder: Embedder;
  /** Settings in force. */
  readonly settings: MemoryConfig;
  private readonly clock: Clock;
  private readonly llm: ModelSummaryAccess | undefined;
  /** The memories and their indexes. */
  private readonly table: MemoryTable;
  private readonly loadIndex: IndexFactory["load"];
  /** How the last restore got its vectors: loaded from stored bytes, or embedded again (and why). */
  vectorRestore: VectorRestore = { vectors: "none" };
  /** Goals seen, and the values memories have for them. */
  private readonly goals: GoalValues;
  private readonly listeners = new Set<AccessListener>();
  private readonly telemetry: Telemetry | undefined;
  private readonly searches: SearchCache;
  private readonly links: CausalLinks;
  /** What the operations written as functions are given. */
  private readonly parts: MemoryParts;
  private totalAccesses = 0;
  private readonly consolidation: ConsolidationProgress = { lastPass: -Infinity };

  /**
   * @param options - name, embedder, settings, clock, llm, index factory.
   * @throws JottyError `config_invalid` when the settings do not match the memory schema.
   */
  constructor(options: HierarchicalMemoryOptions = {}) {
    this.name = options.name ?? "shared";
    this.embedder = options.embedder ?? new HashingEmbedder();
    const parsed = MemorySchema.safeParse(options.settings ?? {});
    if (!parsed.success) {
      throw new JottyError({
        code: "config_invalid",
        message: `Invalid memory settings: ${issueList(parsed.error).join("; ")}.`,
      });
    }
    this.settings = parsed.data;
    this.goals = new GoalValues({ embedder: this.embedder, settings: this.settings });
    this.clock = options.clock ?? systemClock;
    this.llm = summaryAccessOf(options, this.clock);
    const index = options.createIndex === undefined ? builtInIndex(this.settings.index) : { create: options.createIndex, load: undefined };
    this.loadIndex = index.load;
    this.table = new MemoryTable({ name: this.name, createIndex: index.create });
    this.telemetry = options.telemetry;
    this.searches = new SearchCache(options.retrievalCache ?? CONFIG_DEFAULTS.cache.retrieval);
    this.links = new CausalLinks(this.table);
    this.parts = { table: this.table, goals: this.goals, embedder: this.embedder, settings: this.settings, clock: this.clock, searches: this.searches };
  }

  /**
   * A memory with the config's memory settings and embedder.
   *
   * @param options - name, clock, llm; an embedder here replaces the config's.
   */
  static fromConfig(config: Pick<JottyConfig, "memory" | "embeddings">, options: Omit<HierarchicalMemoryOptions, "settings"> = {}): HierarchicalMemory {
    return new HierarchicalMemory({ embedder: options.embedder ?? createEmbedder(config.embeddings), ...options, settings: config.memory });
  }

  /** Number of memories, in all levels or in one. */
  size(level?: MemoryLevel): number {
    return level === undefined ? this.table.size : this.table.idsOf(level).size;
  }

  /** Memories per level. */
  counts(): Record<MemoryLevel, number> {
    return Object.fromEntries(MEMORY_LEVELS.map((level) => [level, this.table.idsOf(level).size])) as Record<
      MemoryLevel,
      number
    >;
  }

  /** A copy of one memory, or undefined. */
  get(id: string): MemoryEntry | undefined {
    const entry = this.table.get(id);
    return entry === undefined ? undefined : structuredClone(entry);
  }

  /** One memory without copying, for read-only use on hot paths; never mutate it. */
  peek(id: string): Readonly<MemoryEntry> | undefined {
    return this.table.get(id);
  }

  /** Every memory without copying, in insertion order, for read-only use; never mutate them. */
  view(): IterableIterator<Readonly<MemoryEntry>> {
    return this.table.values();
  }

  /** Copies of every memory (of one level when given), in insertion order. */
  list(level?: MemoryLevel): MemoryEntry[] {
    const ids = level === undefined ? this.table.keys() : this.table.idsOf(level).values();
    return [...ids].map((id) => structuredClone(this.table.get(id) as MemoryEntry));
  }

  /** Subscribes to every create, update and delete; returns the unsubscribe function. */
  onChange(listener: ChangeListener): () => void {
    return this.table.onChange(listener);
  }

  /** Starts the retrieval cache's hit and miss counts afresh (what it holds stays). */
  resetCacheStats(): void {
    this.searches.resetStats();
  }

  /** The model's summaries so far: calls, failures (rejected ones among them), skips and tokens. */
  llmUsage(): LlmUsageCounts {
    return this.llm?.usage.get() ?? new LlmUsage().get();
  }

  /** Hits and misses of the retrieval cache (all zero when it is off). */
  cacheStats(): CacheStats {
    return this.searches.stats();
  }

  /** Subscribes to retrievals; returns the unsubscribe function. */
  onAccess(listener: AccessListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Embeds and caches a goal, so values can be carried between similar goals. */
  async ensureGoal(goal: string): Promise<Float32Array> {
    return this.goals.ensure(goal);
  }

  /** Cosine similarity of two goals already seen (0 when either is unknown). */
  goalSimilarity(a: string, b: string): number {
    return this.goals.similarity(a, b);
  }

  /**
   * The value of a memory for a goal: its own value for that goal, else the values it has for
   * similar goals weighted by similarity, else its kind's default.
   *
   * @throws JottyError `memory_not_found` for an unknown id.
   */
  async value(id: string, goal: string): Promise<number> {
    const entry = this.table.require(id);
    await this.ensureGoal(goal);
    return this.goals.valueOf(entry, goal);
  }

  /**
   * Stores a memory. An identical one (same domain, task type, level and content) is
   * reinforced instead; a near-identical one of the same level and actor (cosine ≥ the
   * configured threshold) absorbs it. When the level is full, the unprotected memory of lowest value
   * (the oldest among equals) is evicted.
   *
   * @throws JottyError `invalid_argument` on bad input, `capacity_exceeded` when the level is
   *   full of protected memories; nothing changes then.
   */
  async store(input: StoreMemoryInput): Promise<StoreMemoryResult> {
    return timed(this.telemetry, "store", () => storeMemory(this.parts, input));
  }

  /** Deletes a memory; returns whether it existed. Protected memories can be deleted explicitly. */
  delete(id: string): boolean {
    if (!this.table.has(id)) return false;
    this.table.remove(id, "deleted");
    return true;
  }

  /**
   * Removes memories by composable policies — a memory goes when any policy marks it, and a
   * protected memory never goes:
   * - `age`: not used (or, never used, not created) for `maxIdleDays` (default 90);
   * - `value`: its best learned value over goals is below `floor` (default 0.2); memories
   *   never credited are left to the other policies;
   * - `usage`: fewer than `minPerDay` accesses a day since it was created (after a week);
   * - `budget`: beyond the `keep` most valuable of a level (or of all levels).
   * `dryRun` reports what would go and changes nothing.
   *
   * @throws JottyError `invalid_argument` for a bad policy (nothing is removed).
   */
  prune({ policies, dryRun = false }: { policies: readonly PrunePolicy[]; dryRun?: boolean }): PruneReport {
    return pruneMemories(this.parts, { policies, dryRun });
  }

  /**
   * The memories most useful for a goal, best first: relevance to the query weighed with the
   * memory's value for this goal, its level, recency and use (weights in `settings.retrieval`).
   * Each returned memory counts as an access, which the memory learner traces.
   */
  async retrieve(input: RetrieveInput): Promise<RetrievedMemory[]> {
    return timed(this.telemetry, "retrieve", () =>
      retrieveMemories(this.parts, {
        input,
        totalAccesses: () => this.totalAccesses,
        recordAccess: (id, now) => this.recordAccess(id, now),
      }),
    );
  }

  /**
   * Records accesses of memories retrieved earlier without recording (as `retrieve` with
   * `record` does): their use counts, and the memory learner traces them. For a retrieval
   * whose learning was deferred, such as an episode run alongside others. Unknown ids are skipped.
   */
  markAccessed(ids: readonly string[]): void {
    const now = this.clock.now();
    for (const id of ids) this.recordAccess(id, now);
  }

  private recordAccess(id: string, now: number): void {
    const entry = this.table.get(id);
    if (entry === undefined) return;
    entry.accessCount += 1;
    entry.lastAccess = now;
    this.totalAccesses += 1;
    for (const listener of this.listeners) listener({ memory: this, id });
  }

  /** Goals this memory has a value for. */
  goalsOf(id: string): string[] {
    return Object.keys(this.table.get(id)?.values ?? {});
  }

  /**
   * Sets a memory's value for a goal (clamped to [0, 1]); used by the memory learner.
   * Returns false when the memory no longer exists (evicted since it was used).
   *
   * @param visit - count this as an episode that credited the memory. @default false
   */
  setValue(input: { id: string; goal: string; value: number; visit?: boolean }): boolean {
    return setMemoryValue(this.table, this.clock, input);
  }

  /** The value a memory has for a goal, reading only what is cached (no embedding call). */
  cachedValue(id: string, goal: string): number | undefined {
    const entry = this.table.get(id);
    return entry === undefined ? undefined : this.goals.valueOf(entry, goal);
  }

  /**
   * Links a cause to an effect. Linking again strengthens the existing link.
   *
   * @param link - `from` and `to` memory ids, a relation (`causes` by default) and a starting confidence (0.5).
   * @returns the link's confidence.
   * @throws JottyError `memory_not_found` when either memory is missing.
   */
  addCausalLink(link: CausalLinkInput): number {
    return this.links.add(link);
  }

  /** Supporting evidence: confidence c ← c + 0.1(1 − c), at most 0.99. Returns the new confidence. */
  strengthenCausalLink(from: string, to: string, relation = "causes"): number {
    return this.links.strengthen({ from, to, relation });
  }

  /** Contradicting evidence: confidence c ← c − 0.1c, at least 0.1. Returns the new confidence. */
  weakenCausalLink(from: string, to: string, relation = "causes"): number {
    return this.links.weaken({ from, to, relation });
  }

  /**
   * Distils experience: clusters similar episodic memories into semantic patterns (each source
   * records the pattern it went into), derives procedures for task types with enough successes
   * and failures, meta memories from high- against low-value memories, and prunes old
   * low-value episodes. Summaries come from the model when one is configured, else from rules.
   */
  async consolidate(): Promise<ConsolidationReport> {
    return consolidateMemories(this.parts, { llm: this.llm, progress: this.consolidation });
  }

  /**
   * The learned context for a prompt: patterns, procedures, wisdom and causal knowledge, most
   * valuable for the goal first, each with its value, e.g. `High-value pattern: … (V=0.80)`.
   * Returns an empty string when nothing has been distilled yet.
   */
  async getConsolidatedKnowledge(query: KnowledgeQuery): Promise<string> {
    return consolidatedKnowledge(this.parts, query);
  }

  /**
   * Memories most similar to a text, by cosine alone, without counting as accesses: for
   * search tools and the LangGraph store. Best first.
   */
  async similar(query: SimilarQuery): Promise<SimilarMemory[]> {
    return similarMemories(this.parts, query);
  }

  /**
   * Memories matching a text, best first, without counting as accesses. By embedding
   * similarity; with `fuzzy` also by spelling: each term of the text is matched to the closest
   * term of a memory within a few edits (Levenshtein: 1 for terms up to 4 letters, 2 up to 8,
   * 3 beyond), so "partiton colum" finds "partition column" — for error messages and names.
   * A memory's score is the larger of the two; `minScore` drops weak matches.
   *
   * @throws JottyError `invalid_argument` for an empty text or a bad `k`.
   */
  async search(query: SearchQuery): Promise<SearchMatch[]> {
    return searchMemories(this.parts, query);
  }

  /**
   * Writes a keyed item (the LangGraph store's `put`): creates it, or replaces the content and
   * payload of the item with this key while keeping what was learned about it. No
   * de-duplication, so distinct keys stay distinct.
   *
   * @throws JottyError `capacity_exceeded` when the level is full of protected memories.
   */
  async putItem(item: PutItemInput): Promise<string> {
    return putItem(this.parts, item);
  }

  /**
   * The whole memory as JSON: rows, or with `columns` the compact form the Vault writes (both
   * restore). Vectors are included unless the embedder is the offline hashing one, whose vectors
   * are recomputed on restore more cheaply than they are stored.
   */
  snapshot(options?: { includeVectors?: boolean; columns?: false }): MemorySnapshot;
  snapshot(options: { includeVectors?: boolean; columns: true }): MemoryColumns;
  snapshot({ includeVectors, columns }: { includeVectors?: boolean; columns?: boolean } = {}): MemorySnapshot | MemoryColumns {
    const header = { name: this.name, totalAccesses: this.totalAccesses, lastConsolidation: this.consolidation.lastPass };
    return snapshotMemory(this.parts, { header, includeVectors, columns });
  }

  /** Which vector index answers: `exact`, `approximate` (HNSW), `custom`, or `none` before the first memory. */
  get indexKind(): "exact" | "approximate" | "custom" | "none" {
    return this.table.index === undefined ? "none" : this.table.index instanceof TieredVectorIndex ? this.table.index.kind : "custom";
  }

  /** How often the built-in index searched another way than its graph, rebuilt, or reused a search (zeros while exact). */
  indexCounters(): HnswCounters {
    return this.table.index instanceof TieredVectorIndex ? this.table.index.counters : zeroHnswCounters();
  }

  /** Vectors and index as bytes (undefined when empty or the index is the caller's own), for {@link HierarchicalMemory.restore}. */
  snapshotVectors(): Uint8Array | undefined {
    return memoryVectors(this.table, this.embedder);
  }

  /**
   * Rebuilds a memory from a snapshot (rows or columns). `vectors` from {@link HierarchicalMemory.snapshotVectors}
   * are loaded as they are when the same embedder made them for these memories; else stored
   * per-entry vectors of the same embedder are used, and the rest embedded again
   * ({@link HierarchicalMemory.vectorRestore} says which, and why).
   *
   * @throws JottyError `snapshot_version_unsupported` for a snapshot from a newer Jotty,
   *   `snapshot_invalid` when it does not match its schema.
   */
  static async restore(snapshot: unknown, options: MemoryRestoreOptions = {}): Promise<HierarchicalMemory> {
    const { vectors, adopt = false, ...rest } = options;
    const parsed = parseMemorySnapshot(snapshot, { inPlace: adopt });
    const memory = new HierarchicalMemory({ name: parsed.name, ...rest });
    memory.vectorRestore = await restoreSnapshot(memory.parts, parsed, { vectors, load: memory.loadIndex });
    memory.totalAccesses = parsed.totalAccesses;
    memory.consolidation.lastPass = parsed.lastConsolidation ?? -Infinity;
    return memory;
  }
}
