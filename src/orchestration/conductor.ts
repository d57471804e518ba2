import type { JottyConfig } from "../config/index.js";
import type { Embedder } from "../embeddings/index.js";
import type { Environment } from "../environments/index.js";
import { JottyError } from "../errors/index.js";
import type { Experience } from "../experience/index.js";
import type { DecisionEvidence } from "../knowledge/index.js";
import type { QPredictor } from "../learning/index.js";
import { JottyMemoryStore, type HierarchicalMemory, type MemoryLearner } from "../memory/index.js";
import type { JottyState, Vault } from "../persistence/index.js";
import type { Telemetry } from "../telemetry/index.js";
import { Rng } from "../util/index.js";
import type { Actor } from "./actor.js";
import { ChangeLog } from "./change-log.js";
import { assembleConductor, type ConductorParts } from "./assemble-conductor.js";
import { collectMetrics, collectStats, type ConductorMetrics, type TeamStats } from "./conductor-metrics.js";
import type { ConductorOptions } from "./conductor-options.js";
import type { EpisodeServices } from "./episode-context.js";
import { evaluationThreadId } from "./episode-checkpoints.js";
import { EpisodeRunner, type RanEpisode } from "./episode-runner.js";
import { episodeResult, type EpisodeRequest, type EpisodeResult, type StepEvent } from "./episode-state.js";
import { checkLearnedState, learnedStateOf, type DormantMemory } from "./learned-state.js";
import { TodoList } from "./todo-list.js";
import type { TraceLibrary } from "./trace-library.js";

/**
 * Coordinates a team of actors over a LangGraph graph and learns from every step.
 *
 * Each episode runs the graph recall → plan → act → observe → learn (→ plan …) → finish
 * (`episode-graph.ts`, a node a file in `nodes/`): memories and lessons are recalled, a stored
 * trace may be replayed (FOLLOWER) or used as guidance (MIXED), the next actor acts, the
 * Q-predictor learns from the transition, and at the end the memories used are credited by
 * TD(λ), the episode is remembered, and (PERSISTENT) the learned state is saved. The nodes
 * reach the team and the episode's own state through LangGraph's runtime context.
 *
 * @example
 * ```ts
 * const conductor = await Conductor.create({ config: { learningMode: "persistent", environment: { name: "cliff-walking" } } });
 * await conductor.train({ episodes: 200 });
 * await conductor.close();
 * ```
 */
export class Conductor {
  readonly config: JottyConfig;
  readonly environment: Environment;
  readonly actors: ReadonlyMap<string, Actor>;
  readonly sharedMemory: HierarchicalMemory;
  readonly localMemories: ReadonlyMap<string, HierarchicalMemory>;
  readonly learner: MemoryLearner;
  readonly q: QPredictor;
  readonly traces: TraceLibrary;
  /** Per decision point, the outcomes of each option: where lessons, procedures, causes and meta statements come from. */
  readonly evidence: DecisionEvidence;
  readonly todos: TodoList;
  /** The learning loops (trajectories, reflection, the team's playbook), when enabled. */
  readonly experience: Experience | undefined;
  /** The team's playbook in `experience`. */
  readonly playbook: string;
  /** The run the learned state was loaded from, or null. */
  readonly loadedFrom: string | null;
  /** The shared memory as the episode graph's LangGraph store (`BaseStore`). */
  readonly store: JottyMemoryStore;
  private readonly vault: Vault | undefined;
  /** The training episodes' generator; evaluation takes one of its own. */
  private rng: Rng;
  /** Runs the episodes on the graph and keeps their checkpoints. */
  private readonly runner: EpisodeRunner;
  private readonly services: EpisodeServices;
  private episodeCount = 0;
  /** Episodes that learned (the persisted count); DISABLED episodes do not add to it. */
  private learnedEpisodes = 0;
  private unsaved = 0;
  private summary: Array<Record<string, unknown>> = [];
  /** Lessons retracted since this process started, when their evidence turned. */
  private readonly retracted: string[] = [];
  private readonly onError: ((error: string, episode: number) => void) | undefined;
  private readonly onWarning: ((warning: string) => void) | undefined;
  private readonly telemetry: Telemetry;
  private readonly embedder: Embedder;
  private readonly dormant: Record<string, DormantMemory>;
  private releaseWriter: (() => Promise<void>) | undefined;
  /** The run this Conductor's state grew from: the one it loaded or last saved. */
  private lastRun: string | null;
  private closed = false;
  private readonly ownsEnvironment: boolean;
  private readonly makeEnvironment: (() => Environment) | undefined;
  /** Ids created, updated and removed since the last save, for the audit log. */
  private readonly changes = new ChangeLog();

  private constructor(parts: ConductorParts) {
    this.releaseWriter = parts.releaseWriter;
    this.ownsEnvironment = parts.ownsEnvironment;
    this.makeEnvironment = parts.makeEnvironment;
    this.lastRun = parts.loadedFrom;
    this.onError = parts.onError;
    this.onWarning = parts.onWarning;
    this.telemetry = parts.telemetry;
    this.embedder = parts.embedder;
    this.dormant = parts.dormant;
    this.config = parts.config;
    this.environment = parts.environment;
    this.actors = new Map(parts.actors.map((actor) => [actor.name, actor]));
    this.sharedMemory = parts.sharedMemory;
    this.localMemories = parts.localMemories;
    this.learner = parts.learner;
    this.q = parts.q;
    this.traces = parts.traces;
    this.evidence = parts.evidence;
    this.experience = parts.experience;
    this.playbook = `team:${parts.config.name}`;
    this.vault = parts.vault;
    this.loadedFrom = parts.loadedFrom;
    this.rng = new Rng(parts.config.seed);
    this.todos = new TodoList(parts.actors.map((actor) => ({ name: actor.name, dependsOn: actor.dependsOn.filter((name) => this.actors.has(name)) })));
    if (parts.todoState !== undefined) this.todos.restoreState(parts.todoState);
    this.episodeCount = parts.episodes;
    this.learnedEpisodes = parts.episodes;
    this.services = {
      config: this.config,
      environment: this.environment,
      actors: this.actors,
      sharedMemory: this.sharedMemory,
      localMemories: this.localMemories,
      learner: this.learner,
      q: this.q,
      traces: this.traces,
      evidence: this.evidence,
      experience: this.experience,
      todos: this.todos,
      playbook: this.playbook,
      retracted: this.retracted,
    };
    this.store = new JottyMemoryStore(this.sharedMemory);
    this.runner = new EpisodeRunner(this.services, {
      store: this.store,
      vault: this.config.learningMode === "persistent" ? this.vault : undefined,
      makeEnvironment: this.makeEnvironment,
      onWarning: this.onWarning,
    });
    // Every change of learned state is written to the audit log with the save that persists it.
    if (this.vault !== undefined) this.changes.watch([this.sharedMemory, ...this.localMemories.values()], this.q);
  }

  /** Whether this run's training episodes learn (PERSISTENT and CONTEXTUAL) or only act (DISABLED). */
  get learning(): boolean {
    return this.config.learningMode !== "disabled";
  }

  /** Episodes run, including those of the runs it loaded. */
  get episodes(): number {
    return this.episodeCount;
  }

  /**
   * Builds the team and its learned state and applies the learning mode: PERSISTENT loads the
   * newest complete run (see `loadedFrom`), DISABLED only the run `persistence.loadRun` names,
   * CONTEXTUAL starts empty.
   *
   * @throws JottyError `config_invalid` for a bad config or an LLM actor without a model, and
   *   whatever loading the named state throws.
   */
  static async create(options: ConductorOptions): Promise<Conductor> {
    return new Conductor(await assembleConductor(options));
  }

  /**
   * What an episode did. Its checkpoints are pruned — before any save that holds what it
   * learned, so an episode resumed after a crash is never one the loaded state has learned
   * already. A counted one adds to the episodes run, and its todo totals to the team's.
   */
  private async complete({ final, threadId, context }: RanEpisode, { counted, resumedAt }: { counted: boolean; resumedAt?: number }): Promise<EpisodeResult> {
    const result: EpisodeResult = { ...episodeResult({ final, threadId, credit: this.config.conductor.credit }), ...(resumedAt === undefined ? {} : { resumedAt }) };
    for (const error of result.errors) this.onError?.(error, result.episode);
    await this.runner.prune(threadId);
    if (!counted) return result;
    this.todos.addTotals(context.todos);
    const { episode, success, reward, steps, mode, llmCalls, tokens } = result;
    this.summary.push({ episode, success, reward, steps, mode, llmCalls, tokens, errors: result.errors.length });
    this.episodeCount += 1;
    if (this.learning) {
      this.learnedEpisodes += 1;
      this.unsaved += 1;
    }
    return result;
  }

  /**
   * Goes on with the oldest episode a crash interrupted (PERSISTENT mode), from its last
   * checkpoint. Returns undefined when none is left, and `{}` when it could not go on (its
   * environment cannot capture its episode): it was dropped, and `onWarning` says why.
   */
  private async resumeNext(): Promise<{ result?: EpisodeResult } | undefined> {
    const next = await this.runner.resumeNext(this.todos.fork());
    if (next === undefined) return undefined;
    const { threadId, resumption } = next;
    if (!resumption.resumed) return {};
    const { final, context, from } = resumption;
    // The training stream goes on from the resumed episode's generator, as it would have.
    this.rng = context.rng;
    return { result: await this.complete({ final, context, threadId }, { counted: true, resumedAt: from }) };
  }

  /**
   * Goes on with the episodes a crash interrupted (PERSISTENT mode), oldest first and at most
   * `episodes` of them, each from its last checkpoint; `train` does this before it starts new
   * episodes. Returns what they did (an episode whose environment cannot capture its episode
   * is dropped with a warning instead, and not returned).
   */
  async resume({ episodes = Infinity }: { episodes?: number } = {}): Promise<EpisodeResult[]> {
    const results: EpisodeResult[] = [];
    while (results.length < episodes) {
      const next = await this.resumeNext();
      if (next === undefined) break;
      if (next.result !== undefined) results.push(next.result);
    }
    return results;
  }

  /**
   * Runs one episode.
   *
   * @param options - the goal (the config's or the environment's description by default),
   *   the task handed to the environment's `reset`, and its type (for baselines).
   */
  async run(options: { goal?: string; task?: unknown; taskType?: string } = {}): Promise<EpisodeResult> {
    const begun = await this.runner.begin(options, this.setting({ rng: this.rng, learning: this.learning, explore: true }));
    return this.complete(await this.runner.invoke(begun), { counted: true });
  }

  /**
   * Runs one episode, yielding an event as each node of the graph finishes (LangGraph's
   * `updates` stream, with its `values` stream for the state after each step); the last event
   * is `finish`.
   */
  async *stream(options: { goal?: string; task?: unknown; taskType?: string } = {}): AsyncGenerator<StepEvent, EpisodeResult> {
    const begun = await this.runner.begin(options, this.setting({ rng: this.rng, learning: this.learning, explore: true }));
    return this.complete(yield* this.runner.stream(begun), { counted: true });
  }

  /**
   * Measures what has been learned without changing it: each task runs as an episode with
   * learning off and actors choosing their best-valued action (no exploration). Returns the
   * share of successes and the results.
   */
  async evaluate({ tasks }: { tasks: ReadonlyArray<{ goal?: string; task?: unknown; taskType?: string }> }): Promise<{ successRate: number; results: EpisodeResult[] }> {
    // Its own generator from the seed: the same tasks evaluate the same way every time, and
    // the training stream is left where it was.
    const rng = new Rng(this.config.seed);
    const results: EpisodeResult[] = [];
    for (const [index, task] of tasks.entries()) {
      const begun = await this.runner.begin(task, { ...this.setting({ rng, learning: false, explore: false }), threadId: evaluationThreadId(this.episodeCount, index), checkpointed: false });
      results.push(await this.complete(await this.runner.invoke(begun), { counted: false }));
    }
    return { successRate: results.length === 0 ? 0 : results.filter((result) => result.success).length / results.length, results };
  }

  /**
   * Runs many episodes. In PERSISTENT mode it saves every `training.saveEvery` episodes and at the end,
   * and the episodes a crash interrupted go on first (see `resume`), counted among `episodes`.
   *
   * With `concurrency` above 1, that many episodes run at once, each in its own environment
   * instance (the config or a factory makes them) with its own generator and todo state. They
   * read the learned state as it was when they began and change nothing until, all done,
   * their learning is applied one at a time in episode order: the result does not depend on
   * how they interleave, and equals learning the same episodes one after another. A seed
   * reproduces a run at any concurrency.
   *
   * @param options - how many episodes (the config's by default), how many at once (1), and a callback after each.
   * @throws JottyError `invalid_argument` for a count that is not a positive whole number, or
   *   a concurrency above 1 without a way to make environments.
   */
  async train({
    episodes = this.config.training.episodes,
    concurrency = 1,
    onEpisode,
    goal,
  }: { episodes?: number; concurrency?: number; onEpisode?: (result: EpisodeResult) => void | Promise<void>; goal?: string } = {}): Promise<EpisodeResult[]> {
    for (const [name, value] of [["episodes", episodes], ["concurrency", concurrency]] as const) {
      if (!Number.isInteger(value) || value < 1) throw new JottyError({ code: "invalid_argument", message: `train needs a positive whole number of ${name}, got ${value}.` });
    }
    if (concurrency > 1 && this.makeEnvironment === undefined) {
      throw new JottyError({ code: "invalid_argument", message: "train({ concurrency }) runs an environment instance per episode: pass Conductor.create an environment factory (() => new MyEnvironment()) instead of one instance." });
    }
    const results: EpisodeResult[] = [];
    const request = goal === undefined ? {} : { goal };
    await this.runner.open();
    for (let done = 0; done < episodes; ) {
      // Episodes a crash interrupted go on first, one at a time.
      const resumed = this.runner.pending > 0 ? await this.resumeNext() : undefined;
      if (resumed?.result === undefined && resumed !== undefined) continue;
      const wave =
        resumed?.result !== undefined ? [resumed.result] : concurrency === 1 ? [await this.run(request)] : await this.runWave(request, Math.min(concurrency, episodes - done));
      for (const result of wave) {
        results.push(result);
        await onEpisode?.(result);
        await this.autosave();
      }
      done += wave.length;
    }
    if (this.config.learningMode === "persistent" && this.unsaved > 0) await this.save();
    return results;
  }

  /** Runs `size` episodes at once on the learned state as it is, then commits their learning in episode order. */
  private async runWave(request: EpisodeRequest, size: number): Promise<EpisodeResult[]> {
    const rngs = Array.from({ length: size }, () => this.rng.fork());
    const ran = await this.runner.concurrently(request, { first: this.episodeCount, rngs, learning: this.learning, todos: () => this.todos.fork() });
    const results: EpisodeResult[] = [];
    for (const episode of ran) results.push(await this.complete(episode, { counted: true }));
    return results;
  }

  /** How a training or evaluation episode of this team runs, in its own todo list. */
  private setting(options: { rng: Rng; learning: boolean; explore: boolean }) {
    return { ...options, episode: this.episodeCount, environment: this.environment, todos: this.todos.fork(), deferred: false };
  }

  /**
   * Saves when `training.saveEvery` learning episodes are unsaved (PERSISTENT mode), so a run
   * killed at any moment loses at most the episodes since its last save. Returns the run, or
   * null when it did not save.
   */
  async autosave(): Promise<string | null> {
    return this.config.learningMode === "persistent" && this.unsaved >= this.config.training.saveEvery ? this.save() : null;
  }

  /** Learning episodes run since the last save (PERSISTENT mode). */
  get unsavedEpisodes(): number {
    return this.unsaved;
  }

  /** The whole learned state: the Vault's input. */
  snapshot(): JottyState {
    return learnedStateOf({ ...this.services, summary: this.summary, dormant: this.dormant, episodes: this.learnedEpisodes });
  }

  /**
   * Saves the learned state as a new run (PERSISTENT mode) and returns its name; in the other
   * modes nothing is written and it returns null.
   */
  async save(): Promise<string | null> {
    if (this.vault === undefined || this.config.learningMode !== "persistent") return null;
    if (this.closed) {
      throw new JottyError({
        code: "invalid_argument",
        message: "This Conductor is closed: it saved what it had learned and gave the output folder back to other writers. Create a new Conductor to learn more.",
      });
    }
    const state = this.snapshot();
    state.summary = { ...state.summary, metrics: await this.metrics() };
    checkLearnedState(state);
    // The changes since the last save go into the audit log with the save that persists them;
    // a save that fails keeps them for the next one.
    const audit = this.changes.audit();
    const run = await this.vault.save(state, { audit, base: this.lastRun });
    this.changes.clear();
    this.lastRun = run;
    this.unsaved = 0;
    this.summary = [];
    return run;
  }

  /**
   * How the learned state is used and how big it is: latency percentiles of retrieve, store,
   * predict, save and load; memories per level and owner; Q entries and lessons; model calls,
   * tokens and cost per execution mode; cache hit rates; size on disk and growth per run.
   */
  async metrics(): Promise<ConductorMetrics> {
    const memories = [this.sharedMemory, ...this.localMemories.values()];
    return collectMetrics({ ...this.services, memories, embedder: this.embedder, telemetry: this.telemetry, vault: this.vault, retracted: this.retracted.length });
  }

  /**
   * Saves what is unsaved (PERSISTENT mode) and ends the run: the checkpoint folder, the
   * environment it built and the output folder's writer lease are given back. When the save
   * fails, nothing is given back and the error is thrown: close again to retry. Once closed, the
   * Conductor saves no more.
   */
  async close(): Promise<void> {
    // Episodes run after closing cannot be saved any more: saying so beats dropping them quietly.
    if (this.closed) {
      if (this.unsaved > 0) await this.save();
      return;
    }
    // A save that fails keeps the lease: calling close again retries it, still the folder's only writer.
    if (this.unsaved > 0) await this.save();
    this.closed = true;
    await this.runner.close({ owned: this.ownsEnvironment });
    await this.releaseWriter?.();
  }

  /** Counts of what has been learned. */
  stats(): TeamStats {
    return collectStats({ ...this.services, episodes: this.episodeCount });
  }
}
