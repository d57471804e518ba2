import { createHash } from "node:crypto";
import { z } from "zod";
import type { ConductorConfig } from "../config/index.js";
import { cosineSimilarity, VectorCache, type Embedder } from "../embeddings/index.js";
import { normalizeText } from "../learning/index.js";
import { parseSnapshot } from "../util/index.js";
import { ExecutionMode } from "./execution-mode.js";

/** A successful episode's path: the goal and the actions that reached it. */
export const ExecutionTraceSchema = z.strictObject({
  id: z.string(),
  goal: z.string(),
  actions: z.array(z.string()),
  reward: z.number(),
  /** Times this exact path succeeded again. */
  successes: z.int().min(1),
  /** Times replaying it (FOLLOWER or MIXED) ended in failure. */
  failures: z.int().min(0).default(0),
});

/** A stored trace. */
export type ExecutionTrace = z.infer<typeof ExecutionTraceSchema>;

const ModeStatsSchema = z.strictObject({
  episodes: z.int().min(0),
  successes: z.int().min(0),
  llmCalls: z.int().min(0),
  tokens: z.int().min(0),
});

/** Episodes, successes, model calls and tokens of one execution mode. */
export type ModeStats = z.infer<typeof ModeStatsSchema>;

/** A trace library's state, for the Vault. */
export const TraceLibrarySnapshotSchema = z.strictObject({
  schemaVersion: z.literal(1),
  traces: z.array(ExecutionTraceSchema),
  modes: z.strictObject({ follower: ModeStatsSchema, mixed: ModeStatsSchema, learner: ModeStatsSchema }),
});

const emptyStats = (): ModeStats => ({ episodes: 0, successes: 0, llmCalls: 0, tokens: 0 });

/**
 * Stored traces of successful episodes and the choice of execution mode (LLMOS): a goal
 * at least `follower`-similar to a stored trace's goal replays it, at least `mixed`-similar
 * uses it as guidance, else the actors reason from scratch. Once a mode has run
 * `adaptAfter` episodes, its threshold rises by up to 0.1 as its success rate falls.
 */
export class TraceLibrary {
  private readonly traces = new Map<string, ExecutionTrace>();
  private readonly vectors: VectorCache;
  private readonly modes: Record<ExecutionMode, ModeStats> = { follower: emptyStats(), mixed: emptyStats(), learner: emptyStats() };

  constructor(
    embedder: Embedder,
    private readonly settings: ConductorConfig["executionModes"],
  ) {
    this.vectors = new VectorCache(embedder);
  }

  get size(): number {
    return this.traces.size;
  }


  /** The stored trace whose goal is most similar to this one, with the similarity. */
  async match(goal: string): Promise<{ trace: ExecutionTrace; similarity: number } | undefined> {
    if (this.traces.size === 0) return undefined;
    const target = await this.vectors.get(goal);
    let best: { trace: ExecutionTrace; similarity: number } | undefined;
    for (const trace of this.traces.values()) {
      // A path that fails more often than it succeeds when replayed is no longer offered.
      if (trace.failures > trace.successes) continue;
      const similarity = cosineSimilarity(target, await this.vectors.get(trace.goal));
      // Among equally similar traces, the one with the best return, then the most successes.
      const tie = best !== undefined && Math.abs(similarity - best.similarity) <= 1e-9;
      const better =
        tie && best !== undefined && (trace.reward > best.trace.reward || (trace.reward === best.trace.reward && trace.successes > best.trace.successes));
      if (best === undefined || similarity > best.similarity + 1e-9 || better) {
        best = { trace, similarity };
      }
    }
    return best;
  }

  /** The similarity a mode needs now: its base threshold, raised as its success rate falls. */
  threshold(mode: "follower" | "mixed"): number {
    const base = this.settings[mode];
    const stats = this.modes[mode];
    if (stats.episodes < this.settings.adaptAfter) return base;
    return Math.min(0.999, base + 0.1 * (1 - stats.successes / stats.episodes));
  }

  /** The execution mode for a goal this similar to the best stored trace. */
  chooseMode(similarity: number | undefined): ExecutionMode {
    if (!this.settings.enabled || similarity === undefined) return ExecutionMode.LEARNER;
    if (similarity >= this.threshold("follower")) return ExecutionMode.FOLLOWER;
    if (similarity >= this.threshold("mixed")) return ExecutionMode.MIXED;
    return ExecutionMode.LEARNER;
  }

  /** Stores a successful path, or counts one more success of a path already stored. */
  async record({ goal, actions, reward }: { goal: string; actions: readonly string[]; reward: number }): Promise<ExecutionTrace> {
    const id = createHash("sha256").update(JSON.stringify([normalizeText(goal), actions.map(normalizeText)])).digest("hex").slice(0, 16);
    const existing = this.traces.get(id);
    if (existing !== undefined) {
      existing.successes += 1;
      existing.reward = Math.max(existing.reward, reward);
      return { ...existing, actions: [...existing.actions] };
    }
    const trace: ExecutionTrace = { id, goal, actions: [...actions], reward, successes: 1, failures: 0 };
    this.traces.set(id, trace);
    await this.vectors.get(goal);
    return { ...trace, actions: [...trace.actions] };
  }

  /** Counts how a replay of a stored trace ended (its successes are counted by `record`). */
  recordReplay(id: string, success: boolean): void {
    const trace = this.traces.get(id);
    if (trace !== undefined && !success) trace.failures += 1;
  }

  /** Counts an episode run in a mode. */
  recordOutcome(mode: ExecutionMode, { success, llmCalls, tokens }: { success: boolean; llmCalls: number; tokens: number }): void {
    const stats = this.modes[mode];
    stats.episodes += 1;
    stats.successes += success ? 1 : 0;
    stats.llmCalls += llmCalls;
    stats.tokens += tokens;
  }

  /** Episodes, successes, model calls and tokens per mode. */
  modeStats(): Record<ExecutionMode, ModeStats> {
    return { follower: { ...this.modes.follower }, mixed: { ...this.modes.mixed }, learner: { ...this.modes.learner } };
  }

  snapshot(): z.infer<typeof TraceLibrarySnapshotSchema> {
    return { schemaVersion: 1, traces: [...this.traces.values()].map((trace) => ({ ...trace, actions: [...trace.actions] })), modes: this.modeStats() };
  }

  /** Takes the traces and mode statistics of a snapshot. */
  async restoreState(snapshot: unknown): Promise<void> {
    const data = parseSnapshot({ schema: TraceLibrarySnapshotSchema, snapshot, version: 1, what: "execution-trace" });
    this.traces.clear();
    for (const trace of data.traces) {
      this.traces.set(trace.id, { ...trace });
      await this.vectors.get(trace.goal);
    }
    for (const mode of ["follower", "mixed", "learner"] as const) this.modes[mode] = { ...data.modes[mode] };
  }
}
