import { createHash } from "node:crypto";
import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import { contentWords, cosineSimilarity, HashingEmbedder, VectorCache, type Embedder } from "../embeddings/index.js";
import { JottyError } from "../errors/index.js";
import { normalizeText } from "../learning/index.js";
import { CircuitBreaker, LlmUsage, type LlmUsageCounts } from "../llm/index.js";
import { modelReflection, modelReflectionSummary, type ReflectionModelAccess } from "./model-reflection.js";
import { parseSnapshot, systemClock, type Clock } from "../util/index.js";
import { PlaybookStore, type CurationResult } from "./playbook-store.js";
import { ruleReflection } from "./rule-reflection.js";
import {
  EXPERIENCE_SNAPSHOT_VERSION,
  ExperienceSnapshotSchema,
  type ErrorSolution,
  type ExperienceSnapshot,
  type Feedback,
  type PlaybookScope,
  type Reflection,
  type ReflectionMemory,
  type Strategy,
  type Trajectory,
  type TrajectoryStep,
} from "./schemas.js";
import { affinity, effectiveScore, trendOf, type ScoreStrategy } from "./scores.js";

const HOUR = 3_600_000;

/** Options of {@link Experience}. */
export interface ExperienceOptions {
  /** For similarity of tasks, strategies, errors and memories. @default new HashingEmbedder() */
  embedder?: Embedder;
  /**
   * When given, reflections and consolidation summaries come from it, checked for shape and
   * grounding (rules on failure; see {@link Experience.llmUsage}).
   */
  llm?: BaseChatModel;
  /** The model's circuit breaker, shared with its other callers. */
  modelBreaker?: CircuitBreaker;
  /**
   * Counts unusable answers (malformed, rejected, failed) and stops asking after three in a row,
   * for a while. Pass one to several learning loops so that a model unable to summarise stops
   * being asked by all of them. @default a breaker of its own
   */
  answerBreaker?: CircuitBreaker;
  /** Where time is read. @default systemClock */
  clock?: Clock;
  /** Similarity at which a finding merges into an existing strategy. @default 0.8 */
  mergeSimilarity?: number;
  /** Active strategies a playbook keeps. @default 50 */
  maxStrategies?: number;
  /** Completed trajectories kept; beyond it the oldest go, with their reflections and unshared traces. @default 1000 */
  maxTrajectories?: number;
}

/** What `executeWithLearning` gives the function it runs. */
export interface LearningContext {
  trajectoryId: string;
  /** Strategies of the playbook relevant to the task. */
  strategies: Array<Strategy & { relevance: number }>;
  /** When retrying after an error: the best known solution. */
  solution?: ErrorSolution;
  /** Logs a step of the trajectory. */
  logStep(step: { type: TrajectoryStep["type"]; description: string; result: string; tool?: string }): void;
}

/** What `executeWithLearning` returns. */
export interface LearningOutcome<T> {
  trajectoryId: string;
  status: "success" | "failure";
  result?: T;
  error?: string;
  /** The solution that turned an error into a success, if one did. */
  recoveredWith?: string;
  reflection: Reflection;
  curation: CurationResult;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function errorType(error: unknown): string {
  if (JottyError.is(error)) return error.code;
  if (error instanceof Error) return (error as { code?: unknown }).code?.toString() ?? error.name;
  return "Error";
}

function invalid(message: string): JottyError {
  return new JottyError({ code: "invalid_argument", message });
}

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
  private readonly embedder: Embedder;
  private readonly llm: ReflectionModelAccess | undefined;
  private readonly clock: Clock;
  private readonly usageCounts = new LlmUsage();
  private readonly trajectories = new Map<string, Trajectory>();
  private readonly traces = new Map<string, string>();
  private readonly reflections = new Map<string, Reflection>();
  private readonly memories = new Map<string, ReflectionMemory>();
  private readonly solutions = new Map<string, ErrorSolution>();
  private readonly vectors: VectorCache;
  private counter = 0;
  private readonly maxTrajectories: number;

  constructor(options: ExperienceOptions = {}) {
    this.maxTrajectories = options.maxTrajectories ?? 1000;
    this.embedder = options.embedder ?? new HashingEmbedder();
    this.vectors = new VectorCache(this.embedder);
    this.llm =
      options.llm === undefined
        ? undefined
        : { model: options.llm, usage: this.usageCounts, breaker: options.answerBreaker ?? new CircuitBreaker({ clock: options.clock ?? systemClock }), ...(options.modelBreaker === undefined ? {} : { transport: options.modelBreaker }) };
    this.clock = options.clock ?? systemClock;
    this.playbooks = new PlaybookStore({
      embedder: this.embedder,
      clock: this.clock,
      ...(options.mergeSimilarity === undefined ? {} : { mergeSimilarity: options.mergeSimilarity }),
      ...(options.maxStrategies === undefined ? {} : { maxStrategies: options.maxStrategies }),
    });
  }

  /** Model calls, failures and tokens so far. */
  llmUsage(): LlmUsageCounts {
    return this.usageCounts.get();
  }

  private nextId(prefix: string): string {
    this.counter += 1;
    return `${prefix}-${String(this.counter).padStart(6, "0")}`;
  }


  private require(id: string): Trajectory {
    const trajectory = this.trajectories.get(id);
    if (trajectory === undefined) throw invalid(`No trajectory "${id}".`);
    return trajectory;
  }

  // ── Trajectories ────────────────────────────────────────────────────────────────

  /** Starts recording a task attempt; returns its id. */
  startTrajectory({
    task,
    taskType = "general",
    agentId = "default",
    userId = "default",
    parentId,
    playbook,
  }: {
    task: string;
    taskType?: string;
    agentId?: string;
    userId?: string;
    parentId?: string;
    playbook?: string;
  }): string {
    if (typeof task !== "string" || task.trim() === "") throw invalid("startTrajectory needs the task as text.");
    if (parentId !== undefined) this.require(parentId);
    const id = this.nextId("t");
    this.trajectories.set(id, {
      id,
      task,
      taskType,
      agentId,
      userId,
      ...(parentId === undefined ? {} : { parentId }),
      ...(playbook === undefined ? {} : { playbook }),
      status: "running",
      startedAt: this.clock.now(),
      metrics: { durationMs: 0, tokens: 0, cost: 0 },
      steps: [],
      feedback: [],
    });
    return id;
  }

  /**
   * Logs a step of a running trajectory.
   *
   * @throws JottyError `invalid_argument` for an unknown or completed trajectory.
   */
  logStep(id: string, step: { type: TrajectoryStep["type"]; description: string; result: string; tool?: string }): void {
    const trajectory = this.require(id);
    if (trajectory.status !== "running") throw invalid(`Trajectory ${id} is complete; steps can only be logged while it runs.`);
    if (!["action", "decision", "observation"].includes(step.type)) throw invalid(`A step's type is action, decision or observation, not "${step.type}".`);
    trajectory.steps.push({ type: step.type, description: step.description, result: step.result, ...(step.tool === undefined ? {} : { tool: step.tool }), at: this.clock.now() });
  }

  /**
   * Completes a trajectory. Its trace (steps and outcome) is stored content-addressed: the same
   * trace is stored once, whatever the number of trajectories that produced it.
   */
  completeTrajectory(
    id: string,
    { status, score, error, metrics = {} }: { status: "success" | "failure" | "partial"; score?: number; error?: string; metrics?: { tokens?: number; cost?: number } },
  ): Trajectory {
    const trajectory = this.require(id);
    if (trajectory.status !== "running") throw invalid(`Trajectory ${id} is already complete.`);
    const finalScore = score ?? (status === "success" ? 1 : status === "partial" ? 0.5 : 0);
    if (!(finalScore >= 0 && finalScore <= 1)) throw invalid(`A trajectory's score lies in [0, 1], got ${score}.`);
    const now = this.clock.now();
    const trace = JSON.stringify({
      task: trajectory.task,
      steps: trajectory.steps.map(({ type, description, result, tool }) => ({ type, description, result, ...(tool === undefined ? {} : { tool }) })),
      status,
      error: error ?? null,
    });
    const hash = createHash("sha256").update(trace).digest("hex");
    if (!this.traces.has(hash)) this.traces.set(hash, trace);
    Object.assign(trajectory, {
      status,
      score: finalScore,
      ...(error === undefined ? {} : { error }),
      completedAt: now,
      metrics: { durationMs: now - trajectory.startedAt, tokens: metrics.tokens ?? 0, cost: metrics.cost ?? 0 },
      traceHash: hash,
    });
    this.forgetOldest();
    return structuredClone(trajectory);
  }

  /** Keeps at most `maxTrajectories` completed trajectories, dropping the oldest with what only they used. */
  private forgetOldest(): void {
    const completed = [...this.trajectories.values()].filter((trajectory) => trajectory.status !== "running");
    if (completed.length <= this.maxTrajectories) return;
    const dropped = completed.sort((a, b) => a.startedAt - b.startedAt || a.id.localeCompare(b.id)).slice(0, completed.length - this.maxTrajectories);
    // What cannot be curated any more need not be remembered as counted.
    this.playbooks.forget(dropped.map((trajectory) => trajectory.id));
    for (const trajectory of dropped) {
      this.trajectories.delete(trajectory.id);
      if (trajectory.reflectionId !== undefined) this.reflections.delete(trajectory.reflectionId);
    }
    const used = new Set([...this.trajectories.values()].map((trajectory) => trajectory.traceHash));
    for (const hash of [...this.traces.keys()]) if (!used.has(hash)) this.traces.delete(hash);
    // A reflection memory goes with its reflection; consolidated summaries stay.
    for (const [id, memory] of this.memories) {
      if (!memory.consolidated && memory.sources.every((source) => !this.reflections.has(source))) this.memories.delete(id);
    }
  }

  /** The steps of a trajectory (from the trace store once complete). */
  steps(id: string): TrajectoryStep[] {
    const trajectory = this.require(id);
    if (trajectory.traceHash === undefined) return structuredClone(trajectory.steps);
    const trace = JSON.parse(this.traces.get(trajectory.traceHash) as string) as { steps: Array<Omit<TrajectoryStep, "at">> };
    return trace.steps.map((step, index) => ({ ...step, at: trajectory.steps[index]?.at ?? trajectory.startedAt }));
  }

  /** A copy of a trajectory. */
  trajectory(id: string): Trajectory {
    return structuredClone(this.require(id));
  }

  /** Number of distinct traces stored. */
  get traceCount(): number {
    return this.traces.size;
  }

  /** Completed trajectories matching the filters, newest first. */
  queryTrajectories({
    agentId,
    taskType,
    status,
    minScore,
    since,
    limit = 100,
  }: { agentId?: string; taskType?: string; status?: Trajectory["status"]; minScore?: number; since?: number; limit?: number } = {}): Trajectory[] {
    return [...this.trajectories.values()]
      .filter(
        (trajectory) =>
          (agentId === undefined || trajectory.agentId === agentId) &&
          (taskType === undefined || trajectory.taskType === taskType) &&
          (status === undefined || trajectory.status === status) &&
          (minScore === undefined || (trajectory.score ?? 0) >= minScore) &&
          (since === undefined || trajectory.startedAt >= since),
      )
      .sort((a, b) => b.startedAt - a.startedAt || b.id.localeCompare(a.id))
      .slice(0, limit)
      .map((trajectory) => structuredClone(trajectory));
  }

  // ── Reflection ──────────────────────────────────────────────────────────────────

  /**
   * Reflects on a completed trajectory: helpful strategies, harmful patterns, observations.
   * From the model when one is configured, by rules otherwise or when the model fails. The
   * outcome is judged by the effective score (feedback included). Stored as a reflection
   * memory.
   */
  async reflect(id: string, { context }: { context?: string } = {}): Promise<Reflection> {
    const trajectory = this.require(id);
    if (trajectory.status === "running") throw invalid(`Trajectory ${id} is still running; complete it before reflecting.`);
    const score = this.effectiveScore(id, { strategy: "weighted" });
    const steps = this.steps(id);
    let found = ruleReflection({ trajectoryId: id, task: trajectory.task, steps, score, error: trajectory.error });
    let source: Reflection["source"] = "rules";
    if (this.llm !== undefined) {
      try {
        found = await modelReflection(this.llm, { trajectory, steps, score, ...(context === undefined ? {} : { context }) });
        source = "llm";
      } catch (error) {
        if (!JottyError.is(error, "llm_error")) throw error;
      }
    }
    const reflection: Reflection = { id: this.nextId("r"), trajectoryId: id, ...found, score, source, at: this.clock.now() };
    this.reflections.set(reflection.id, reflection);
    trajectory.reflectionId = reflection.id;
    const summary = [
      ...reflection.helpfulStrategies.map((item) => `helpful: ${item.description}`),
      ...reflection.harmfulPatterns.map((item) => `harmful: ${item.description}`),
    ].join("; ");
    const importance = Math.min(1, Math.max(0, [...reflection.helpfulStrategies, ...reflection.harmfulPatterns].reduce((top, item) => Math.max(top, item.confidence), 0)));
    const memory: ReflectionMemory = {
      id: this.nextId("m"),
      content: `Reflection on "${trajectory.task}" (${trajectory.status}): ${summary === "" ? "nothing notable" : summary}`,
      importance,
      at: reflection.at,
      archived: false,
      consolidated: false,
      sources: [reflection.id],
    };
    this.memories.set(memory.id, memory);
    return structuredClone(reflection);
  }

  /** The reflection of a trajectory, if it has one. */
  reflection(id: string): Reflection | undefined {
    const reflectionId = this.require(id).reflectionId;
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
    patterns: Array<{ type: "helpful" | "harmful"; description: string; frequency: number; count: number }>;
    failures: Array<{ error: string; frequency: number; count: number }>;
  }> {
    const completed = this.queryTrajectories({
      limit: Number.MAX_SAFE_INTEGER,
      ...(agentId === undefined ? {} : { agentId }),
      ...(taskType === undefined ? {} : { taskType }),
      ...(since === undefined ? {} : { since }),
    }).filter((trajectory) => trajectory.status !== "running");
    if (completed.length < minTrajectories) return { trajectories: completed.length, enough: false, patterns: [], failures: [] };
    const patternCounts = new Map<string, { type: "helpful" | "harmful"; description: string; trajectories: Set<string> }>();
    const failureCounts = new Map<string, { error: string; count: number }>();
    for (const trajectory of completed) {
      const reflection = this.reflection(trajectory.id) ?? (await this.reflect(trajectory.id));
      const items = [
        ...reflection.helpfulStrategies.map((item) => ({ type: "helpful" as const, description: item.description })),
        ...reflection.harmfulPatterns.map((item) => ({ type: "harmful" as const, description: item.description })),
      ];
      for (const item of items) {
        const key = `${item.type}\u0000${normalizeText(item.description)}`;
        const entry = patternCounts.get(key) ?? { ...item, trajectories: new Set<string>() };
        entry.trajectories.add(trajectory.id);
        patternCounts.set(key, entry);
      }
      if (trajectory.status === "failure" && trajectory.error !== undefined) {
        const key = normalizeText(trajectory.error.replace(/\d+/g, "#"));
        const entry = failureCounts.get(key) ?? { error: trajectory.error, count: 0 };
        entry.count += 1;
        failureCounts.set(key, entry);
      }
    }
    const total = completed.length;
    return {
      trajectories: total,
      enough: true,
      patterns: [...patternCounts.values()]
        .map((entry) => ({ type: entry.type, description: entry.description, count: entry.trajectories.size, frequency: entry.trajectories.size / total }))
        .filter((entry) => entry.frequency >= minShare)
        .sort((a, b) => b.frequency - a.frequency || a.description.localeCompare(b.description)),
      failures: [...failureCounts.values()]
        .map((entry) => ({ error: entry.error, count: entry.count, frequency: entry.count / total }))
        .filter((entry) => entry.frequency >= minShare)
        .sort((a, b) => b.count - a.count),
    };
  }

  /** Curates a trajectory's reflection into a playbook (its own, or the agent's `agent:<id>`). */
  async curateFrom(id: string, { playbook, scope }: { playbook?: string; scope?: PlaybookScope } = {}): Promise<CurationResult> {
    const trajectory = this.require(id);
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
    const trajectory = this.require(id);
    if (trajectory.status === "running") throw invalid(`Trajectory ${id} is still running; feedback comes after it completes.`);
    if (!(score >= 0 && score <= 1)) throw invalid(`Feedback scores lie in [0, 1], got ${score}.`);
    if (!["human", "monitoring", "ab_test", "production"].includes(type)) throw invalid(`Feedback types are human, monitoring, ab_test and production, not "${type}".`);
    const feedback: Feedback = { id: this.nextId("f"), type, score, source, message, metrics: { ...metrics }, at: this.clock.now() };
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
    const trajectory = this.require(id);
    return effectiveScore({ original: trajectory.score ?? 0, feedback: trajectory.feedback, strategy, now: this.clock.now() });
  }

  /** Queues a trajectory for re-reflection (the higher priority of two marks is kept). */
  markForRelearning(id: string, { reason, priority = 5 }: { reason: string; priority?: number }): void {
    const trajectory = this.require(id);
    if (!Number.isInteger(priority) || priority < 0 || priority > 10) throw invalid(`Relearning priority is a whole number from 0 to 10, got ${priority}.`);
    if (trajectory.relearning === undefined || trajectory.relearning.priority < priority) {
      trajectory.relearning = { reason, priority, markedAt: this.clock.now() };
    }
  }

  /** Trajectories waiting for relearning, in the order they will be processed. */
  relearningQueue(): Array<{ id: string; priority: number; reason: string }> {
    const lastFeedback = (trajectory: Trajectory): number => trajectory.feedback.reduce((latest, item) => Math.max(latest, item.at), 0);
    return [...this.trajectories.values()]
      .filter((trajectory) => trajectory.relearning !== undefined)
      .sort((a, b) => (b.relearning?.priority ?? 0) - (a.relearning?.priority ?? 0) || lastFeedback(b) - lastFeedback(a) || b.id.localeCompare(a.id))
      .map((trajectory) => ({ id: trajectory.id, priority: trajectory.relearning?.priority ?? 0, reason: trajectory.relearning?.reason ?? "" }));
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
      delete this.require(id).relearning;
      processed.push({ id, reflection, curation });
    }
    return processed;
  }

  // ── Error solutions, recommendations, trends ────────────────────────────────────

  /** Records how an error was (or can be) solved; returns the solution's id. */
  recordErrorSolution({
    errorType: type,
    message,
    context = "",
    approach,
    steps = [],
  }: { errorType: string; message: string; context?: string; approach: string; steps?: readonly string[] }): string {
    if (approach.trim() === "") throw invalid("An error solution needs its approach.");
    const id = this.nextId("e");
    this.solutions.set(id, { id, errorType: type, message, context, approach, steps: [...steps], successes: 0, failures: 0, at: this.clock.now() });
    return id;
  }

  /** Counts whether applying a solution worked. */
  recordSolutionOutcome(id: string, success: boolean): void {
    const solution = this.solutions.get(id);
    if (solution === undefined) throw invalid(`No error solution "${id}".`);
    if (success) solution.successes += 1;
    else solution.failures += 1;
  }

  /** Known solutions for an error, best first: 0.5 × type match + 0.3 × message similarity + 0.2 × past success. */
  async findSolutions({ errorType: type, message, limit = 5 }: { errorType: string; message: string; limit?: number }): Promise<Array<ErrorSolution & { rank: number }>> {
    const target = await this.vectors.get(message);
    const ranked: Array<ErrorSolution & { rank: number }> = [];
    for (const solution of this.solutions.values()) {
      const similarity = Math.max(0, cosineSimilarity(target, await this.vectors.get(solution.message)));
      const success = (solution.successes + 1) / (solution.successes + solution.failures + 2);
      const typeMatch = normalizeText(solution.errorType) === normalizeText(type) ? 1 : 0;
      const rank = 0.5 * typeMatch + 0.3 * similarity + 0.2 * success;
      if (typeMatch === 0 && similarity < 0.3) continue;
      ranked.push({ ...structuredClone(solution), rank });
    }
    return ranked.sort((a, b) => b.rank - a.rank).slice(0, limit);
  }

  /**
   * A recommendation for a task from similar successful trajectories: the approach (the steps
   * of the most similar one), a confidence, key success factors (helpful strategies recurring
   * in their reflections) and the tools they used.
   */
  async recommend(task: string, { taskType, k = 5 }: { taskType?: string; k?: number } = {}): Promise<{
    approach: string[];
    confidence: number;
    keySuccessFactors: string[];
    tools: string[];
    basedOn: string[];
  }> {
    const target = await this.vectors.get(task);
    const candidates: Array<{ trajectory: Trajectory; similarity: number }> = [];
    for (const trajectory of this.trajectories.values()) {
      if (trajectory.status !== "success" || (taskType !== undefined && trajectory.taskType !== taskType)) continue;
      const similarity = cosineSimilarity(target, await this.vectors.get(trajectory.task));
      if (similarity >= 0.2) candidates.push({ trajectory, similarity });
    }
    candidates.sort((a, b) => b.similarity - a.similarity);
    const top = candidates.slice(0, k);
    if (top.length === 0) return { approach: [], confidence: 0, keySuccessFactors: [], tools: [], basedOn: [] };
    const best = top[0] as { trajectory: Trajectory; similarity: number };
    const approach = this.steps(best.trajectory.id).filter((step) => step.type !== "observation").map((step) => step.description);
    const factors = new Map<string, number>();
    const tools = new Map<string, number>();
    for (const { trajectory } of top) {
      const reflection = this.reflection(trajectory.id) ?? (await this.reflect(trajectory.id));
      for (const strategy of reflection.helpfulStrategies) factors.set(strategy.description, (factors.get(strategy.description) ?? 0) + 1);
      for (const step of this.steps(trajectory.id)) if (step.tool !== undefined) tools.set(step.tool, (tools.get(step.tool) ?? 0) + 1);
    }
    const byCount = (map: Map<string, number>): string[] => [...map].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([name]) => name);
    const meanSimilarity = top.reduce((sum, item) => sum + item.similarity, 0) / top.length;
    return {
      approach,
      confidence: Math.min(1, meanSimilarity * (1 - 1 / (1 + top.length))),
      keySuccessFactors: byCount(factors).slice(0, 5),
      tools: byCount(tools),
      basedOn: top.map((item) => item.trajectory.id),
    };
  }

  /** Per task type: success rate, average duration, and whether outcomes are improving, stable or declining. */
  trends(): Record<string, { trajectories: number; successRate: number; averageDurationMs: number; trend: "improving" | "stable" | "declining" }> {
    const groups = new Map<string, Trajectory[]>();
    for (const trajectory of this.trajectories.values()) {
      if (trajectory.status === "running") continue;
      const group = groups.get(trajectory.taskType) ?? [];
      group.push(trajectory);
      groups.set(trajectory.taskType, group);
    }
    const trends: ReturnType<Experience["trends"]> = {};
    for (const [taskType, group] of groups) {
      const ordered = group.sort((a, b) => a.startedAt - b.startedAt || a.id.localeCompare(b.id));
      const outcomes = ordered.map((trajectory) => (trajectory.status === "success" ? 1 : trajectory.status === "partial" ? 0.5 : 0));
      trends[taskType] = {
        trajectories: ordered.length,
        successRate: outcomes.filter((outcome) => outcome === 1).length / ordered.length,
        averageDurationMs: ordered.reduce((sum, trajectory) => sum + trajectory.metrics.durationMs, 0) / ordered.length,
        trend: trendOf(outcomes),
      };
    }
    return trends;
  }

  /**
   * Runs any async function as a learning task: a trajectory is recorded, the playbook's
   * relevant strategies are handed in, an error is answered with the best known solution
   * (one retry), and the outcome is reflected on and curated into the playbook.
   */
  async executeWithLearning<T>({
    task,
    taskType = "general",
    agentId = "default",
    playbook,
    fn,
  }: {
    task: string;
    taskType?: string;
    agentId?: string;
    playbook?: string;
    fn: (context: LearningContext) => Promise<T>;
  }): Promise<LearningOutcome<T>> {
    const name = playbook ?? `agent:${agentId}`;
    const id = this.startTrajectory({ task, taskType, agentId, playbook: name });
    const strategies = await this.playbooks.relevantStrategies({ name, task });
    const context = (solution?: ErrorSolution): LearningContext => ({
      trajectoryId: id,
      strategies,
      ...(solution === undefined ? {} : { solution }),
      logStep: (step) => this.logStep(id, step),
    });
    let outcome: Pick<LearningOutcome<T>, "status" | "result" | "error" | "recoveredWith">;
    try {
      outcome = { status: "success", result: await fn(context()) };
    } catch (first) {
      const message = describe(first);
      this.logStep(id, { type: "observation", description: `error ${errorType(first)}`, result: message });
      const [best] = await this.findSolutions({ errorType: errorType(first), message });
      if (best === undefined) {
        outcome = { status: "failure", error: message };
      } else {
        this.logStep(id, { type: "decision", description: `apply known solution: ${best.approach}`, result: "retrying" });
        try {
          outcome = { status: "success", result: await fn(context(best)), recoveredWith: best.id };
          this.recordSolutionOutcome(best.id, true);
        } catch (second) {
          this.recordSolutionOutcome(best.id, false);
          outcome = { status: "failure", error: describe(second) };
        }
      }
    }
    this.completeTrajectory(id, { status: outcome.status, ...(outcome.error === undefined ? {} : { error: outcome.error }) });
    const reflection = await this.reflect(id);
    const curation = await this.playbooks.curate(name, [reflection], { kind: "agent", id: agentId });
    this.playbooks.recordUsage(name, { success: outcome.status === "success" });
    return { trajectoryId: id, ...outcome, reflection, curation };
  }

  // ── Consolidation ───────────────────────────────────────────────────────────────

  /** Reflection memories, newest first. */
  reflectionMemories({ archived = false }: { archived?: boolean } = {}): ReflectionMemory[] {
    return [...this.memories.values()]
      .filter((memory) => archived || !memory.archived)
      .sort((a, b) => b.at - a.at)
      .map((memory) => structuredClone(memory));
  }

  /**
   * Merges low-importance reflection memories (importance ≤ `maxImportance`) that belong
   * together — affinity β·(cos+1)/2 + (1−β)·exp(−λ·Δhours/24) ≥ `minAffinity` — in batches of
   * 2 to `batchSize`, into a summary listing its sources, with importance min(max + 0.1, 1);
   * the sources are archived. `dryRun` reports the groups without changing anything.
   */
  async consolidateReflections({
    dryRun = false,
    maxImportance = 0.5,
    batchSize = 10,
    minAffinity = 0.9,
    beta = 0.7,
    lambda = 0.1,
    window = 200,
  }: { dryRun?: boolean; maxImportance?: number; batchSize?: number; minAffinity?: number; beta?: number; lambda?: number; window?: number } = {}): Promise<
    Array<{ sources: string[]; summary: string; importance: number; id?: string }>
  > {
    // The newest `window` candidates: a pass stays cheap however much has piled up.
    const open = [...this.memories.values()]
      .filter((memory) => !memory.archived && !memory.consolidated && memory.importance <= maxImportance)
      .sort((a, b) => a.at - b.at)
      .slice(-window);
    const used = new Set<string>();
    const groups: Array<{ sources: string[]; summary: string; importance: number; id?: string }> = [];
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
      const entry: { sources: string[]; summary: string; importance: number; id?: string } = { sources: group.map((member) => member.id), summary, importance };
      if (!dryRun) {
        const id = this.nextId("m");
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

  // ── Exports ─────────────────────────────────────────────────────────────────────

  /**
   * Completed trajectories as JSONL for fine-tuning, one chat per line: system, the task as
   * the user's message, the steps as the assistant's. Successes only unless `minScore` says otherwise.
   */
  exportFineTuning({ minScore = 0.5 }: { minScore?: number } = {}): string {
    const lines: string[] = [];
    for (const trajectory of this.queryTrajectories({ limit: Number.MAX_SAFE_INTEGER }).reverse()) {
      if (trajectory.status === "running" || (trajectory.score ?? 0) < minScore) continue;
      const steps = this.steps(trajectory.id).filter((step) => step.type !== "observation");
      lines.push(
        JSON.stringify({
          messages: [
            { role: "system", content: `You are ${trajectory.agentId}, solving ${trajectory.taskType} tasks.` },
            { role: "user", content: trajectory.task },
            { role: "assistant", content: steps.map((step, index) => `${index + 1}. ${step.description}`).join("\n") },
          ],
        }),
      );
    }
    return lines.length === 0 ? "" : `${lines.join("\n")}\n`;
  }

  /** Completed trajectories as RL episodes: (state, action, reward, next state, done) per action, the score as the final reward. */
  exportRlEpisodes(): Array<{ trajectoryId: string; transitions: Array<{ state: string; action: string; reward: number; nextState: string | null; done: boolean }> }> {
    return this.queryTrajectories({ limit: Number.MAX_SAFE_INTEGER })
      .reverse()
      .filter((trajectory) => trajectory.status !== "running")
      .map((trajectory) => {
        const steps = this.steps(trajectory.id);
        const transitions: Array<{ state: string; action: string; reward: number; nextState: string | null; done: boolean }> = [];
        let state = trajectory.task;
        const actions = steps.filter((step) => step.type !== "observation");
        actions.forEach((step, index) => {
          const last = index === actions.length - 1;
          const nextState = last ? null : `${state} | ${step.description} → ${step.result}`;
          transitions.push({ state, action: step.description, reward: last ? (trajectory.score ?? 0) : 0, nextState, done: last });
          if (nextState !== null) state = nextState;
        });
        return { trajectoryId: trajectory.id, transitions };
      });
  }

  /** A playbook's active helpful strategies as demonstrations (strategy and its evidence). */
  exportDemonstrations(playbook: string): Array<{ strategy: string; evidence: string[]; confidence: number }> {
    return this.playbooks
      .get(playbook)
      .strategies.filter((strategy) => strategy.type === "helpful" && !strategy.retired)
      .map((strategy) => ({ strategy: strategy.description, evidence: [...strategy.evidence], confidence: strategy.confidence }));
  }

  // ── Snapshots ───────────────────────────────────────────────────────────────────

  /** Everything, as versioned JSON for the Vault. */
  snapshot(): ExperienceSnapshot {
    return {
      schemaVersion: EXPERIENCE_SNAPSHOT_VERSION,
      counter: this.counter,
      trajectories: [...this.trajectories.values()].map((trajectory) => structuredClone(trajectory)),
      traces: Object.fromEntries(this.traces),
      reflections: [...this.reflections.values()].map((reflection) => structuredClone(reflection)),
      reflectionMemories: [...this.memories.values()].map((memory) => structuredClone(memory)),
      playbooks: this.playbooks.snapshot(),
      solutions: [...this.solutions.values()].map((solution) => structuredClone(solution)),
    };
  }

  /**
   * Rebuilds from a snapshot.
   *
   * @throws JottyError `snapshot_version_unsupported` or `snapshot_invalid`.
   */
  static restore(snapshot: unknown, options: ExperienceOptions = {}): Experience {
    const data = parseSnapshot({ schema: ExperienceSnapshotSchema, snapshot, version: EXPERIENCE_SNAPSHOT_VERSION, what: "experience" });
    const experience = new Experience(options);
    experience.counter = data.counter;
    for (const trajectory of data.trajectories) experience.trajectories.set(trajectory.id, trajectory);
    for (const [hash, trace] of Object.entries(data.traces)) experience.traces.set(hash, trace);
    for (const reflection of data.reflections) experience.reflections.set(reflection.id, reflection);
    for (const memory of data.reflectionMemories) experience.memories.set(memory.id, memory);
    experience.playbooks.load(data.playbooks);
    for (const solution of data.solutions) experience.solutions.set(solution.id, solution);
    return experience;
  }
}
