import type { Environment } from "../environments/index.js";
import type { Rng } from "../util/index.js";
import type { EpisodeContext, EpisodeServices } from "./episode-context.js";
import { episodeInput, type EpisodeRequest, type Update } from "./episode-state.js";
import type { TodoList } from "./todo-list.js";

/** How one episode runs: its generator, environment instance and todo list, and whether it learns, explores, defers. */
export interface EpisodeSetting {
  rng: Rng;
  learning: boolean;
  explore: boolean;
  episode: number;
  environment: Environment;
  todos: TodoList;
  deferred: boolean;
  /** The episode's LangGraph thread. */
  threadId: string;
  /** Checkpoints are kept (PERSISTENT mode): each step is on disk before the next runs. */
  checkpointed: boolean;
}

/** The graph invocation config of an episode: its thread, its recursion limit, its context. */
export function invocationOf({ services, threadId, checkpointed, context }: { services: EpisodeServices; threadId: string; checkpointed: boolean; context: EpisodeContext }) {
  return {
    recursionLimit: services.config.training.maxStepsPerEpisode * 5 + 20,
    configurable: { thread_id: threadId },
    context: { episode: context },
    // "sync": a crash loses no finished step, so a resumed episode goes on from the last one.
    ...(checkpointed ? { durability: "sync" as const } : {}),
  };
}

/** A begun episode: the graph's input, and the invocation with its context. */
export interface BegunEpisode {
  input: Update;
  config: ReturnType<typeof invocationOf>;
  context: EpisodeContext;
}

/**
 * Starts an episode: resets its environment (with a fork of its generator) and its todo list,
 * and returns the graph's input and the invocation with the episode's context.
 */
export async function beginEpisode(services: EpisodeServices, request: EpisodeRequest, setting: EpisodeSetting): Promise<BegunEpisode> {
  const { rng, environment, todos } = setting;
  const start = await environment.reset(rng.fork(), request.task === undefined ? {} : { task: request.task });
  todos.reset();
  const context: EpisodeContext = { services, rng, learning: setting.learning, explore: setting.explore, checkpointed: setting.checkpointed, environment, todos, deferred: setting.deferred, experienceId: "" };
  const input = episodeInput({
    episode: setting.episode,
    goal: request.goal ?? services.config.conductor.goal ?? environment.description,
    taskType: request.taskType ?? environment.name,
    start,
    rng: rng.state(),
    todoState: todos.snapshot(),
    environmentState: setting.checkpointed ? (environment.snapshotEpisode?.() ?? null) : null,
  });
  return { input, config: invocationOf({ services, threadId: setting.threadId, checkpointed: setting.checkpointed, context }), context };
}
