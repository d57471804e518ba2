import type { BaseChatModel } from "@langchain/core/language_models/chat_models";
import type { JottyConfig } from "../config/index.js";
import type { Environment } from "../environments/index.js";
import { Conductor, type ConductorMetrics, type EpisodeResult } from "../orchestration/index.js";
import { Rng } from "../util/index.js";

/** An episode to run: a goal and the task handed to the environment. */
export interface EpisodeSpec {
  goal?: string;
  task?: unknown;
  taskType?: string;
}

/** What one run of `jotty train` did. */
export interface RunReport {
  run: number;
  mode: JottyConfig["learningMode"];
  loadedFrom: string | null;
  /** Memories and Q entries the run started with. */
  loaded: { memories: number; qEntries: number };
  episodes: number;
  successRate: number;
  /** Held-out success before the run trained (when measured) and after. */
  heldOutAtStart?: number;
  heldOutSuccessRate: number;
  avgSteps: number;
  /** Model calls of the training episodes. */
  llmCalls: number;
  /** Model calls of the held-out evaluation, counted apart. */
  evaluationLlmCalls: number;
  /** Model calls of the learning loops (summaries, reflections) during the run, counted apart. */
  learningLlmCalls: number;
  memories: Record<string, number>;
  qEntries: number;
  savedTo: string | null;
  /** Success (1) or not (0) of each training episode, in order. */
  curve: number[];
  /** Held-out success after every `evaluateEvery` training episodes of the run (and at its end), when asked for. */
  heldOutCurve?: Array<{ episode: number; successRate: number }>;
  /** The run's metrics (latency, counts, model use, cache hit rates, size on disk) after it saved. */
  metrics: ConductorMetrics;
}

interface TaskEnvironment {
  tasks(split: "train" | "heldOut"): Array<{ question: string; template?: string }>;
}

function hasTasks(environment: Environment): environment is Environment & TaskEnvironment {
  return typeof (environment as Partial<TaskEnvironment>).tasks === "function";
}

/**
 * Training and evaluation episodes for an environment: its task lists when it has them (a
 * question as each episode's goal), else plain episodes.
 */
export function episodeSpecs(environment: Environment, heldOutLimit: number): { train: EpisodeSpec[] | undefined; heldOut: EpisodeSpec[] } {
  if (!hasTasks(environment)) return { train: undefined, heldOut: Array.from({ length: Math.min(heldOutLimit, 20) }, () => ({})) };
  const spec = (task: { question: string; template?: string }): EpisodeSpec => ({ goal: task.question, task, taskType: task.template ?? "task" });
  const heldOut = environment.tasks("heldOut");
  // An even spread over the held-out tasks when there are more than the limit.
  const step = Math.max(1, Math.floor(heldOut.length / heldOutLimit));
  return {
    train: environment.tasks("train").map(spec),
    heldOut: heldOut.filter((_, index) => index % step === 0).slice(0, heldOutLimit).map(spec),
  };
}

/** Memories per level, the shared memory's and every actor's together. */
function memoriesByLevel(conductor: Conductor): Record<string, number> {
  const { shared, local } = conductor.stats().memories;
  const memories: Record<string, number> = { ...shared };
  for (const counts of Object.values(local)) {
    for (const [level, count] of Object.entries(counts)) memories[level] = (memories[level] ?? 0) + count;
  }
  return memories;
}

/**
 * One run: a Conductor for the config (loading learned state as its mode says), `episodes`
 * training episodes on tasks drawn with the run's seed, a held-out evaluation, and a save
 * (PERSISTENT mode).
 */
export async function trainRun({
  config,
  run,
  episodes,
  heldOutLimit = 42,
  measureStart = false,
  evaluateEvery,
  onStart,
  onEpisode,
  onSave,
  onWarning,
  signal,
  llm,
}: {
  config: JottyConfig;
  /** The chat model of the LLM actors instead of the one `config.llm` describes. */
  llm?: BaseChatModel;
  run: number;
  episodes: number;
  heldOutLimit?: number;
  measureStart?: boolean;
  /** Evaluate the held-out tasks after every this many training episodes too (evaluation learns nothing). */
  evaluateEvery?: number;
  onStart?: (info: { loadedFrom: string | null; memories: number; qEntries: number }) => void;
  onEpisode?: (result: EpisodeResult, index: number) => void;
  /** After each save: the run it wrote, the episodes of this run so far and the episodes learned in all. */
  onSave?: (info: { run: string; episodes: number; learned: number }) => void;
  /** Told what the Vault and the Conductor handled (see `ConductorOptions.onWarning`). */
  onWarning?: (warning: string) => void;
  /** Aborting stops the run after the current episode; what was learned is saved and evaluated. */
  signal?: AbortSignal;
}): Promise<RunReport> {
  const conductor = await Conductor.create({ config, ...(onWarning === undefined ? {} : { onWarning }), ...(llm === undefined ? {} : { llm }) });
  const results: EpisodeResult[] = [];
  try {
    const loaded = { memories: Object.values(memoriesByLevel(conductor)).reduce((total, count) => total + count, 0), qEntries: conductor.stats().qEntries };
    onStart?.({ loadedFrom: conductor.loadedFrom, ...loaded });
    const specs = episodeSpecs(conductor.environment, heldOutLimit);
    const heldOutAtStart = measureStart ? (await conductor.evaluate({ tasks: specs.heldOut })).successRate : undefined;
    // Continue the task stream where the loaded state left it, so a second process does not replay the first's tasks.
    const rng = new Rng(config.seed + (conductor.episodes + run) * 7919);
    let savedTo: string | null = null;
    const heldOutCurve = evaluateEvery === undefined ? undefined : ([] as NonNullable<RunReport["heldOutCurve"]>);
    for (let index = 0; index < episodes && signal?.aborted !== true; index += 1) {
      // An episode a crash interrupted goes on first (PERSISTENT mode), counted among `episodes`.
      const [resumed] = await conductor.resume({ episodes: 1 });
      const result = resumed ?? (await conductor.run(specs.train === undefined ? {} : rng.choice(specs.train)));
      results.push(result);
      onEpisode?.(result, index);
      if (heldOutCurve !== undefined && evaluateEvery !== undefined && (index + 1) % evaluateEvery === 0 && index + 1 < episodes) {
        heldOutCurve.push({ episode: index + 1, successRate: (await conductor.evaluate({ tasks: specs.heldOut })).successRate });
      }
      // Every training.saveEvery episodes: a run killed at any moment loses at most the episodes since.
      const saved = await conductor.autosave();
      if (saved !== null) {
        savedTo = saved;
        onSave?.({ run: saved, episodes: index + 1, learned: conductor.episodes });
      }
    }
    // Saved before the held-out evaluation, which learns nothing and can take a while.
    if (conductor.unsavedEpisodes > 0 || savedTo === null) {
      const saved = await conductor.save();
      if (saved !== null) {
        savedTo = saved;
        onSave?.({ run: saved, episodes: results.length, learned: conductor.episodes });
      }
    }
    const evaluation = await conductor.evaluate({ tasks: specs.heldOut });
    const heldOut = evaluation.successRate;
    const evaluationLlmCalls = evaluation.results.reduce((total, result) => total + result.llmCalls, 0);
    heldOutCurve?.push({ episode: results.length, successRate: heldOut });
    const built = {
      ...report(conductor, { run, mode: config.learningMode, loaded, results, heldOutAtStart, heldOut, evaluationLlmCalls, savedTo, metrics: await conductor.metrics() }),
      ...(heldOutCurve === undefined ? {} : { heldOutCurve }),
    };
    await conductor.close();
    return built;
  } catch (error) {
    // Keep the episodes that finished before the failure; the failure itself is what the caller sees.
    await conductor.close().catch((closing: unknown) => onWarning?.(`could not save after the failure: ${closing instanceof Error ? closing.message : String(closing)}`));
    throw error;
  }
}

function report(
  conductor: Conductor,
  {
    run,
    mode,
    loaded,
    results,
    heldOutAtStart,
    heldOut,
    evaluationLlmCalls,
    savedTo,
    metrics,
  }: {
    run: number;
    mode: JottyConfig["learningMode"];
    loaded: RunReport["loaded"];
    results: EpisodeResult[];
    heldOutAtStart: number | undefined;
    heldOut: number;
    evaluationLlmCalls: number;
    savedTo: string | null;
    metrics: ConductorMetrics;
  },
): RunReport {
  const memories = memoriesByLevel(conductor);
  return {
    run,
    mode,
    loadedFrom: conductor.loadedFrom,
    loaded,
    episodes: results.length,
    successRate: results.filter((result) => result.success).length / Math.max(1, results.length),
    ...(heldOutAtStart === undefined ? {} : { heldOutAtStart }),
    heldOutSuccessRate: heldOut,
    avgSteps: results.reduce((total, result) => total + result.steps, 0) / Math.max(1, results.length),
    llmCalls: results.reduce((total, result) => total + result.llmCalls, 0),
    evaluationLlmCalls,
    learningLlmCalls: metrics.llm.learning.calls,
    memories,
    qEntries: conductor.stats().qEntries,
    savedTo,
    curve: results.map((result) => (result.success ? 1 : 0)),
    metrics,
  };
}
