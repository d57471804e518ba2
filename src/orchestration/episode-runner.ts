import type { Environment } from "../environments/index.js";
import type { JottyMemoryStore } from "../memory/index.js";
import type { Vault, VaultCheckpointer } from "../persistence/index.js";
import type { Rng } from "../util/index.js";
import { beginEpisode, type BegunEpisode, type EpisodeSetting } from "./begin-episode.js";
import { commitEpisode } from "./commit-episode.js";
import type { EpisodeContext, EpisodeServices } from "./episode-context.js";
import { episodeThreadId, openEpisodeCheckpoints } from "./episode-checkpoints.js";
import { buildEpisodeGraph, type EpisodeGraph } from "./episode-graph.js";
import { stepEvent, type EpisodeRequest, type State, type StepEvent } from "./episode-state.js";
import { resumeEpisode, type Resumption } from "./resume-episode.js";
import type { TodoList } from "./todo-list.js";

/** An episode the graph ran to its end: its final state, its context and its thread. */
export interface RanEpisode {
  final: State;
  context: EpisodeContext;
  threadId: string;
}

/**
 * Runs the Conductor's episodes on the episode graph: one at a time, many at once, or going
 * on with those a crash interrupted. In PERSISTENT mode it owns the graph's checkpoints: every
 * step is checkpointed under the episode's stable thread id, the checkpoints of a finished
 * episode are pruned, and those of a process that stopped are taken over to be resumed.
 */
export class EpisodeRunner {
  /** The compiled episode graph (with the checkpointer once checkpoints are open). */
  graph: EpisodeGraph;
  /** The graph without a checkpointer, for episodes nothing resumes (evaluation). */
  private readonly plain: EpisodeGraph;
  private checkpointer: VaultCheckpointer | undefined;
  /** Threads of training episodes a crash interrupted, oldest first. */
  private interrupted: string[] = [];
  /** Environment instances for the episodes that run alongside the first. */
  private readonly spare: Environment[] = [];

  constructor(
    private readonly services: EpisodeServices,
    private readonly options: {
      store: JottyMemoryStore;
      /** Where checkpoints are kept; none outside PERSISTENT mode. */
      vault: Vault | undefined;
      makeEnvironment: (() => Environment) | undefined;
      onWarning: ((warning: string) => void) | undefined;
    },
  ) {
    this.plain = buildEpisodeGraph({ maxSteps: services.config.training.maxStepsPerEpisode, store: options.store });
    this.graph = this.plain;
  }

  /** Opens the checkpoints (once, with a Vault), taking over those of processes that stopped. */
  async open(): Promise<void> {
    const { vault, onWarning, store } = this.options;
    if (vault === undefined || this.checkpointer !== undefined) return;
    const { checkpointer, interrupted } = await openEpisodeCheckpoints({ vault, onWarning });
    this.checkpointer = checkpointer;
    this.interrupted = interrupted;
    this.graph = buildEpisodeGraph({ maxSteps: this.services.config.training.maxStepsPerEpisode, checkpointer, store });
  }

  /** The graph an episode runs on: the checkpointed one when its checkpoints are kept. */
  private graphOf(context: EpisodeContext): EpisodeGraph {
    return context.checkpointed ? this.graph : this.plain;
  }

  /** Episodes a crash interrupted that are still to go on with. */
  get pending(): number {
    return this.interrupted.length;
  }

  /**
   * Starts an episode: the graph's input and the invocation with its context (its thread is
   * the episode's own unless named). An interrupted episode still waiting under that thread
   * (one started without `resume` first) is dropped, with a warning: a new episode on its
   * thread would run on from its state. `checkpointed: false` runs it without checkpoints
   * (evaluation: nothing resumes it, so it writes nothing to disk).
   */
  async begin(request: EpisodeRequest, setting: Omit<EpisodeSetting, "threadId" | "checkpointed"> & { threadId?: string; checkpointed?: boolean }): Promise<BegunEpisode> {
    await this.open();
    const threadId = setting.threadId ?? episodeThreadId(setting.episode);
    if (this.interrupted.includes(threadId)) {
      this.interrupted = this.interrupted.filter((thread) => thread !== threadId);
      await this.prune(threadId);
      this.options.onWarning?.(`dropped the interrupted episode ${setting.episode}: a new episode started on its thread before it was resumed (train and resume() go on with it first)`);
    }
    return beginEpisode(this.services, request, { ...setting, threadId, checkpointed: this.checkpointer !== undefined && setting.checkpointed !== false });
  }

  /** Runs a begun episode to its end. */
  async invoke({ input, config, context }: BegunEpisode): Promise<RanEpisode> {
    const final = (await this.graphOf(context).invoke(input, config)) as State;
    return { final, context, threadId: config.configurable.thread_id };
  }

  /**
   * Runs a begun episode, yielding an event as each node finishes (LangGraph's `updates`
   * stream, with its `values` stream for the state after each step).
   */
  async *stream({ input, config, context }: BegunEpisode): AsyncGenerator<StepEvent, RanEpisode> {
    let state = input as State;
    for await (const [mode, chunk] of await this.graphOf(context).stream(input, { ...config, streamMode: ["updates", "values"] })) {
      if (mode === "values") {
        state = chunk as State;
        continue;
      }
      for (const [node, update] of Object.entries(chunk as Record<string, Partial<State> | null>)) yield stepEvent(node as StepEvent["node"], update ?? {}, state);
    }
    return { final: state, context, threadId: config.configurable.thread_id };
  }

  /**
   * Runs `rngs.length` episodes at once, numbered from `first`, each in its own environment
   * instance. Learning ones defer their changes; once all are done, each commits its journal
   * in episode order, so the result does not depend on how they interleaved.
   */
  async concurrently(request: EpisodeRequest, { first, rngs, learning, todos }: { first: number; rngs: Rng[]; learning: boolean; todos: () => TodoList }): Promise<RanEpisode[]> {
    while (this.spare.length < rngs.length - 1) this.spare.push((this.options.makeEnvironment as () => Environment)());
    const environments = [this.services.environment, ...this.spare];
    const begun = [];
    for (const [slot, rng] of rngs.entries()) {
      begun.push(await this.begin(request, { rng, learning, explore: true, episode: first + slot, environment: environments[slot] as Environment, todos: todos(), deferred: learning }));
    }
    const ran = await Promise.all(begun.map((episode) => this.invoke(episode)));
    for (const { final, context } of ran) if (context.deferred) final.errors = [...final.errors, ...(await commitEpisode({ state: final, context }))];
    return ran;
  }

  /**
   * Goes on with the oldest episode a crash interrupted, from its last checkpoint. Undefined
   * when none is left; one that cannot go on has its checkpoints dropped. Either way
   * `onWarning` is told.
   */
  async resumeNext(todos: TodoList): Promise<{ threadId: string; resumption: Resumption } | undefined> {
    await this.open();
    const threadId = this.interrupted.shift();
    if (threadId === undefined) return undefined;
    const resumption = await resumeEpisode({ graph: this.graph, services: this.services, threadId, environment: this.services.environment, todos });
    if (resumption.resumed) {
      this.options.onWarning?.(`episode ${resumption.final.episode} went on from step ${resumption.from}, where a process that stopped left it`);
    } else {
      await this.prune(threadId);
      this.options.onWarning?.(`episode ${resumption.episode ?? threadId} restarts as a new episode: ${resumption.reason}`);
    }
    return { threadId, resumption };
  }

  /** Drops a finished episode's checkpoints. */
  async prune(threadId: string): Promise<void> {
    await this.checkpointer?.deleteThread(threadId);
  }

  /** Gives the checkpoint folder back, and closes the environments it made when `owned`. */
  async close({ owned }: { owned: boolean }): Promise<void> {
    await this.checkpointer?.close();
    this.checkpointer = undefined;
    if (owned) for (const environment of [this.services.environment, ...this.spare]) await environment.close?.();
  }
}
