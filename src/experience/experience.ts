import { CONFIG_DEFAULTS } from "../config/index.js";
import { HashingEmbedder, VectorCache } from "../embeddings/index.js";
import { CircuitBreaker, LlmUsage, type LlmUsageCounts } from "../llm/index.js";
import { parseSnapshot, systemClock, type Clock } from "../util/index.js";
import { ErrorSolutionStore } from "./error-solution-store.js";
import { executeWithLearning, type LearningContext, type LearningOutcome } from "./execute-with-learning.js";
import { IdSequence } from "./id-sequence.js";
import { invalidArgument } from "./invalid-argument.js";
import { migrateExperienceSnapshot } from "./migrate-experience-snapshot.js";
import type { ExperienceOptions } from "./experience-options.js";
import type { ReflectionModelAccess } from "./model-reflection.js";
import { PlaybookStore, type CurationResult } from "./playbook-store.js";
import { recommend, type Recommendation } from "./recommend.js";
import { recurringPatterns, type RecurringFailure, type RecurringPattern } from "./recurring-patterns.js";
import { ReflectionMemoryStore, type ConsolidationGroup, type ConsolidationOptions } from "./reflection-memory-store.js";
import { markForRelearning, relearningQueue } from "./relearning-queue.js";
import {
  EXPERIENCE_SNAPSHOT_VERSION,
  ExperienceSnapshotSchema,
  type ErrorSolution,
  type ExperienceSnapshot,
  type Feedback,
  type PlaybookScope,
  type Reflection,
  type ReflectionMemory,
  type Trajectory,
  type TrajectoryStep,
} from "./schemas.js";
import { effectiveScore, type ScoreStrategy } from "./scores.js";
import { taskTrends, type TaskTrend } from "./task-trends.js";
import { demonstrations, fineTuningJsonl, rlEpisodes, type RlEpisode } from "./training-exports.js";
import { reflectOnTrajectory } from "./trajectory-reflection.js";
import { TrajectoryStore, type StepInput, type TrajectoryFilter } from "./trajectory-store.js";

/**
 * Learning loops from experience (Nexus ACE and the execution-pattern learner): trajectories
 * of task attempts, reflection on them, versioned playbooks of strategies curated from the
 * reflections, feedback that can trigger relearning, error solutions, recommendations and
 * trends, consolidation of reflection memories, and exports for fine-tuning and RL. Works with
 * no model; with one, reflections and summaries come from it.
 *
 * @example
 * ```ts
 * const experience = new Experience();
 * const outcome = await experience.executeWithLearning({ task: "daily revenue", taskType: "sql", fn: async (context) => run(context) });
 * const tips = await experience.playbooks.relevantStrategies({ name: "agent:default", task: "weekly revenue" });
 * ```
 */
export class Experience {
  /** The playbooks. */
  readonly playbooks: PlaybookStore;
  private readonly llm: ReflectionModelAccess | undefined;
  private readonly clock: Clock;
  private readonly usageCounts = new LlmUsage();
  private readonly ids = new IdSequence();
  private readonly trajectories: TrajectoryStore;
  private readonly reflections = new Map<string, Reflection>();
  private readonly memories: ReflectionMemoryStore;
  private readonly solutions: ErrorSolutionStore;
  private readonly vectors: VectorCache;
  private readonly maxTrajectories: number;

  constructor(options: ExperienceOptions = {}) {
    this.maxTrajectories = options.maxTrajectories ?? CONFIG_DEFAULTS.experience.maxTrajectories;
    const embedder = options.embedder ?? new HashingEmbedder();
    this.vectors = new VectorCache(embedder);
    this.llm =
      options.llm === undefined
        ? undefined
        : {
            model: options.llm,
            usage: this.usageCounts,
            breaker: options.answerBreaker ?? new CircuitBreaker({ clock: options.clock ?? systemClock }),
            ...(options.modelBreaker === undefined ? {} : { transport: options.modelBreaker }),
            ...(options.llmTimeoutMs === undefined ? {} : { timeoutMs: options.llmTimeoutMs }),
          };
    this.clock = options.clock ?? systemClock;
    this.playbooks = new PlaybookStore({
      embedder,
      clock: this.clock,
      ...(options.mergeSimilarity === undefined ? {} : { mergeSimilarity: options.mergeSimilarity }),
      ...(options.maxStrategies === undefined ? {} : { maxStrategies: options.maxStrategies }),
    });
    this.trajectories = new TrajectoryStore({ clock: this.clock, ids: this.ids });
    this.memories = new ReflectionMemoryStore({ ids: this.ids, clock: this.clock, vectors: this.vectors, llm: this.llm });
    this.solutions = new ErrorSolutionStore({ ids: this.ids, clock: this.clock, vectors: this.vectors });
  }

  /** Model calls, failures and tokens so far. */
  llmUsage(): LlmUsageCounts {
    return this.usageCounts.get();
  }

  // ── Trajectories ────────────────────────────────────────────────────────────────

  /** Starts recording a task attempt; returns its id. */
  startTrajectory(start: { task: string; taskType?: string; agentId?: string; userId?: string; parentId?: string; playbook?: string }): string {
    return this.trajectories.start(start);
  }

  /**
   * Logs a step of a running trajectory.
   *
   * @throws JottyError `invalid_argument` for an unknown or completed trajectory.
   */
  logStep(id: string, step: StepInput): void {
    this.trajectories.logStep(id, step);
  }

  /**
   * Completes a trajectory. Its trace (steps and outcome) is stored content-addressed: the same
   * trace is stored once, whatever the number of trajectories that produced it.
   */
  completeTrajectory(
    id: string,
    outcome: { status: "success" | "failure" | "partial"; score?: number; error?: string; metrics?: { tokens?: number; cost?: number } },
  ): Trajectory {
    const completed = this.trajectories.complete(id, outcome);
    this.forgetOldest();
    return completed;
  }

  /** Keeps at most `maxTrajectories` completed trajectories, dropping the oldest with what only they used. */
  private forgetOldest(): void {
    const dropped = this.trajectories.dropOldest(this.maxTrajectories);
    if (dropped.length === 0) return;
    // What cannot be curated any more need not be remembered as counted.
    this.playbooks.forget(dropped.map((trajectory) => trajectory.id));
    for (const trajectory of dropped) if (trajectory.reflectionId !== undefined) this.reflections.delete(trajectory.reflectionId);
    // A reflection memory goes with its reflection; consolidated summaries stay.
    this.memories.forgetWithout((reflectionId) => this.reflections.has(reflectionId));
  }

  /** The steps of a trajectory (from the trace store once complete). */
  steps(id: string): TrajectoryStep[] {
    return this.trajectories.steps(id);
  }

  /** A copy of a trajectory. */
  trajectory(id: string): Trajectory {
    return this.trajectories.get(id);
  }

  /** Number of distinct traces stored. */
  get traceCount(): number {
    return this.trajectories.traceCount;
  }

  /** Completed trajectories matching the filters, newest first. */
  queryTrajectories(filter: TrajectoryFilter = {}): Trajectory[] {
    return this.trajectories.query(filter);
  }

  // ── Reflection ──────────────────────────────────────────────────────────────────

  /**
   * Reflects on a completed trajectory: helpful strategies, harmful patterns, observations.
   * From the model when one is configured, by rules otherwise or when the model fails. The
   * outcome is judged by the effective score (feedback included). Stored as a reflection
   * memory.
   */
  async reflect(id: string, { context }: { context?: string } = {}): Promise<Reflection> {
    const trajectory = this.trajectories.require(id);
    if (trajectory.status === "running") throw invalidArgument(`Trajectory ${id} is still running; complete it before reflecting.`);
    const score = this.effectiveScore(id, { strategy: "weighted" });
    const steps = this.steps(id);
    const { source, ...found } = await reflectOnTrajectory({ llm: this.llm, trajectory, steps, score, context });
    const reflection: Reflection = { id: this.ids.next("r"), trajectoryId: id, ...found, score, source, at: this.clock.now() };
    this.reflections.set(reflection.id, reflection);
    trajectory.reflectionId = reflection.id;
    this.memories.remember(reflection, trajectory);
    return structuredClone(reflection);
  }

  /** The reflection of a trajectory, if it has one. */
  reflection(id: string): Reflection | undefined {
    const reflectionId = this.trajectories.require(id).reflectionId;
    return reflectionId === undefined ? undefined : structuredClone(this.reflections.get(reflectionId) as Reflection);
  }

  /**
   * Patterns and failures recurring across completed trajectories (reflected on first when
   * needed): a pattern counts when it appears in at least `minShare` of them.
   */
  async batchReflect({
    agentId,
    taskType,
    since,
    minTrajectories = 10,
    minShare = 0.2,
  }: { agentId?: string; taskType?: string; since?: number; minTrajectories?: number; minShare?: number } = {}): Promise<{
    trajectories: number;
    enough: boolean;
    patterns: RecurringPattern[];
    failures: RecurringFailure[];
  }> {
    const completed = this.queryTrajectories({
      limit: Number.MAX_SAFE_INTEGER,
      ...(agentId === undefined ? {} : { agentId }),
      ...(taskType === undefined ? {} : { taskType }),
      ...(since === undefined ? {} : { since }),
    }).filter((trajectory) => trajectory.status !== "running");
    if (completed.length < minTrajectories) return { trajectories: completed.length, enough: false, patterns: [], failures: [] };
    const reflected: Array<{ trajectory: Trajectory; reflection: Reflection }> = [];
    for (const trajectory of completed) reflected.push({ trajectory, reflection: this.reflection(trajectory.id) ?? (await this.reflect(trajectory.id)) });
    return { trajectories: completed.length, enough: true, ...recurringPatterns(reflected, { minShare }) };
  }

  /** Curates a trajectory's reflection into a playbook (its own, or the agent's `agent:<id>`). */
  async curateFrom(id: string, { playbook, scope }: { playbook?: string; scope?: PlaybookScope } = {}): Promise<CurationResult> {
    const trajectory = this.trajectories.require(id);
    const reflection = this.reflection(id) ?? (await this.reflect(id));
    const name = playbook ?? trajectory.playbook ?? `agent:${trajectory.agentId}`;
    return this.playbooks.curate(name, [reflection], scope ?? { kind: "agent", id: trajectory.agentId });
  }

  // ── Feedback and relearning ─────────────────────────────────────────────────────

  /**
   * Adds feedback to a completed trajectory. When the weighted effective score moves more than
   * 0.3 from the original score, the trajectory is marked for relearning (priority 1–10 by
   * how far it moved).
   */
  addFeedback(
    id: string,
    { type, score, source = "unknown", message = "", metrics = {} }: { type: Feedback["type"]; score: number; source?: string; message?: string; metrics?: Record<string, number> },
  ): Feedback {
    const trajectory = this.trajectories.require(id);
    if (trajectory.status === "running") throw invalidArgument(`Trajectory ${id} is still running; feedback comes after it completes.`);
    if (!(score >= 0 && score <= 1)) throw invalidArgument(`Feedback scores lie in [0, 1], got ${score}.`);
    if (!["human", "monitoring", "ab_test", "production"].includes(type)) throw invalidArgument(`Feedback types are human, monitoring, ab_test and production, not "${type}".`);
    const feedback: Feedback = { id: this.ids.next("f"), type, score, source, message, metrics: { ...metrics }, at: this.clock.now() };
    trajectory.feedback.push(feedback);
    const change = Math.abs(this.effectiveScore(id, { strategy: "weighted" }) - (trajectory.score ?? 0));
    if (change > 0.3) {
      this.markForRelearning(id, {
        reason: `feedback moved the score by ${change.toFixed(2)}`,
        priority: Math.min(10, Math.max(1, Math.round(change * 10))),
      });
    }
    return structuredClone(feedback);
  }

  /** A trajectory's score in the light of its feedback; see {@link effectiveScore}. */
  effectiveScore(id: string, { strategy = "weighted" }: { strategy?: ScoreStrategy } = {}): number {
    const trajectory = this.trajectories.require(id);
    return effectiveScore({ original: trajectory.score ?? 0, feedback: trajectory.feedback, strategy, now: this.clock.now() });
  }

  /** Queues a trajectory for re-reflection (the higher priority of two marks is kept). */
  markForRelearning(id: string, { reason, priority = 5 }: { reason: string; priority?: number }): void {
    markForRelearning(this.trajectories.require(id), { reason, priority, now: this.clock.now() });
  }

  /** Trajectories waiting for relearning, in the order they will be processed. */
  relearningQueue(): Array<{ id: string; priority: number; reason: string }> {
    return relearningQueue(this.trajectories.values());
  }

  /**
   * Re-reflects queued trajectories in priority order (then most recent feedback), using their
   * effective score, and re-curates their playbooks.
   */
  async processRelearning({ limit = 10 }: { limit?: number } = {}): Promise<Array<{ id: string; reflection: Reflection; curation: CurationResult }>> {
    const processed: Array<{ id: string; reflection: Reflection; curation: CurationResult }> = [];
    for (const { id } of this.relearningQueue().slice(0, limit)) {
      const reflection = await this.reflect(id);
      const curation = await this.curateFrom(id);
      delete this.trajectories.require(id).relearning;
      processed.push({ id, reflection, curation });
    }
    return processed;
  }

  // ── Error solutions, recommendations, trends ────────────────────────────────────

  /** Records how an error was (or can be) solved; returns the solution's id. */
  recordErrorSolution(solution: { errorType: string; message: string; context?: string; approach: string; steps?: readonly string[] }): string {
    return this.solutions.record(solution);
  }

  /** Counts whether applying a solution worked. */
  recordSolutionOutcome(id: string, success: boolean): void {
    this.solutions.recordOutcome(id, success);
  }

  /** Known solutions for an error, best first: 0.5 × type match + 0.3 × message similarity + 0.2 × past success. */
  async findSolutions(error: { errorType: string; message: string; limit?: number }): Promise<Array<ErrorSolution & { rank: number }>> {
    return this.solutions.find(error);
  }

  /**
   * A recommendation for a task from similar successful trajectories: the approach (the steps
   * of the most similar one), a confidence, key success factors (helpful strategies recurring
   * in their reflections) and the tools they used.
   */
  async recommend(task: string, { taskType, k = 5 }: { taskType?: string; k?: number } = {}): Promise<Recommendation> {
    return recommend({
      task,
      taskType,
      k,
      trajectories: this.trajectories.values(),
      vectors: this.vectors,
      steps: (id) => this.steps(id),
      reflectionOf: async (id) => this.reflection(id) ?? (await this.reflect(id)),
    });
  }

  /** Per task type: success rate, average duration, and whether outcomes are improving, stable or declining. */
  trends(): Record<string, TaskTrend> {
    return taskTrends(this.trajectories.values());
  }

  /**
   * Runs any async function as a learning task: a trajectory is recorded, the playbook's
   * relevant strategies are handed in, an error is answered with the best known solution
   * (one retry), and the outcome is reflected on and curated into the playbook.
   */
  async executeWithLearning<T>(task: { task: string; taskType?: string; agentId?: string; playbook?: string; fn: (context: LearningContext) => Promise<T> }): Promise<LearningOutcome<T>> {
    return executeWithLearning(this, task);
  }

  // ── Consolidation ───────────────────────────────────────────────────────────────

  /** Reflection memories, newest first. */
  reflectionMemories(options: { archived?: boolean } = {}): ReflectionMemory[] {
    return this.memories.list(options);
  }

  /**
   * Merges low-importance reflection memories (importance ≤ `maxImportance`) that belong
   * together — affinity β·(cos+1)/2 + (1−β)·exp(−λ·Δhours/24) ≥ `minAffinity` — in batches of
   * 2 to `batchSize`, into a summary listing its sources, with importance min(max + 0.1, 1);
   * the sources are archived. `dryRun` reports the groups without changing anything.
   */
  async consolidateReflections(options: ConsolidationOptions = {}): Promise<ConsolidationGroup[]> {
    return this.memories.consolidate(options);
  }

  // ── Exports ─────────────────────────────────────────────────────────────────────

  /**
   * Completed trajectories as JSONL for fine-tuning, one chat per line: system, the task as
   * the user's message, the steps as the assistant's. Successes only unless `minScore` says otherwise.
   */
  exportFineTuning({ minScore = 0.5 }: { minScore?: number } = {}): string {
    return fineTuningJsonl(this.queryTrajectories({ limit: Number.MAX_SAFE_INTEGER }).reverse(), (id) => this.steps(id), { minScore });
  }

  /** Completed trajectories as RL episodes: (state, action, reward, next state, done) per action, the score as the final reward. */
  exportRlEpisodes(): RlEpisode[] {
    return rlEpisodes(this.queryTrajectories({ limit: Number.MAX_SAFE_INTEGER }).reverse(), (id) => this.steps(id));
  }

  /** A playbook's active helpful strategies as demonstrations (strategy and its evidence). */
  exportDemonstrations(playbook: string): Array<{ strategy: string; evidence: string[]; confidence: number }> {
    return demonstrations(this.playbooks.get(playbook));
  }

  // ── Snapshots ───────────────────────────────────────────────────────────────────

  /** Everything, as versioned JSON for the Vault; the steps of identical traces once. */
  snapshot(): ExperienceSnapshot {
    const { trajectories, traces } = this.trajectories.snapshot();
    return {
      schemaVersion: EXPERIENCE_SNAPSHOT_VERSION,
      counter: this.ids.count,
      trajectories,
      traces,
      reflections: [...this.reflections.values()].map((reflection) => structuredClone(reflection)),
      reflectionMemories: this.memories.snapshot(),
      playbooks: this.playbooks.snapshot(),
      solutions: this.solutions.snapshot(),
    };
  }

  /**
   * Rebuilds from a snapshot; one of an older version is migrated first (see
   * `migrateExperienceSnapshot`).
   *
   * @throws JottyError `snapshot_version_unsupported` or `snapshot_invalid`.
   */
  static restore(snapshot: unknown, options: ExperienceOptions = {}): Experience {
    const data = parseSnapshot({ schema: ExperienceSnapshotSchema, snapshot: migrateExperienceSnapshot(snapshot), version: EXPERIENCE_SNAPSHOT_VERSION, what: "experience" });
    const experience = new Experience(options);
    experience.ids.resume(data.counter);
    experience.trajectories.load({ trajectories: data.trajectories, traces: data.traces });
    for (const reflection of data.reflections) experience.reflections.set(reflection.id, reflection);
    experience.memories.load(data.reflectionMemories);
    experience.playbooks.load(data.playbooks);
    experience.solutions.load(data.solutions);
    return experience;
  }
}
