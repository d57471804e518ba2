import type { MemoryConfig } from "../config/index.js";
import { cosineSimilarity, type Embedder } from "../embeddings/index.js";
import { embedOne } from "./embed-one.js";
import type { MemoryEntry } from "./memory-entry.js";
import { INITIAL_VALUES } from "./memory-level.js";

/**
 * The goals a memory has seen, with their vectors, and the values memories have for them. A
 * memory's value for a goal it was never credited for is carried over from similar goals, so
 * the vectors of past goals are kept for as long as the memory is.
 */
export class GoalValues {
  private readonly vectors = new Map<string, Float32Array>();
  private readonly embedder: Embedder;
  private readonly settings: Pick<MemoryConfig, "goalSimilarityThreshold">;

  /**
   * @param options - the embedder goals are embedded with, and the memory's settings, read on
   *   every use: the cosine below which another goal's value is not carried over.
   */
  constructor(options: { embedder: Embedder; settings: Pick<MemoryConfig, "goalSimilarityThreshold"> }) {
    this.embedder = options.embedder;
    this.settings = options.settings;
  }

  /** Embeds and caches a goal, so values can be carried between similar goals. */
  async ensure(goal: string): Promise<Float32Array> {
    let vector = this.vectors.get(goal);
    if (vector === undefined) {
      vector = await embedOne(this.embedder, goal);
      this.vectors.set(goal, vector);
    }
    return vector;
  }

  /**
   * A goal's vector; without `record` (frozen inference) a new goal is embedded without being
   * cached, so not even the goal cache changes.
   */
  async vectorFor(goal: string, record: boolean): Promise<Float32Array> {
    return record ? await this.ensure(goal) : (this.vectors.get(goal) ?? (await embedOne(this.embedder, goal)));
  }

  /** Whether a goal is known. */
  has(goal: string): boolean {
    return this.vectors.has(goal);
  }

  /** Remembers a goal's vector (from a snapshot). */
  set(goal: string, vector: Float32Array): void {
    this.vectors.set(goal, vector);
  }

  /** Every known goal with its vector, in the order first seen. */
  entries(): IterableIterator<[string, Float32Array]> {
    return this.vectors.entries();
  }

  /** Cosine similarity of two goals already seen (0 when either is unknown). */
  similarity(a: string, b: string): number {
    if (a === b) return 1;
    const first = this.vectors.get(a);
    const second = this.vectors.get(b);
    return first === undefined || second === undefined ? 0 : cosineSimilarity(first, second);
  }

  /**
   * The value of a memory for a goal: its own, else the values it has for similar goals weighted
   * by similarity, else its kind's default.
   *
   * @param target - the goal's vector, when the caller has it already.
   */
  valueOf(entry: MemoryEntry, goal: string, target = this.vectors.get(goal)): number {
    const own = entry.values[goal];
    if (own !== undefined) return own.value;
    const initial = INITIAL_VALUES[entry.kind];
    if (target === undefined) return initial;
    let weighted = 0;
    let total = 0;
    let closest = 0;
    for (const [other, goalValue] of Object.entries(entry.values)) {
      const vector = this.vectors.get(other);
      if (vector === undefined) continue;
      const similarity = cosineSimilarity(target, vector);
      if (similarity < this.settings.goalSimilarityThreshold) continue;
      weighted += similarity * goalValue.value;
      total += similarity;
      closest = Math.max(closest, similarity);
    }
    // Shrink towards the kind's default by how close the nearest known goal is.
    return total === 0 ? initial : initial + closest * (weighted / total - initial);
  }

  /** The mean value of some memories for every goal any of them has a value for (no visits: nothing credited the mean). */
  average(members: readonly MemoryEntry[]): MemoryEntry["values"] {
    const goals = new Set(members.flatMap((member) => Object.keys(member.values)));
    const values: MemoryEntry["values"] = {};
    for (const goal of goals) {
      const mean = members.reduce((sum, member) => sum + this.valueOf(member, goal), 0) / members.length;
      values[goal] = { value: Math.min(1, Math.max(0, mean)), visits: 0 };
    }
    return values;
  }
}

/**
 * A memory's mean value over the goals it has one for, else its kind's default: the measure of
 * worth when no goal is in view (eviction, pruning, wisdom).
 */
export function meanValue(entry: MemoryEntry): number {
  const values = Object.values(entry.values);
  if (values.length === 0) return INITIAL_VALUES[entry.kind];
  return values.reduce((sum, goalValue) => sum + goalValue.value, 0) / values.length;
}
