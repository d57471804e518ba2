import { contentWords, cosineSimilarity, type VectorCache } from "../embeddings/index.js";
import { JottyError } from "../errors/index.js";
import type { Clock } from "../util/index.js";
import type { IdSequence } from "./id-sequence.js";
import { modelReflectionSummary, type ReflectionModelAccess } from "./model-reflection.js";
import type { Reflection, ReflectionMemory, Trajectory } from "./schemas.js";
import { affinity } from "./scores.js";

const HOUR = 3_600_000;

/** How {@link ReflectionMemoryStore.consolidate} groups and merges memories. */
export interface ConsolidationOptions {
  /** Report the groups without changing anything. @default false */
  dryRun?: boolean;
  /** Only memories at most this important are merged. @default 0.5 */
  maxImportance?: number;
  /** Most memories in one group. @default 10 */
  batchSize?: number;
  /** Affinity at which a memory joins a group. @default 0.9 */
  minAffinity?: number;
  /** Weight of similarity against closeness in time. @default 0.7 */
  beta?: number;
  /** Decay of closeness in time per day. @default 0.1 */
  lambda?: number;
  /** Only the newest this many candidates are looked at. @default 200 */
  window?: number;
}

/** A group of memories consolidation merged (or would merge, in a dry run). */
export interface ConsolidationGroup {
  sources: string[];
  summary: string;
  importance: number;
  /** The summary memory's id; absent in a dry run. */
  id?: string;
}

/**
 * Reflection memories: one per reflection, and the summaries consolidation merges them into
 * (from the model when one is configured, by common words otherwise).
 */
export class ReflectionMemoryStore {
  private readonly memories = new Map<string, ReflectionMemory>();
  private readonly ids: IdSequence;
  private readonly clock: Clock;
  private readonly vectors: VectorCache;
  private readonly llm: ReflectionModelAccess | undefined;

  constructor({ ids, clock, vectors, llm }: { ids: IdSequence; clock: Clock; vectors: VectorCache; llm?: ReflectionModelAccess | undefined }) {
    this.ids = ids;
    this.clock = clock;
    this.vectors = vectors;
    this.llm = llm;
  }

  /** Stores the memory of a reflection on a trajectory; its importance is the findings' top confidence. */
  remember(reflection: Reflection, trajectory: Pick<Trajectory, "task" | "status">): void {
    const summary = [
      ...reflection.helpfulStrategies.map((item) => `helpful: ${item.description}`),
      ...reflection.harmfulPatterns.map((item) => `harmful: ${item.description}`),
    ].join("; ");
    const importance = Math.min(1, Math.max(0, [...reflection.helpfulStrategies, ...reflection.harmfulPatterns].reduce((top, item) => Math.max(top, item.confidence), 0)));
    const memory: ReflectionMemory = {
      id: this.ids.next("m"),
      content: `Reflection on "${trajectory.task}" (${trajectory.status}): ${summary === "" ? "nothing notable" : summary}`,
      importance,
      at: reflection.at,
      archived: false,
      consolidated: false,
      sources: [reflection.id],
    };
    this.memories.set(memory.id, memory);
  }

  /** Drops the memories of reflections that are gone; consolidated summaries stay. */
  forgetWithout(hasReflection: (id: string) => boolean): void {
    for (const [id, memory] of this.memories) {
      if (!memory.consolidated && memory.sources.every((source) => !hasReflection(source))) this.memories.delete(id);
    }
  }

  /** Copies of the memories, newest first; archived ones only when asked for. */
  list({ archived = false }: { archived?: boolean } = {}): ReflectionMemory[] {
    return [...this.memories.values()]
      .filter((memory) => archived || !memory.archived)
      .sort((a, b) => b.at - a.at)
      .map((memory) => structuredClone(memory));
  }

  /**
   * Merges low-importance memories that belong together — affinity
   * β·(cos+1)/2 + (1−β)·exp(−λ·Δhours/24) ≥ `minAffinity` — in batches of 2 to `batchSize`,
   * into a summary listing its sources, with importance min(max + 0.1, 1); the sources are
   * archived.
   */
  async consolidate({ dryRun = false, maxImportance = 0.5, batchSize = 10, minAffinity = 0.9, beta = 0.7, lambda = 0.1, window = 200 }: ConsolidationOptions = {}): Promise<ConsolidationGroup[]> {
    // The newest `window` candidates: a pass stays cheap however much has piled up.
    const open = [...this.memories.values()]
      .filter((memory) => !memory.archived && !memory.consolidated && memory.importance <= maxImportance)
      .sort((a, b) => a.at - b.at)
      .slice(-window);
    const used = new Set<string>();
    const groups: ConsolidationGroup[] = [];
    for (const seed of open) {
      if (used.has(seed.id)) continue;
      const seedVector = await this.vectors.get(seed.content);
      const group = [seed];
      for (const other of open) {
        if (group.length >= batchSize) break;
        if (other.id === seed.id || used.has(other.id)) continue;
        const score = affinity({ cosine: cosineSimilarity(seedVector, await this.vectors.get(other.content)), hoursApart: (other.at - seed.at) / HOUR, beta, lambda });
        if (score >= minAffinity) group.push(other);
      }
      if (group.length < 2) continue;
      for (const member of group) used.add(member.id);
      const summary = await this.summarise(group.map((member) => member.content));
      const importance = Math.min(1, Math.max(...group.map((member) => member.importance)) + 0.1);
      const entry: ConsolidationGroup = { sources: group.map((member) => member.id), summary, importance };
      if (!dryRun) {
        const id = this.ids.next("m");
        this.memories.set(id, { id, content: summary, importance, at: this.clock.now(), archived: false, consolidated: true, sources: entry.sources });
        for (const member of group) (this.memories.get(member.id) as ReflectionMemory).archived = true;
        entry.id = id;
      }
      groups.push(entry);
    }
    return groups;
  }

  private async summarise(contents: readonly string[]): Promise<string> {
    if (this.llm !== undefined) {
      try {
        const summary = await modelReflectionSummary(this.llm, contents);
        return `${summary} (from ${contents.length} reflections)`;
      } catch (error) {
        if (!JottyError.is(error, "llm_error")) throw error;
      }
    }
    const counts = new Map<string, number>();
    for (const content of contents) for (const word of new Set(contentWords(content))) counts.set(word, (counts.get(word) ?? 0) + 1);
    const common = [...counts].filter(([, count]) => count >= Math.ceil(contents.length / 2)).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).slice(0, 8).map(([word]) => word);
    return `Summary of ${contents.length} reflections about ${common.join(", ") || "various tasks"}: ${contents[0]}`;
  }

  /** Copies of every memory, for snapshots. */
  snapshot(): ReflectionMemory[] {
    return [...this.memories.values()].map((memory) => structuredClone(memory));
  }

  /** Replaces the contents with a snapshot's. */
  load(memories: readonly ReflectionMemory[]): void {
    this.memories.clear();
    for (const memory of memories) this.memories.set(memory.id, memory);
  }
}
