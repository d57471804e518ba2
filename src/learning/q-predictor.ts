import type { JottyConfig, QPredictorConfig } from "../config/index.js";
import { CachedEmbedder, embedderId, type HnswCounters } from "../embeddings/index.js";
import type { LlmUsageCounts } from "../llm/index.js";
import { timed, type Telemetry } from "../telemetry/index.js";
import { parseSnapshot, systemClock, type Owner, type Rng } from "../util/index.js";
import { applyPolicy, type Policy } from "./apply-policy.js";
import { calibrationRange, calibrationReport, type CalibrationReport } from "./calibration.js";
import { EpisodeProgress } from "./episode-progress.js";
import { PrioritizedExperienceBuffer } from "./experience-buffer.js";
import { learnStep, type LearnStepParts, type QUpdateResult } from "./learn-step.js";
import { learnedContext } from "./learned-context.js";
import { maintainTiers } from "./maintain-tiers.js";
import type { EpsilonSchedule } from "./math/index.js";
import type { QEntry } from "./q-entry.js";
import type { QPrediction } from "./q-prediction.js";
import {
  qPredictorOptionsFromConfig,
  resolveQPredictorSettings,
  restoreOptionsWithDefaults,
  type QMethod,
  type QPredictorOptions,
  type QPredictorRestoreOptions,
  type QPredictorServices,
} from "./q-predictor-options.js";
import { Q_PREDICTOR_SNAPSHOT_VERSION, QPredictorSnapshotSchema, type QPredictorSnapshot } from "./q-predictor-snapshot.js";
import { QTable, type QChange } from "./q-table.js";
import { validateQUpdateInput, type QUpdateInput } from "./q-update-input.js";
import { QValueEstimator } from "./q-value-estimator.js";
import type { ReplayExperience } from "./replay-experience.js";
import { normalizeText } from "./text-key.js";

/**
 * Values (state, action) pairs described in plain text. Exact pairs (after normalising the
 * text) come from the table; unseen ones are estimated from the most similar known pairs in
 * embedding space, then asked of a language model when one is configured, then given the
 * prior. Without an embedder it is a textbook tabular Q-learner (or SARSA, Expected SARSA).
 *
 * Each entry keeps its value, visits, average reward, recent TD errors and up to five
 * lessons; a prioritised buffer supports replay; tiers decide what goes into a prompt; and
 * `calibration()` says whether the numbers can be trusted.
 *
 * @example
 * ```ts
 * const q = new QPredictor({ alpha: 0.5, gamma: 1, method: "sarsa" });
 * await q.update({ state, action: "move up", reward: -1, nextState, nextAction: "move right", done: false });
 * const { action } = await q.selectAction({ state, actions, rng });
 * ```
 */
export class QPredictor {
  readonly alpha: number;
  readonly gamma: number;
  readonly method: QMethod;
  readonly initialValue: number;
  readonly rewardRange: readonly [number, number] | undefined;
  readonly epsilon: EpsilonSchedule;
  readonly settings: QPredictorConfig;
  private readonly table: QTable;
  private readonly estimator: QValueEstimator;
  private readonly telemetry: Telemetry | undefined;
  private readonly buffer: PrioritizedExperienceBuffer<ReplayExperience>;
  private readonly progress = new EpisodeProgress();
  /** How the last restore got its vectors: `loaded` from bytes, `embedded` again (and why), or `none` given. */
  vectorRestore: { vectors: "loaded" | "embedded" | "none"; problem?: string } = { vectors: "none" };
  /** What a learning step reads and changes. */
  private readonly parts: LearnStepParts;

  /**
   * @throws JottyError `invalid_argument` when α, γ or the reward range are out of range,
   *   `config_invalid` when the settings do not match the schema.
   */
  constructor(options: QPredictorOptions) {
    const resolved = resolveQPredictorSettings(options);
    ({ alpha: this.alpha, gamma: this.gamma, method: this.method, initialValue: this.initialValue, rewardRange: this.rewardRange, epsilon: this.epsilon } = resolved);
    this.settings = resolved.settings;
    // States and actions are embedded again and again as a step values its candidates: through an LRU cache.
    this.table = new QTable(
      options.embedder === undefined || options.embedder instanceof CachedEmbedder ? options.embedder : new CachedEmbedder(options.embedder, { capacity: 4096 }),
      options.vectorIndex,
    );
    this.estimator = new QValueEstimator({
      table: this.table,
      settings: this.settings,
      rewardRange: this.rewardRange,
      initialValue: this.initialValue,
      llm: options.llm,
      modelBreaker: options.modelBreaker,
      clock: options.clock ?? systemClock,
    });
    this.telemetry = options.telemetry;
    this.buffer = new PrioritizedExperienceBuffer({ capacity: this.settings.bufferCapacity });
    this.parts = { settings: resolved, table: this.table, estimator: this.estimator, buffer: this.buffer, progress: this.progress };
  }

  /**
   * A predictor with the config's α, γ, ε schedule and `qPredictor` settings.
   *
   * @param options - the embedder (for similarity estimates) and the model, when wanted.
   */
  static fromConfig(config: Pick<JottyConfig, "learning" | "qPredictor">, options: QPredictorServices = {}): QPredictor {
    return new QPredictor({ ...qPredictorOptionsFromConfig(config), ...options });
  }

  /** Number of (state, action) entries. */
  get size(): number {
    return this.table.size;
  }

  /** Which index holds the states' vectors for the neighbour search: `none` before the first state or without an embedder. */
  get indexKind(): QTable["indexKind"] {
    return this.table.indexKind;
  }

  /** How the states' index rebuilt or searched another way than its graph (zeros while exact). */
  indexCounters(): HnswCounters {
    return this.table.indexCounters();
  }

  /** Lessons held over all entries. */
  get lessonCount(): number {
    let total = 0;
    for (const entry of this.table.values()) total += entry.lessons.length;
    return total;
  }

  /** Episodes completed. */
  get episode(): number {
    return this.progress.episode;
  }

  /** Model calls, failures, skips and tokens so far. */
  llmUsage(): LlmUsageCounts {
    return this.estimator.usage.get();
  }

  /** A copy of the entry of a pair, or undefined. */
  entry(state: string, action: string): QEntry | undefined {
    const entry = this.table.find(state, action);
    return entry === undefined ? undefined : structuredClone(entry);
  }

  /** Copies of every entry. */
  list(): QEntry[] {
    return [...this.table.values()].map((entry) => structuredClone(entry));
  }

  /** Experiences waiting in the replay buffer. */
  get bufferSize(): number {
    return this.buffer.size;
  }

  /** Subscribes to every entry created, updated or removed; returns the unsubscribe function. */
  onChange(listener: (change: QChange) => void): () => void {
    return this.table.onChange(listener);
  }

  /**
   * Values every candidate action of a state: table, then similar pairs, then the model (when
   * configured and `useLlm`), then the prior. A failing model falls back and is counted.
   */
  async predictMany(input: { state: string; actions: readonly string[]; goal?: string; useLlm?: boolean }): Promise<QPrediction[]> {
    return timed(this.telemetry, "predict", () => this.estimator.predict(input));
  }

  /** The value of one (state, action) pair; see {@link QPredictor.predictMany}. */
  async predict({ state, action, goal }: { state: string; action: string; goal?: string }): Promise<QPrediction> {
    return (await this.predictMany({ state, actions: [action], ...(goal === undefined ? {} : { goal }) }))[0] as QPrediction;
  }

  /**
   * Learns from one transition with the configured target (Q-learning: r + γ·max Q(s′, ·);
   * SARSA: r + γ·Q(s′, a′); Expected SARSA: r + γ·E_ε[Q(s′, ·)]). The transition also goes
   * into the replay buffer and may leave a lesson.
   *
   * @throws JottyError `invalid_reward` for a non-finite reward, `invalid_argument` for a
   *   missing state, action, next state or (SARSA) next action; nothing changes then.
   */
  async update(input: QUpdateInput): Promise<QUpdateResult> {
    return learnStep(this.parts, { input, weight: 1, record: true });
  }

  /**
   * Monte-Carlo learning from a whole episode: each step's value moves towards the discounted
   * return that followed it, G_t = r_t + γ·G_{t+1}. Suits rewards that come only at the end,
   * where a one-step target cannot tell which earlier choice mattered.
   *
   * @throws JottyError `invalid_reward` for a non-finite reward (nothing changes).
   */
  async learnEpisode(
    steps: ReadonlyArray<{ state: string; action: string; reward: number; owner?: Owner | undefined; alpha?: number | undefined }>,
  ): Promise<QUpdateResult[]> {
    for (const step of steps) validateQUpdateInput({ ...step, nextState: null, done: true }, this.method);
    const returns: number[] = [];
    let following = 0;
    for (let index = steps.length - 1; index >= 0; index -= 1) {
      following = (steps[index] as { reward: number }).reward + this.gamma * following;
      returns[index] = following;
    }
    const results: QUpdateResult[] = [];
    for (const [index, step] of steps.entries()) {
      const last = index === steps.length - 1;
      const nextState = last ? null : (steps[index + 1] as { state: string }).state;
      const transition = { state: step.state, action: step.action, reward: step.reward, nextState, done: last, owner: step.owner, alpha: step.alpha };
      results.push(await learnStep(this.parts, { input: transition, weight: 1, record: true, fixedTarget: returns[index] as number }));
    }
    return results;
  }

  /**
   * Re-learns from `count` experiences drawn from the buffer in proportion to priority, each
   * step scaled by its importance weight; priorities are refreshed from the new TD errors.
   */
  async replay(count: number, rng: Rng): Promise<{ replayed: number; meanAbsoluteTdError: number }> {
    const samples = this.buffer.sample(count, rng);
    let total = 0;
    for (const sample of samples) {
      // A Monte-Carlo experience is re-learned towards the return it saw, not a one-step target.
      const { return: followed, ...item } = sample.item;
      const result = await learnStep(this.parts, { input: item, weight: sample.weight, record: false, ...(followed === undefined ? {} : { fixedTarget: followed }) });
      this.buffer.updatePriority(sample.index, result.tdError);
      total += Math.abs(result.tdError);
    }
    return { replayed: samples.length, meanAbsoluteTdError: samples.length === 0 ? 0 : total / samples.length };
  }

  /** Experiences drawn from the buffer, for inspection (the same draw `replay` would make). */
  sampleExperiences(count: number, rng: Rng): Array<{ state: string; action: string; reward: number; weight: number; priority: number }> {
    return this.buffer.sample(count, rng).map(({ item, weight, priority }) => ({ state: item.state, action: item.action, reward: item.reward, weight, priority }));
  }

  /**
   * Chooses an action: ε-greedy (ε from the schedule at the current episode unless given),
   * softmax or UCB1 over the offline predictions (table, similar pairs, prior).
   */
  async selectAction({
    state,
    actions,
    rng,
    policy,
    bonuses,
    useLlm = false,
  }: {
    state: string;
    actions: readonly string[];
    rng: Rng;
    policy?: Policy;
    /** Added to the predicted values of these actions before choosing (e.g. a trace's suggestion). */
    bonuses?: Readonly<Record<string, number>>;
    /** Whether the model (when configured) values the pairs nothing near is known about. @default false */
    useLlm?: boolean;
  }): Promise<{ action: string; index: number; predictions: QPrediction[] }> {
    const predictions = await this.predictMany({ state, actions, useLlm });
    const bonus = new Map(Object.entries(bonuses ?? {}).map(([action, value]) => [normalizeText(action), value]));
    const values = predictions.map((prediction) => prediction.q + (bonus.get(normalizeText(prediction.action)) ?? 0));
    const index = applyPolicy({
      policy: policy ?? this.settings.policy,
      values,
      counts: () => actions.map((action) => this.table.find(state, action)?.visits ?? 0),
      schedule: this.epsilon,
      episode: this.progress.episode,
      rng,
    });
    return { action: actions[index] as string, index, predictions };
  }

  /**
   * Closes an episode: pairs each step's predicted value with the discounted return that
   * followed (for calibration), re-ranks the tiers, promotes archived entries after
   * `promoteAfter` episodes without a better return, and prunes stale archived entries.
   *
   * @param options - the episode's return; the sum of its rewards when omitted.
   */
  endEpisode({ return: given }: { return?: number } = {}): { episode: number; promoted: number; pruned: number } {
    this.progress.close({ gamma: this.gamma, given });
    const promote = this.progress.episodesWithoutImprovement >= this.settings.tiers.promoteAfter;
    if (promote) this.progress.resetStall();
    const { promoted, pruned } = maintainTiers({ table: this.table, rewardRange: this.rewardRange, episode: this.progress.episode, tiers: this.settings.tiers, promote });
    return { episode: this.progress.episode, promoted, pruned };
  }

  /**
   * The learned values and lessons as prompt text: lessons about this state (or similar ones),
   * the tier-1 entries, and tier 2 grouped by action, within `maxTokens` (about four
   * characters a token).
   */
  async getLearnedContext({ state, goal, maxTokens = 800 }: { state: string; goal?: string; maxTokens?: number }): Promise<string> {
    return learnedContext({ table: this.table, state, goal, maxTokens, minSimilarity: this.settings.minSimilarity });
  }

  /**
   * How well predicted values match the returns that followed: Brier score, expected
   * calibration error and a reliability table, over values normalised by `rewardRange` (or the
   * observed range). Without samples it uses the (prediction, return) pairs of past episodes;
   * with samples it predicts each and compares with its return.
   */
  async calibration(samples?: ReadonlyArray<{ state: string; action: string; return: number }>): Promise<CalibrationReport> {
    let pairs = this.progress.calibrationPairs;
    if (samples !== undefined) {
      const predicted: Array<{ predicted: number; observed: number }> = [];
      for (const sample of samples) {
        const [value] = await this.estimator.offlineValues(sample.state, [sample.action]);
        predicted.push({ predicted: value as number, observed: sample.return });
      }
      pairs = predicted;
    }
    return calibrationReport(pairs, calibrationRange(pairs, this.rewardRange));
  }

  /**
   * The whole learned state as JSON: entries, replay buffer, calibration pairs, progress and
   * model usage, never settings; {@link QPredictor.restore} rebuilds it.
   */
  snapshot(): QPredictorSnapshot {
    return {
      schemaVersion: Q_PREDICTOR_SNAPSHOT_VERSION,
      embedder: this.table.embedder === undefined ? null : embedderId(this.table.embedder),
      episode: this.progress.episode,
      entries: this.list(),
      buffer: this.buffer.entries().map((entry) => structuredClone(entry)),
      calibration: this.progress.calibrationPairs.map((pair) => ({ ...pair })),
      progress: { bestReturn: this.progress.bestReturn, episodesWithoutImprovement: this.progress.episodesWithoutImprovement },
      usage: this.estimator.usage.get(),
    };
  }

  /** The states' vector index and the actions' vectors as bytes, for {@link QPredictor.restore} (undefined without an embedder). */
  snapshotVectors(): Uint8Array | undefined {
    return this.table.vectorBytes();
  }

  /**
   * Rebuilds a predictor from a snapshot with the settings given (α, γ, method, ε, `settings`,
   * as for the constructor; {@link qPredictorOptionsFromConfig} reads them from a config):
   * the snapshot holds learned data only, and settings stored by older versions are ignored.
   * Give the embedder and model again too. Similarity vectors are loaded from `vectors`
   * ({@link QPredictor.snapshotVectors}) when the same embedder made them, else recomputed
   * ({@link QPredictor.vectorRestore} says which, and why).
   *
   * @throws JottyError `snapshot_version_unsupported` for a snapshot from a newer Jotty,
   *   `snapshot_invalid` when it does not match the schema, and as the constructor for
   *   settings out of range.
   */
  static async restore(snapshot: unknown, options: QPredictorRestoreOptions & { vectors?: Uint8Array | undefined } = {}): Promise<QPredictor> {
    const data = parseSnapshot({ schema: QPredictorSnapshotSchema, snapshot, version: Q_PREDICTOR_SNAPSHOT_VERSION, what: "Q-predictor" });
    const { vectors, ...rest } = options;
    const predictor = new QPredictor(restoreOptionsWithDefaults(rest));
    const problem = vectors === undefined ? undefined : predictor.table.loadVectors(vectors);
    predictor.vectorRestore = vectors === undefined ? { vectors: "none" } : problem === undefined ? { vectors: "loaded" } : { vectors: "embedded", problem };
    for (const entry of data.entries) await predictor.table.add(entry);
    predictor.table.dropUnusedVectors();
    predictor.buffer.load(data.buffer);
    predictor.progress.load({ episode: data.episode, calibration: data.calibration, ...data.progress });
    predictor.estimator.usage.set(data.usage);
    return predictor;
  }
}
