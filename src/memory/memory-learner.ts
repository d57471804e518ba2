import { z } from "zod";
import { LearningSchema, MemorySchema, type JottyConfig } from "../config/index.js";
import { issueList, JottyError } from "../errors/index.js";
import { eligibilityTrace } from "../learning/math/index.js";
import type { HierarchicalMemory } from "./hierarchical-memory.js";

/**
 * Options of {@link MemoryLearner}: the config's TD(λ) settings, each with the config's
 * default (α, γ, λ and the trace kind from `learning`; baseline, reward range and goal
 * transfer from `memory`), and two of its own.
 */
const OptionsSchema = z.strictObject({
  ...LearningSchema.pick({ alpha: true, gamma: true, lambda: true, trace: true }).shape,
  /** Credit against a moving-average return per task type. */
  baseline: MemorySchema.shape.baseline,
  /** Returns are mapped from this range onto [0, 1]. */
  rewardRange: MemorySchema.shape.rewardRange,
  /** Goals at least this similar receive a share of each update (the config's `memory.goalSimilarityThreshold`). */
  goalTransferThreshold: MemorySchema.shape.goalSimilarityThreshold,
  /** Step size of the baseline's moving average. */
  baselineRate: z.number().gt(0).max(1).default(0.1),
  /** Traces below this are dropped. */
  traceThreshold: z.number().min(0).default(1e-8),
});

/** Options of {@link MemoryLearner}, as written (every one has a default). */
export type MemoryLearnerOptions = z.input<typeof OptionsSchema>;

/** One memory value changed at the end of an episode. */
export interface MemoryValueChange {
  memory: string;
  id: string;
  goal: string;
  before: number;
  after: number;
  trace: number;
}

/** What {@link MemoryLearner.endEpisode} did. */
export interface EpisodeCredit {
  /** Final reward plus discounted intermediate rewards. */
  return: number;
  /** The return mapped onto [0, 1]. */
  normalizedReturn: number;
  /** The task type's baseline before this episode (when baselines are on). */
  baseline: number | undefined;
  /** Value changes for the episode's goal. */
  changes: MemoryValueChange[];
  /** Value changes passed on to similar goals. */
  transferred: MemoryValueChange[];
}

function checkReward(reward: unknown, where: string): number {
  if (typeof reward !== "number" || !Number.isFinite(reward)) {
    throw new JottyError({
      code: "invalid_reward",
      message: `${where} got reward ${String(reward)}; rewards must be finite numbers. Nothing was changed.`,
      details: { reward: String(reward) },
    });
  }
  return reward;
}

/**
 * TD(λ) credit assignment on memory values. Every retrieval during an episode is an access:
 * all traces decay by γλ and the accessed memory's trace grows by one (accumulating traces;
 * replacing and dutch traces on request).
 * At the end of the episode each traced memory's value for the goal moves towards the
 * episode's return, in proportion to its trace: V ← clip₀¹(V + α·δ·e), δ = R − V (or
 * R − baseline of the task type); similar goals the memory has values for move by the same
 * change scaled by goal similarity.
 *
 * @example
 * ```ts
 * const learner = new MemoryLearner({ alpha: 0.1 });
 * learner.attach(memory);
 * await learner.startEpisode({ goal: "daily revenue", taskType: "aggregate" });
 * await memory.retrieve({ goal: "daily revenue" }); // traced automatically
 * await learner.endEpisode({ reward: 1 });
 * ```
 */
export class MemoryLearner {
  private readonly options: z.output<typeof OptionsSchema>;
  /** Eligibility traces per memory, keyed by the memory object so equal names never collide. */
  private readonly traces = new Map<HierarchicalMemory, Map<string, number>>();
  private readonly detach = new Map<HierarchicalMemory, () => void>();
  /** Step sizes of memories attached with their own. */
  private readonly alphas = new Map<HierarchicalMemory, number>();
  private readonly baselines = new Map<string, number>();
  private episode: { goal: string; taskType: string; rewards: number[] } | undefined;

  /**
   * @param options - α, γ, λ, baseline, reward range, goal transfer threshold.
   * @throws JottyError `invalid_argument` when an option is out of range.
   */
  constructor(options: MemoryLearnerOptions = {}) {
    const parsed = OptionsSchema.safeParse(options);
    if (!parsed.success) {
      throw new JottyError({
        code: "invalid_argument",
        message: `Invalid MemoryLearner options: ${issueList(parsed.error).join("; ")}.`,
      });
    }
    this.options = parsed.data;
  }

  /**
   * A learner with the config's α, γ, λ and trace kind, and its memory baseline, reward range
   * and goal similarity threshold.
   */
  static fromConfig(config: Pick<JottyConfig, "learning" | "memory">): MemoryLearner {
    return new MemoryLearner({
      alpha: config.learning.alpha,
      gamma: config.learning.gamma,
      lambda: config.learning.lambda,
      trace: config.learning.trace,
      baseline: config.memory.baseline,
      rewardRange: config.memory.rewardRange,
      goalTransferThreshold: config.memory.goalSimilarityThreshold,
    });
  }

  /** Whether an episode is running. */
  get active(): boolean {
    return this.episode !== undefined;
  }

  /** The current eligibility trace of a memory (0 when none). */
  trace(memory: HierarchicalMemory, id: string): number {
    return this.traces.get(memory)?.get(id) ?? 0;
  }

  /** The moving-average normalised return of a task type, when baselines are on and it has one. */
  baseline(taskType: string): number | undefined {
    return this.baselines.get(taskType);
  }

  /**
   * Starts tracing the retrievals of a memory.
   *
   * @param options - `alpha`: step size for this memory's credit instead of the learner's
   *   (an actor's learning-rate override).
   */
  attach(memory: HierarchicalMemory, { alpha }: { alpha?: number } = {}): void {
    if (alpha !== undefined) {
      if (!(alpha > 0 && alpha <= 1)) {
        throw new JottyError({ code: "invalid_argument", message: `A memory's alpha must be in (0, 1], got ${alpha}.` });
      }
      this.alphas.set(memory, alpha);
    }
    if (this.detach.has(memory)) return;
    this.detach.set(
      memory,
      memory.onAccess(({ id }) => this.recordAccess(memory, id)),
    );
  }

  /** Stops tracing a memory. */
  detachMemory(memory: HierarchicalMemory): void {
    this.detach.get(memory)?.();
    this.detach.delete(memory);
    this.alphas.delete(memory);
  }

  /**
   * Starts an episode for a goal; accesses are traced from now on.
   *
   * @throws JottyError `episode_active` when an episode is already running.
   */
  async startEpisode({ goal, taskType = "general" }: { goal: string; taskType?: string }): Promise<void> {
    if (this.episode !== undefined) {
      throw new JottyError({
        code: "episode_active",
        message: `An episode for "${this.episode.goal}" is still running; end it with endEpisode() before starting another.`,
      });
    }
    await Promise.all([...this.detach.keys()].map((memory) => memory.ensureGoal(goal)));
    this.traces.clear();
    this.episode = { goal, taskType, rewards: [] };
  }

  /** Records an access by hand (retrievals of attached memories do it automatically). */
  recordAccess(memory: HierarchicalMemory, id: string): void {
    if (this.episode === undefined) return;
    const { alpha, gamma, lambda, traceThreshold } = this.options;
    const kind = this.options.trace === "true-online" ? "dutch" : this.options.trace;
    for (const [tracedMemory, traces] of this.traces) {
      for (const [tracedId, trace] of traces) {
        if (tracedMemory === memory && tracedId === id) continue;
        const decayed = eligibilityTrace({ trace, kind, gamma, lambda, visited: false });
        if (decayed < traceThreshold) traces.delete(tracedId);
        else traces.set(tracedId, decayed);
      }
    }
    let traces = this.traces.get(memory);
    if (traces === undefined) {
      traces = new Map();
      this.traces.set(memory, traces);
    }
    traces.set(id, eligibilityTrace({ trace: traces.get(id) ?? 0, kind, gamma, lambda, alpha, visited: true }));
  }

  /**
   * An intermediate reward of the running episode.
   *
   * @throws JottyError `invalid_reward` for a non-finite reward, `no_active_episode` outside an episode.
   */
  reward(reward: number): void {
    const value = checkReward(reward, "MemoryLearner.reward");
    this.requireEpisode().rewards.push(value);
  }

  private requireEpisode(): { goal: string; taskType: string; rewards: number[] } {
    if (this.episode === undefined) {
      throw new JottyError({
        code: "no_active_episode",
        message: "No episode is running; call startEpisode({ goal }) first.",
      });
    }
    return this.episode;
  }

  /** Ends the episode without crediting anything (e.g. in DISABLED mode or after an error). */
  abandonEpisode(): void {
    this.episode = undefined;
    this.traces.clear();
  }

  /**
   * Ends the episode: R = final reward + Σ γ^i r_i, mapped onto [0, 1], credits every traced
   * memory for the goal and passes the changes on to similar goals.
   *
   * @throws JottyError `invalid_reward` for a non-finite reward (the episode stays open, nothing changes),
   *   `no_active_episode` outside an episode.
   */
  async endEpisode({
    reward,
    target,
  }: {
    reward: number;
    /**
     * Per memory, the outcome to credit it with instead of the episode's (in [0, 1]), or null to
     * leave it alone: for credit only where a memory could have changed a decision.
     */
    target?: (memory: HierarchicalMemory, id: string) => number | null;
  }): Promise<EpisodeCredit> {
    const final = checkReward(reward, "MemoryLearner.endEpisode");
    const episode = this.requireEpisode();
    const { alpha, gamma, baseline: useBaseline, baselineRate, rewardRange, goalTransferThreshold } = this.options;
    const episodeReturn = episode.rewards.reduce((sum, value, step) => sum + gamma ** step * value, final);
    const [low, high] = rewardRange;
    const normalizedReturn = Math.min(1, Math.max(0, (episodeReturn - low) / (high - low)));
    const baseline = useBaseline ? (this.baselines.get(episode.taskType) ?? 0.5) : undefined;

    const changes: MemoryValueChange[] = [];
    const transferred: MemoryValueChange[] = [];
    const traced = [...this.traces].flatMap(([memory, traces]) => [...traces].map(([id, trace]) => ({ memory, id, trace })));
    for (const { memory, id, trace } of traced) {
      const before = memory.cachedValue(id, episode.goal);
      if (before === undefined) continue; // evicted since it was used
      const own = target === undefined ? normalizedReturn : target(memory, id);
      if (own === null) continue;
      const outcome = Math.min(1, Math.max(0, own));
      const delta = baseline === undefined ? outcome - before : outcome - baseline;
      const after = Math.min(1, Math.max(0, before + (this.alphas.get(memory) ?? alpha) * delta * trace));
      memory.setValue({ id, goal: episode.goal, value: after, visit: true });
      changes.push({ memory: memory.name, id, goal: episode.goal, before, after, trace });
      const change = after - before;
      if (change === 0) continue;
      for (const goal of memory.goalsOf(id)) {
        if (goal === episode.goal) continue;
        const similarity = memory.goalSimilarity(episode.goal, goal);
        if (similarity < goalTransferThreshold) continue;
        const old = memory.cachedValue(id, goal) as number;
        const updated = Math.min(1, Math.max(0, old + similarity * change));
        memory.setValue({ id, goal, value: updated });
        transferred.push({ memory: memory.name, id, goal, before: old, after: updated, trace });
      }
    }
    if (useBaseline) {
      const previous = this.baselines.get(episode.taskType) ?? 0.5;
      this.baselines.set(episode.taskType, previous + baselineRate * (normalizedReturn - previous));
    }
    this.episode = undefined;
    this.traces.clear();
    return { return: episodeReturn, normalizedReturn, baseline, changes, transferred };
  }

  /** Baselines per task type, for snapshots. */
  snapshot(): { schemaVersion: 1; baselines: Record<string, number> } {
    return { schemaVersion: 1, baselines: Object.fromEntries(this.baselines) };
  }

  /**
   * Restores the baselines of a snapshot into this learner.
   *
   * @throws JottyError `snapshot_invalid` when it does not match the schema.
   */
  restoreState(snapshot: unknown): void {
    const parsed = z
      .strictObject({ schemaVersion: z.literal(1), baselines: z.record(z.string(), z.number().min(0).max(1)) })
      .safeParse(snapshot);
    if (!parsed.success) {
      throw new JottyError({
        code: "snapshot_invalid",
        message: "Not a MemoryLearner snapshot; pass what snapshot() returned.",
      });
    }
    this.baselines.clear();
    for (const [taskType, value] of Object.entries(parsed.data.baselines)) this.baselines.set(taskType, value);
  }
}
