import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { HumanMessage, SystemMessage } from "@langchain/core/messages";
import { z } from "zod";
import {
  EpsilonScheduleSchema,
  PolicySchema,
  QPredictorSchema,
  type EpsilonSchedule,
  type JottyConfig,
} from "../config/index.js";
import { CachedEmbedder, cosineSimilarity, embedderId, embedTexts, FlatVectorIndex, type Embedder } from "../embeddings/index.js";
import { issueList, JottyError } from "../errors/index.js";
import { CircuitBreaker, invokeStructured, LlmUsage, type LlmUsageCounts } from "../llm/index.js";
import { timed, type Telemetry } from "../telemetry/index.js";
import { OwnerSchema, parseSnapshot, systemClock, type Clock, type Owner, type Rng } from "../util/index.js";
import { calibrationReport, type CalibrationReport } from "./calibration.js";
import { caseEstimates, textPriors } from "./case-estimate.js";
import { PrioritizedExperienceBuffer } from "./experience-buffer.js";
import { addLesson, lessonFor, LessonSchema, type Lesson } from "./lessons.js";
import {
  epsilonAt,
  epsilonGreedy,
  expectedSarsaTarget,
  qLearningTarget,
  sarsaTarget,
  softmax,
  ucb1,
} from "./math/index.js";
import { retentionScore } from "./retention.js";
import { normalizeText, pairKey } from "./text-key.js";

/** The one-step target a Q-predictor learns with. */
export type QMethod = "q-learning" | "sarsa" | "expected-sarsa" | "monte-carlo";

/** How actions are chosen (the config's `qPredictor.policy`). */
export type Policy = z.input<typeof PolicySchema>;

/** Options of {@link QPredictor}. */
export interface QPredictorOptions {
  /** Step size α. */
  alpha: number;
  /** Discount γ. */
  gamma: number;
  /** Target. @default "q-learning" */
  method?: QMethod;
  /** Value of a pair nothing is known about. @default 0 */
  initialValue?: number;
  /** Without one the predictor is purely tabular; with one, unseen pairs are estimated from similar ones. */
  embedder?: Embedder;
  /** Asked for a value when nothing similar is known. */
  llm?: BaseChatModel;
  /** The model's circuit breaker, shared with its other callers (errors and timeouts open it for all). */
  modelBreaker?: CircuitBreaker;
  /** Values kept within this range; lessons and calibration read rewards against it. */
  rewardRange?: readonly [number, number];
  /** ε schedule of ε-greedy selection and of Expected SARSA's target policy. @default linear 0.3 → 0.05 over 500 */
  epsilon?: EpsilonSchedule;
  /** The rest of the config's `qPredictor` section. */
  settings?: z.input<typeof QPredictorSchema>;
  /** Where time is read (circuit breaker). @default systemClock */
  clock?: Clock;
  /** Where `predict` latencies are recorded. */
  telemetry?: Telemetry;
}

/** What changed in the Q-table: told to {@link QPredictor.onChange} listeners (the audit log's source). */
export interface QChange {
  action: "create" | "update" | "delete";
  /** The pair's key (normalised state and action). */
  key: string;
  owner?: Owner;
}

/** Where a prediction came from. */
export type PredictionSource = "table" | "similar" | "llm" | "prior";

/** A predicted value. */
export interface QPrediction {
  action: string;
  q: number;
  /** How much to trust it, in [0, 1]. */
  confidence: number;
  source: PredictionSource;
  reasoning?: string;
  /** The model's suggested alternative, when it gave one. */
  alternative?: string;
  /** Visits behind it: the pair's own (table), or similarity-weighted visits of similar states (cases). */
  evidence?: number;
}

/** One transition to learn from. */
export interface QUpdateInput {
  state: string;
  action: string;
  reward: number;
  /** The state reached; ignored when done. */
  nextState: string | null;
  /** The action taken next (SARSA). */
  nextAction?: string | undefined;
  /** The actions available next (Q-learning, Expected SARSA). */
  nextActions?: readonly string[] | undefined;
  done: boolean;
  /** Who made the decision; a new entry records it as its owner. */
  owner?: Owner | undefined;
  /** Step size for this update instead of the predictor's α (e.g. the deciding actor's override). */
  alpha?: number | undefined;
}

/** What one update did. */
export interface QUpdateResult {
  previous: number;
  q: number;
  target: number;
  tdError: number;
  lesson?: Lesson;
}

const EntrySchema = z.strictObject({
  state: z.string(),
  action: z.string(),
  value: z.number().refine(Number.isFinite, "must be finite"),
  visits: z.int().min(0),
  averageReward: z.number(),
  tdErrors: z.array(z.number()),
  lessons: z.array(LessonSchema),
  createdEpisode: z.int().min(0),
  lastUpdatedEpisode: z.int().min(0),
  tier: z.union([z.literal(1), z.literal(2), z.literal(3)]),
  promoted: z.boolean(),
  /** The actor (and user, tenant) whose decision created the entry. */
  owner: OwnerSchema.optional(),
});

/** One entry of the Q-table. */
export type QEntry = z.infer<typeof EntrySchema>;

const ExperienceSchema = z.strictObject({
  state: z.string(),
  action: z.string(),
  reward: z.number(),
  nextState: z.string().nullable(),
  nextAction: z.string().optional(),
  nextActions: z.array(z.string()).optional(),
  done: z.boolean(),
  /** The return that followed, for an experience learned by Monte-Carlo (`learnEpisode`). */
  return: z.number().optional(),
});

type Experience = z.infer<typeof ExperienceSchema>;

/** The schema version Q-predictor snapshots are written with. */
export const Q_PREDICTOR_SNAPSHOT_VERSION = 1;

/** A Q-predictor snapshot, version 1. */
export const QPredictorSnapshotSchema = z.strictObject({
  schemaVersion: z.literal(Q_PREDICTOR_SNAPSHOT_VERSION),
  options: z.strictObject({
    alpha: z.number().gt(0).max(1),
    gamma: z.number().min(0).max(1),
    method: z.enum(["q-learning", "sarsa", "expected-sarsa", "monte-carlo"]),
    initialValue: z.number(),
    rewardRange: z.tuple([z.number(), z.number()]).optional(),
    epsilon: EpsilonScheduleSchema,
  }),
  settings: QPredictorSchema,
  embedder: z.string().nullable(),
  episode: z.int().min(0),
  entries: z.array(EntrySchema),
  buffer: z.array(z.strictObject({ item: ExperienceSchema, priority: z.number().positive() })),
  calibration: z.array(z.strictObject({ predicted: z.number(), observed: z.number() })),
  progress: z.strictObject({ bestReturn: z.number().nullable(), episodesWithoutImprovement: z.int().min(0) }),
  usage: z.strictObject({
    calls: z.int().min(0),
    failures: z.int().min(0),
    rejected: z.int().min(0).default(0),
    skipped: z.int().min(0),
    inputTokens: z.int().min(0),
    outputTokens: z.int().min(0),
  }),
});

/** A Q-predictor snapshot: plain JSON. */
export type QPredictorSnapshot = z.infer<typeof QPredictorSnapshotSchema>;

/** The model's answer when asked for a value. */
export const QValueAnswerSchema = z.object({
  reasoning: z.string().describe("why this value, in one or two sentences"),
  q_value: z.number().describe("expected return of taking the action in the state"),
  confidence: z.number().min(0).max(1).describe("how sure, from 0 to 1"),
  alternative_action: z.string().nullable().describe("a better action, if there is one"),
});

const CALIBRATION_LIMIT = 5000;
const TD_ERRORS_KEPT = 10;

function invalid(message: string): JottyError {
  return new JottyError({ code: "invalid_argument", message });
}

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
  readonly settings: z.output<typeof QPredictorSchema>;
  private readonly embedder: Embedder | undefined;
  private readonly llm: BaseChatModel | undefined;
  private readonly entries = new Map<string, QEntry>();
  private readonly keysByState = new Map<string, Set<string>>();
  private stateIndex: FlatVectorIndex | undefined;
  private readonly actionVectors = new Map<string, Float32Array>();
  private readonly changeListeners = new Set<(change: QChange) => void>();
  private readonly telemetry: Telemetry | undefined;
  private readonly buffer: PrioritizedExperienceBuffer<Experience>;
  private readonly breaker: CircuitBreaker;
  private readonly modelBreaker: CircuitBreaker | undefined;
  private readonly usage = new LlmUsage();
  private episodeCount = 0;
  private episodeSteps: Array<{ predicted: number; reward: number }> = [];
  private calibrationPairs: Array<{ predicted: number; observed: number }> = [];
  private bestReturn: number | null = null;
  private episodesWithoutImprovement = 0;

  /**
   * @throws JottyError `invalid_argument` when α, γ or the reward range are out of range,
   *   `config_invalid` when the settings do not match the schema.
   */
  constructor(options: QPredictorOptions) {
    const parsedSettings = QPredictorSchema.safeParse(options.settings ?? {});
    if (!parsedSettings.success) {
      throw new JottyError({
        code: "config_invalid",
        message: `Invalid Q-predictor settings: ${issueList(parsedSettings.error).join("; ")}.`,
      });
    }
    this.settings = parsedSettings.data;
    if (!(options.alpha > 0 && options.alpha <= 1)) throw invalid(`QPredictor alpha must be in (0, 1], got ${options.alpha}.`);
    if (!(options.gamma >= 0 && options.gamma <= 1)) throw invalid(`QPredictor gamma must be in [0, 1], got ${options.gamma}.`);
    const range = options.rewardRange ?? this.settings.rewardRange;
    if (range !== undefined && !(range[0] < range[1])) throw invalid(`rewardRange must be [low, high] with low < high, got [${range.join(", ")}].`);
    this.alpha = options.alpha;
    this.gamma = options.gamma;
    this.method = options.method ?? this.settings.method;
    this.initialValue = options.initialValue ?? this.settings.initialValue;
    if (!Number.isFinite(this.initialValue)) throw invalid(`initialValue must be a finite number, got ${this.initialValue}.`);
    this.rewardRange = range;
    this.epsilon = options.epsilon ?? { kind: "linear", start: 0.3, end: 0.05, steps: 500 };
    // States and actions are embedded again and again as a step values its candidates: through an LRU cache.
    this.embedder =
      options.embedder === undefined || options.embedder instanceof CachedEmbedder ? options.embedder : new CachedEmbedder(options.embedder, { capacity: 4096 });
    this.telemetry = options.telemetry;
    this.llm = options.llm;
    this.modelBreaker = options.modelBreaker;
    this.buffer = new PrioritizedExperienceBuffer({ capacity: this.settings.bufferCapacity });
    this.breaker = new CircuitBreaker({
      failureThreshold: this.settings.breaker.failures,
      cooldownMs: this.settings.breaker.cooldownMs,
      clock: options.clock ?? systemClock,
    });
  }

  /**
   * A predictor with the config's α, γ, ε schedule and `qPredictor` settings.
   *
   * @param options - the embedder (for similarity estimates) and the model, when wanted.
   */
  static fromConfig(
    config: Pick<JottyConfig, "learning" | "qPredictor">,
    options: { embedder?: Embedder; llm?: BaseChatModel; modelBreaker?: CircuitBreaker; clock?: Clock; telemetry?: Telemetry } = {},
  ): QPredictor {
    return new QPredictor({
      alpha: config.learning.alpha,
      gamma: config.learning.gamma,
      epsilon: config.learning.epsilon,
      settings: config.qPredictor,
      ...options,
    });
  }

  /** Number of (state, action) entries. */
  get size(): number {
    return this.entries.size;
  }

  /** Lessons held over all entries. */
  get lessonCount(): number {
    let total = 0;
    for (const entry of this.entries.values()) total += entry.lessons.length;
    return total;
  }

  /** Episodes completed. */
  get episode(): number {
    return this.episodeCount;
  }

  /** Model calls, failures, skips and tokens so far. */
  llmUsage(): LlmUsageCounts {
    return this.usage.get();
  }

  /** A copy of the entry of a pair, or undefined. */
  entry(state: string, action: string): QEntry | undefined {
    const entry = this.entries.get(pairKey(state, action));
    return entry === undefined ? undefined : structuredClone(entry);
  }

  /** Copies of every entry. */
  list(): QEntry[] {
    return [...this.entries.values()].map((entry) => structuredClone(entry));
  }

  /** Experiences waiting in the replay buffer. */
  get bufferSize(): number {
    return this.buffer.size;
  }

  private async vectorsOf(texts: readonly string[]): Promise<Float32Array[]> {
    return this.embedder === undefined ? [] : embedTexts(this.embedder, texts);
  }

  /** The vector of a (normalised) state text, from the embedding cache when it was asked for lately. */
  private async stateVector(text: string): Promise<Float32Array> {
    return (await this.vectorsOf([text]))[0] as Float32Array;
  }

  /** Subscribes to every entry created, updated or removed; returns the unsubscribe function. */
  onChange(listener: (change: QChange) => void): () => void {
    this.changeListeners.add(listener);
    return () => this.changeListeners.delete(listener);
  }

  private changed(action: QChange["action"], key: string, entry: QEntry): void {
    for (const listener of this.changeListeners) listener({ action, key, ...(entry.owner === undefined ? {} : { owner: { ...entry.owner } }) });
  }

  private async actionVector(action: string): Promise<Float32Array> {
    const key = normalizeText(action);
    let vector = this.actionVectors.get(key);
    if (vector === undefined) {
      [vector] = (await this.vectorsOf([key])) as [Float32Array];
      this.actionVectors.set(key, vector);
    }
    return vector;
  }

  private tableOnly(state: string, action: string): QPrediction | undefined {
    const entry = this.entries.get(pairKey(state, action));
    if (entry === undefined) return undefined;
    return { action, q: entry.value, confidence: 1 - 1 / (1 + entry.visits), source: "table", evidence: entry.visits };
  }

  /** Kernel-weighted estimates from the most similar known pairs, or undefined where none is close enough. */
  private async similarEstimates(
    state: string,
    actions: readonly string[],
    /** Whether a model will be asked for the actions left undefined. */
    modelAsked: boolean,
  ): Promise<Array<{ prediction: QPrediction; neighbours: QEntry[] } | undefined>> {
    if (this.embedder === undefined || this.stateIndex === undefined || this.stateIndex.size === 0) {
      return actions.map(() => undefined);
    }
    const { neighbours, minSimilarity } = this.settings;
    const stateVector = await this.stateVector(normalizeText(state));
    const nearStates = this.stateIndex
      .search(stateVector, { k: Math.max(20, neighbours * 2) })
      .filter((match) => match.score >= minSimilarity);
    const candidates: Array<{ entry: QEntry; stateSimilarity: number; action: string }> = [];
    for (const match of nearStates) {
      for (const key of this.keysByState.get(match.id) ?? []) {
        const entry = this.entries.get(key) as QEntry;
        candidates.push({ entry, stateSimilarity: match.score, action: normalizeText(entry.action) });
      }
    }
    if (candidates.length === 0) return actions.map(() => undefined);
    if (this.settings.estimator === "cases") return this.caseEstimates(stateVector, actions, candidates, nearStates[0]?.score ?? 0, modelAsked);
    const results: Array<{ prediction: QPrediction; neighbours: QEntry[] } | undefined> = [];
    for (const action of actions) {
      const queryVector = await this.actionVector(action);
      const actionSimilarity = new Map<string, number>();
      const weighted: Array<{ entry: QEntry; weight: number }> = [];
      for (const candidate of candidates) {
        let similarity = actionSimilarity.get(candidate.action);
        if (similarity === undefined) {
          const vector = this.actionVectors.get(candidate.action) as Float32Array;
          similarity = 0;
          for (let index = 0; index < vector.length; index += 1) similarity += (vector[index] as number) * (queryVector[index] as number);
          actionSimilarity.set(candidate.action, similarity);
        }
        if (similarity < minSimilarity) continue;
        weighted.push({ entry: candidate.entry, weight: candidate.stateSimilarity * similarity });
      }
      weighted.sort((a, b) => b.weight - a.weight);
      const top = weighted.slice(0, neighbours);
      if (top.length === 0) {
        results.push(undefined);
        continue;
      }
      const totalWeight = top.reduce((sum, item) => sum + item.weight, 0);
      const q = top.reduce((sum, item) => sum + item.weight * item.entry.value, 0) / totalWeight;
      const visits = top.reduce((sum, item) => sum + item.entry.visits, 0);
      const confidence = Math.min(0.9, (top[0]?.weight ?? 0) * (1 - Math.exp(-visits / 5)));
      results.push({ prediction: { action, q, confidence, source: "similar" }, neighbours: top.map((item) => item.entry) });
    }
    return results;
  }

  /** Case-based estimates of the candidates from the near pairs ({@link caseEstimates}), leaning by their text. */
  private async caseEstimates(
    stateVector: Float32Array,
    actions: readonly string[],
    candidates: ReadonlyArray<{ entry: QEntry; stateSimilarity: number; action: string }>,
    closest: number,
    modelAsked: boolean,
  ): Promise<Array<{ prediction: QPrediction; neighbours: QEntry[] } | undefined>> {
    const [low, high] = this.valueRange();
    const similarities = this.settings.textPrior === 0 ? actions.map(() => 0) : await Promise.all(actions.map(async (action) => cosineSimilarity(await this.actionVector(action), stateVector)));
    const estimates = caseEstimates({
      actions,
      normalised: actions.map(normalizeText),
      cases: candidates,
      closest,
      priors: textPriors(similarities, this.settings.textPrior),
      low,
      high,
      temperature: this.settings.caseTemperature,
      neighbours: this.settings.neighbours,
      leaveUnknown: modelAsked,
    });
    return estimates.map((estimate, index) =>
      estimate === undefined
        ? undefined
        : { prediction: { action: actions[index] as string, q: estimate.q, confidence: estimate.confidence, source: "similar", evidence: estimate.evidence }, neighbours: estimate.neighbours },
    );
  }

  /** Up to ten known pairs from the states most like this one, for the model's prompt. */
  private async nearbyExperiences(state: string): Promise<QEntry[]> {
    if (this.embedder === undefined || this.stateIndex === undefined || this.stateIndex.size === 0) return [];
    const vector = await this.stateVector(normalizeText(state));
    return this.stateIndex
      .search(vector, { k: 5 })
      .flatMap((match) => [...(this.keysByState.get(match.id) ?? [])].map((key) => this.entries.get(key) as QEntry))
      .sort((a, b) => b.visits - a.visits)
      .slice(0, 10);
  }

  private async askModel(state: string, action: string, goal: string | undefined, similar: readonly QEntry[]): Promise<QPrediction> {
    const experiences = similar
      .slice(0, 10)
      .map((entry) => `- when ${entry.state}, "${entry.action}": Q=${entry.value.toFixed(2)} over ${entry.visits} tries, average reward ${entry.averageReward.toFixed(2)}`)
      .join("\n");
    const range = this.rewardRange === undefined ? "" : ` Values lie between ${this.rewardRange[0]} and ${this.rewardRange[1]}.`;
    const answer = await invokeStructured({
      model: this.llm as BaseChatModel,
      schema: QValueAnswerSchema,
      name: "q_value_prediction",
      timeoutMs: this.settings.llmTimeoutMs,
      usage: this.usage,
      breaker: this.breaker,
      ...(this.modelBreaker === undefined ? {} : { transport: this.modelBreaker }),
      messages: [
        new SystemMessage(
          `You estimate the expected return (Q-value) of taking an action in a situation, from past experience.${range} Answer with reasoning, q_value, confidence and alternative_action.`,
        ),
        new HumanMessage(
          [
            goal === undefined ? "" : `Goal: ${goal}`,
            `Situation: ${state}`,
            `Proposed action: ${action}`,
            experiences === "" ? "No similar past experience." : `Similar past experiences:\n${experiences}`,
          ]
            .filter((line) => line !== "")
            .join("\n"),
        ),
      ],
    });
    const q = this.clampValue(answer.q_value);
    return {
      action,
      q,
      confidence: answer.confidence,
      source: "llm",
      reasoning: answer.reasoning,
      ...(answer.alternative_action === null || answer.alternative_action === "" ? {} : { alternative: answer.alternative_action }),
    };
  }

  private clampValue(value: number): number {
    if (this.rewardRange === undefined) return value;
    return Math.min(this.rewardRange[1], Math.max(this.rewardRange[0], value));
  }

  /**
   * Values every candidate action of a state: table, then similar pairs, then the model (when
   * configured and `useLlm`), then the prior. A failing model falls back and is counted.
   */
  async predictMany(input: { state: string; actions: readonly string[]; goal?: string; useLlm?: boolean }): Promise<QPrediction[]> {
    return timed(this.telemetry, "predict", () => this.predictUntimed(input));
  }

  private async predictUntimed({
    state,
    actions,
    goal,
    useLlm = true,
  }: {
    state: string;
    actions: readonly string[];
    goal?: string;
    useLlm?: boolean;
  }): Promise<QPrediction[]> {
    if (typeof state !== "string" || actions.length === 0) throw invalid("predictMany needs a state and at least one action.");
    const results: Array<QPrediction | undefined> = actions.map((action) => this.tableOnly(state, action));
    const missing = actions.flatMap((action, index) => (results[index] === undefined ? [index] : []));
    if (missing.length === 0) return results as QPrediction[];
    const estimates = await this.similarEstimates(
      state,
      missing.map((index) => actions[index] as string),
      this.llm !== undefined && useLlm,
    );
    for (const [position, index] of missing.entries()) {
      const estimate = estimates[position];
      if (estimate !== undefined) {
        results[index] = estimate.prediction;
        continue;
      }
      const action = actions[index] as string;
      if (this.llm !== undefined && useLlm) {
        try {
          results[index] = await this.askModel(state, action, goal, await this.nearbyExperiences(state));
          continue;
        } catch (error) {
          if (!JottyError.is(error, "llm_error")) throw error;
        }
      }
      results[index] = { action, q: this.initialValue, confidence: 0, source: "prior" };
    }
    return results as QPrediction[];
  }

  /** The value of one (state, action) pair; see {@link QPredictor.predictMany}. */
  async predict({ state, action, goal }: { state: string; action: string; goal?: string }): Promise<QPrediction> {
    return (await this.predictMany({ state, actions: [action], ...(goal === undefined ? {} : { goal }) }))[0] as QPrediction;
  }

  private async offlineValues(state: string, actions: readonly string[]): Promise<number[]> {
    return (await this.predictUntimed({ state, actions, useLlm: false })).map((prediction) => prediction.q);
  }

  private normalizedReward(reward: number): number {
    if (this.rewardRange === undefined) return reward;
    const [low, high] = this.rewardRange;
    return Math.min(1, Math.max(0, (reward - low) / (high - low)));
  }

  private async register(entry: QEntry): Promise<void> {
    const state = normalizeText(entry.state);
    let keys = this.keysByState.get(state);
    if (keys === undefined) {
      keys = new Set();
      this.keysByState.set(state, keys);
      if (this.embedder !== undefined) {
        const vector = await this.stateVector(state);
        this.stateIndex ??= new FlatVectorIndex({ dimensions: vector.length });
        this.stateIndex.add(state, vector);
      }
    }
    keys.add(pairKey(entry.state, entry.action));
    if (this.embedder !== undefined) await this.actionVector(entry.action);
  }

  private remove(key: string): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.delete(key);
    this.changed("delete", key, entry);
    const state = normalizeText(entry.state);
    const keys = this.keysByState.get(state);
    keys?.delete(key);
    if (keys !== undefined && keys.size === 0) {
      this.keysByState.delete(state);
      this.stateIndex?.remove(state);
    }
  }

  private validate(input: QUpdateInput): void {
    if (typeof input.reward !== "number" || !Number.isFinite(input.reward)) {
      throw new JottyError({
        code: "invalid_reward",
        message: `QPredictor.update got reward ${String(input.reward)} for "${input.action}"; rewards must be finite numbers. Nothing was changed.`,
        details: { reward: String(input.reward), action: String(input.action) },
      });
    }
    if (input.alpha !== undefined && !(input.alpha > 0 && input.alpha <= 1)) {
      throw invalid(`QPredictor.update's alpha must be in (0, 1], got ${input.alpha}. Nothing was changed.`);
    }
    if (typeof input.state !== "string" || typeof input.action !== "string" || input.action.trim() === "") {
      throw invalid("QPredictor.update needs a state and an action as text.");
    }
    if (!input.done && (input.nextState === null || typeof input.nextState !== "string")) {
      throw invalid("QPredictor.update needs nextState unless done is true.");
    }
    if (!input.done && this.method === "sarsa" && input.nextAction === undefined) {
      throw invalid("SARSA learns from the action taken next: pass nextAction unless done is true.");
    }
  }

  private async target(input: QUpdateInput): Promise<number> {
    const { reward, done } = input;
    const gamma = this.gamma;
    if (done || input.nextState === null) return reward;
    // Monte-Carlo learns from whole episodes (learnEpisode); a single step bootstraps like Q-learning.
    if (this.method === "sarsa") {
      const [nextValue] = await this.offlineValues(input.nextState, [input.nextAction as string]);
      return sarsaTarget({ reward, gamma, done, nextValue: nextValue as number });
    }
    const nextActions =
      input.nextActions !== undefined && input.nextActions.length > 0
        ? input.nextActions
        : input.nextAction !== undefined
          ? [input.nextAction]
          : [...(this.keysByState.get(normalizeText(input.nextState)) ?? [])].map((key) => (this.entries.get(key) as QEntry).action);
    if (nextActions.length === 0) return reward + gamma * this.initialValue;
    const nextValues = await this.offlineValues(input.nextState, nextActions);
    if (this.method === "q-learning") return qLearningTarget({ reward, gamma, done, nextValues });
    return expectedSarsaTarget({ reward, gamma, done, nextValues, epsilon: epsilonAt(this.epsilon, this.episodeCount) });
  }

  private async apply(
    raw: QUpdateInput,
    { weight, record, fixedTarget }: { weight: number; record: boolean; fixedTarget?: number },
  ): Promise<QUpdateResult> {
    this.validate(raw);
    // −0 would not survive JSON; adding 0 turns it into 0 and leaves every other number alone.
    const input = { ...raw, reward: raw.reward + 0 };
    const key = pairKey(input.state, input.action);
    const existing = this.entries.get(key);
    const previous =
      existing?.value ?? (await this.offlineValues(input.state, [input.action]))[0] ?? this.initialValue;
    const target = fixedTarget ?? (await this.target(input));
    const tdError = target - previous;
    // "average" makes each value the mean of what it has seen (1/n, as Monte-Carlo control does) until
    // 1/n falls to α; from then on α, so returns from when the rest of the policy was worse fade out.
    const alpha = raw.alpha ?? this.alpha;
    // A replayed experience is not a new visit: it moves the value by α, and the counts stay.
    const stepSize = this.settings.stepSize === "average" && record ? Math.max(alpha, 1 / ((existing?.visits ?? 0) + 1)) : alpha;
    const q = this.clampValue(previous + stepSize * weight * tdError);
    const entry: QEntry = existing ?? {
      state: input.state,
      action: input.action,
      value: previous,
      visits: 0,
      averageReward: 0,
      tdErrors: [],
      lessons: [],
      createdEpisode: this.episodeCount,
      lastUpdatedEpisode: this.episodeCount,
      tier: 3,
      promoted: false,
      ...(raw.owner === undefined || Object.keys(raw.owner).length === 0 ? {} : { owner: { ...raw.owner } }),
    };
    entry.value = q;
    if (record || existing === undefined) {
      entry.visits += 1;
      entry.averageReward += (input.reward - entry.averageReward) / entry.visits;
    }
    entry.tdErrors = [...entry.tdErrors, tdError].slice(-TD_ERRORS_KEPT);
    entry.lastUpdatedEpisode = this.episodeCount;
    entry.promoted = false;
    // Under Monte-Carlo credit what a step earned is the return that followed it, not its own reward.
    const earned = fixedTarget ?? input.reward;
    const lesson = lessonFor({
      state: input.state,
      action: input.action,
      reward: earned,
      normalizedReward: this.normalizedReward(earned),
      tdError,
    });
    if (lesson !== undefined) entry.lessons = addLesson(entry.lessons, lesson, this.episodeCount, this.settings.lessonsPerEntry);
    if (existing === undefined) {
      this.entries.set(key, entry);
      await this.register(entry);
    }
    this.changed(existing === undefined ? "create" : "update", key, entry);
    if (record) {
      const experience: Experience = {
        state: input.state,
        action: input.action,
        reward: input.reward,
        nextState: input.done ? null : input.nextState,
        ...(input.nextAction === undefined ? {} : { nextAction: input.nextAction }),
        ...(input.nextActions === undefined ? {} : { nextActions: [...input.nextActions] }),
        done: input.done,
        ...(fixedTarget === undefined ? {} : { return: fixedTarget }),
      };
      this.buffer.add(experience, tdError);
      this.episodeSteps.push({ predicted: previous, reward: input.reward });
    }
    const kept = lesson === undefined ? undefined : entry.lessons.find((candidate) => candidate.kind === lesson.kind);
    return { previous, q, target, tdError, ...(kept === undefined ? {} : { lesson: structuredClone(kept) }) };
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
    return this.apply(input, { weight: 1, record: true });
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
    for (const step of steps) this.validate({ ...step, nextState: null, done: true });
    const returns: number[] = [];
    let following = 0;
    for (let index = steps.length - 1; index >= 0; index -= 1) {
      following = (steps[index] as { reward: number }).reward + this.gamma * following;
      returns[index] = following;
    }
    const results: QUpdateResult[] = [];
    for (const [index, step] of steps.entries()) {
      const last = index === steps.length - 1;
      results.push(
        await this.apply(
          {
            state: step.state,
            action: step.action,
            reward: step.reward,
            nextState: last ? null : (steps[index + 1] as { state: string }).state,
            done: last,
            owner: step.owner,
            alpha: step.alpha,
          },
          { weight: 1, record: true, fixedTarget: returns[index] as number },
        ),
      );
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
      const result = await this.apply(item, { weight: sample.weight, record: false, ...(followed === undefined ? {} : { fixedTarget: followed }) });
      this.buffer.updatePriority(sample.index, result.tdError);
      total += Math.abs(result.tdError);
    }
    return { replayed: samples.length, meanAbsoluteTdError: samples.length === 0 ? 0 : total / samples.length };
  }

  /** Experiences drawn from the buffer, for inspection (the same draw `replay` would make). */
  sampleExperiences(count: number, rng: Rng): Array<{ state: string; action: string; reward: number; weight: number; priority: number }> {
    return this.buffer.sample(count, rng).map(({ item, weight, priority }) => ({
      state: item.state,
      action: item.action,
      reward: item.reward,
      weight,
      priority,
    }));
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
    const chosen = policy ?? this.settings.policy;
    let index: number;
    switch (chosen.kind) {
      case "greedy":
        index = epsilonGreedy({ values, epsilon: 0, rng });
        break;
      case "epsilon-greedy":
        index = epsilonGreedy({ values, epsilon: chosen.epsilon ?? epsilonAt(this.epsilon, this.episodeCount), rng });
        break;
      case "softmax":
        index = softmax({ values, temperature: chosen.temperature ?? 0.5, rng });
        break;
      case "ucb1":
        index = ucb1({
          values,
          counts: actions.map((action) => this.entries.get(pairKey(state, action))?.visits ?? 0),
          c: (chosen.c ?? Math.SQRT2) * (chosen.decay ?? 1) ** this.episodeCount,
          rng,
        });
        break;
    }
    return { action: actions[index] as string, index, predictions };
  }

  private valueRange(): [number, number] {
    if (this.rewardRange !== undefined) return [this.rewardRange[0], this.rewardRange[1]];
    let low = Infinity;
    let high = -Infinity;
    for (const entry of this.entries.values()) {
      low = Math.min(low, entry.value);
      high = Math.max(high, entry.value);
    }
    return low < high ? [low, high] : [low - 1, high + 1];
  }

  private retention(entry: QEntry, [low, high]: [number, number]): number {
    const meanAbsoluteTdError =
      entry.tdErrors.length === 0 ? 0 : entry.tdErrors.reduce((sum, error) => sum + Math.abs(error), 0) / entry.tdErrors.length;
    return retentionScore({
      normalizedValue: Math.min(1, Math.max(0, (entry.value - low) / (high - low))),
      visits: entry.visits,
      meanAbsoluteTdError: Math.min(1, meanAbsoluteTdError / (high - low)),
      staleness: Math.min(1, (this.episodeCount - entry.lastUpdatedEpisode) / this.settings.tiers.pruneAfter),
    });
  }

  /** Re-ranks entries into tiers by retention score: tier 1 the best `tier1`, tier 2 the next `tier2`, tier 3 the rest. */
  private retier(): Array<{ entry: QEntry; key: string; score: number }> {
    const range = this.valueRange();
    const ranked = [...this.entries]
      .map(([key, entry]) => ({ key, entry, score: this.retention(entry, range) }))
      .sort((a, b) => b.score - a.score);
    const { tier1, tier2 } = this.settings.tiers;
    ranked.forEach(({ entry }, position) => {
      const tier = position < tier1 ? 1 : position < tier1 + tier2 ? 2 : 3;
      entry.tier = tier === 3 && entry.promoted ? 2 : tier;
    });
    return ranked;
  }

  /**
   * Closes an episode: pairs each step's predicted value with the discounted return that
   * followed (for calibration), re-ranks the tiers, promotes archived entries after
   * `promoteAfter` episodes without a better return, and prunes stale archived entries.
   *
   * @param options - the episode's return; the sum of its rewards when omitted.
   */
  endEpisode({ return: given }: { return?: number } = {}): { episode: number; promoted: number; pruned: number } {
    let following = 0;
    const pairs: Array<{ predicted: number; observed: number }> = [];
    for (let step = this.episodeSteps.length - 1; step >= 0; step -= 1) {
      const { predicted, reward } = this.episodeSteps[step] as { predicted: number; reward: number };
      following = reward + this.gamma * following;
      pairs.push({ predicted, observed: following });
    }
    this.calibrationPairs = [...this.calibrationPairs, ...pairs.reverse()].slice(-CALIBRATION_LIMIT);
    const episodeReturn = given ?? this.episodeSteps.reduce((sum, step) => sum + step.reward, 0);
    this.episodeSteps = [];
    this.episodeCount += 1;
    if (this.bestReturn === null || episodeReturn > this.bestReturn) {
      this.bestReturn = episodeReturn;
      this.episodesWithoutImprovement = 0;
    } else {
      this.episodesWithoutImprovement += 1;
    }
    const { promoteAfter, promoteCount, pruneAfter } = this.settings.tiers;
    let ranked = this.retier();
    let promoted = 0;
    if (this.episodesWithoutImprovement >= promoteAfter) {
      for (const { entry } of ranked) {
        if (promoted >= promoteCount) break;
        if (entry.tier === 3) {
          entry.promoted = true;
          entry.tier = 2;
          promoted += 1;
        }
      }
      this.episodesWithoutImprovement = 0;
    }
    let pruned = 0;
    for (const { key, entry } of ranked) {
      if (entry.tier === 3 && entry.visits <= 1 && this.episodeCount - entry.lastUpdatedEpisode > pruneAfter) {
        this.remove(key);
        pruned += 1;
      }
    }
    if (pruned > 0) ranked = this.retier();
    return { episode: this.episodeCount, promoted, pruned };
  }

  /**
   * The learned values and lessons as prompt text: lessons about this state (or similar ones),
   * the tier-1 entries, and tier 2 grouped by action, within `maxTokens` (about four
   * characters a token).
   */
  async getLearnedContext({ state, goal, maxTokens = 800 }: { state: string; goal?: string; maxTokens?: number }): Promise<string> {
    const lines: string[] = [];
    let budget = maxTokens * 4;
    const push = (line: string): boolean => {
      if (line.length + 1 > budget) return false;
      lines.push(line);
      budget -= line.length + 1;
      return true;
    };
    const relevantStates = new Set<string>([normalizeText(state)]);
    if (this.embedder !== undefined && this.stateIndex !== undefined && this.stateIndex.size > 0) {
      const vector = await this.stateVector(normalizeText(state));
      for (const match of this.stateIndex.search(vector, { k: 5 })) {
        if (match.score >= this.settings.minSimilarity) relevantStates.add(match.id);
      }
    }
    const lessons = [...relevantStates]
      .flatMap((key) => [...(this.keysByState.get(key) ?? [])].flatMap((pair) => (this.entries.get(pair) as QEntry).lessons))
      .sort((a, b) => b.count - a.count || b.lastEpisode - a.lastEpisode);
    if (goal !== undefined) push(`Goal: ${goal}`);
    if (lessons.length > 0 && push("Lessons:")) {
      for (const lesson of new Set(lessons.map((item) => item.text))) if (!push(`- ${lesson}`)) break;
    }
    const tierOne = [...this.entries.values()].filter((entry) => entry.tier === 1).sort((a, b) => b.value - a.value);
    if (tierOne.length > 0 && push("Best-known values:")) {
      for (const entry of tierOne) {
        if (!push(`- Q=${entry.value.toFixed(2)} for "${entry.action}" when ${entry.state} (${entry.visits} visits)`)) break;
      }
    }
    const byAction = new Map<string, { total: number; count: number }>();
    for (const entry of this.entries.values()) {
      if (entry.tier !== 2) continue;
      const group = byAction.get(entry.action) ?? { total: 0, count: 0 };
      group.total += entry.value;
      group.count += 1;
      byAction.set(entry.action, group);
    }
    if (byAction.size > 0 && push("Other actions, on average:")) {
      const groups = [...byAction].sort(([, a], [, b]) => b.total / b.count - a.total / a.count);
      for (const [action, group] of groups) {
        if (!push(`- "${action}": Q=${(group.total / group.count).toFixed(2)} over ${group.count} situations`)) break;
      }
    }
    return lines.join("\n");
  }

  /**
   * How well predicted values match the returns that followed: Brier score, expected
   * calibration error and a reliability table, over values normalised by `rewardRange` (or the
   * observed range). Without samples it uses the (prediction, return) pairs of past episodes;
   * with samples it predicts each and compares with its return.
   */
  async calibration(samples?: ReadonlyArray<{ state: string; action: string; return: number }>): Promise<CalibrationReport> {
    let pairs = this.calibrationPairs;
    if (samples !== undefined) {
      pairs = [];
      for (const sample of samples) {
        const [predicted] = await this.offlineValues(sample.state, [sample.action]);
        pairs.push({ predicted: predicted as number, observed: sample.return });
      }
    }
    let range: [number, number];
    if (this.rewardRange !== undefined) {
      range = [this.rewardRange[0], this.rewardRange[1]];
    } else {
      const all = pairs.flatMap((pair) => [pair.predicted, pair.observed]);
      const low = Math.min(...all);
      const high = Math.max(...all);
      range = all.length === 0 ? [0, 1] : low < high ? [low, high] : [low - 1, high + 1];
    }
    return calibrationReport(pairs, range);
  }

  /** The whole learned state as JSON; {@link QPredictor.restore} rebuilds it. */
  snapshot(): QPredictorSnapshot {
    return {
      schemaVersion: Q_PREDICTOR_SNAPSHOT_VERSION,
      options: {
        alpha: this.alpha,
        gamma: this.gamma,
        method: this.method,
        initialValue: this.initialValue,
        ...(this.rewardRange === undefined ? {} : { rewardRange: [this.rewardRange[0], this.rewardRange[1]] as [number, number] }),
        epsilon: structuredClone(this.epsilon),
      },
      settings: structuredClone(this.settings),
      embedder: this.embedder === undefined ? null : embedderId(this.embedder),
      episode: this.episodeCount,
      entries: this.list(),
      buffer: this.buffer.entries().map((entry) => structuredClone(entry)),
      calibration: this.calibrationPairs.map((pair) => ({ ...pair })),
      progress: { bestReturn: this.bestReturn, episodesWithoutImprovement: this.episodesWithoutImprovement },
      usage: this.usage.get(),
    };
  }

  /**
   * Rebuilds a predictor from a snapshot; give the embedder and model again (they are not
   * part of the learned state). Similarity vectors are recomputed.
   *
   * @throws JottyError `snapshot_version_unsupported` for a snapshot from a newer Jotty,
   *   `snapshot_invalid` when it does not match the schema.
   */
  static async restore(
    snapshot: unknown,
    options: { embedder?: Embedder; llm?: BaseChatModel; modelBreaker?: CircuitBreaker; clock?: Clock; telemetry?: Telemetry } = {},
  ): Promise<QPredictor> {
    const data = parseSnapshot({
      schema: QPredictorSnapshotSchema,
      snapshot,
      version: Q_PREDICTOR_SNAPSHOT_VERSION,
      what: "Q-predictor",
    });
    const predictor = new QPredictor({
      alpha: data.options.alpha,
      gamma: data.options.gamma,
      method: data.options.method,
      initialValue: data.options.initialValue,
      ...(data.options.rewardRange === undefined ? {} : { rewardRange: data.options.rewardRange }),
      epsilon: data.options.epsilon,
      settings: data.settings,
      ...options,
    });
    for (const entry of data.entries) {
      predictor.entries.set(pairKey(entry.state, entry.action), entry);
      await predictor.register(entry);
    }
    predictor.buffer.load(data.buffer);
    predictor.calibrationPairs = data.calibration;
    predictor.episodeCount = data.episode;
    predictor.bestReturn = data.progress.bestReturn;
    predictor.episodesWithoutImprovement = data.progress.episodesWithoutImprovement;
    predictor.usage.set(data.usage);
    return predictor;
  }
}
