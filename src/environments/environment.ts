import { z } from "zod";
import { issueList, JottyError, type JsonValue } from "../errors/index.js";
import { Rng, type RngState } from "../util/index.js";

/** A value or a promise of it: environments backed by tools or databases may be async. */
export type MaybePromise<T> = T | Promise<T>;

/** Structured facts about a state, for metrics and debugging (never needed to act). */
export type EnvironmentInfo = Record<string, JsonValue>;

/** What an episode starts with. */
export interface EnvironmentReset {
  /** The situation in plain words; distinct situations have distinct texts. */
  observation: string;
  /** The candidate actions, in plain words. */
  actions: string[];
  /** Structured facts about the state. */
  info: EnvironmentInfo;
}

/** What one action leads to. */
export interface EnvironmentStep extends EnvironmentReset {
  /** Reward for the action just taken. */
  reward: number;
  /** Whether the episode is over (then `actions` is empty). */
  done: boolean;
}

/** What `reset` may be told about the episode to run. */
export interface ResetOptions {
  /** The task of this episode, for environments that hold many (a question, a target…). */
  task?: unknown;
}

/**
 * The contract every environment meets: text in, text out.
 *
 * `reset(rng, { task })` starts an episode and keeps `rng` for the episode's randomness;
 * `step(action)` takes one of the current candidate actions. On the step that ends an
 * episode, `info.success` (a boolean) says whether the task was accomplished.
 */
export interface Environment {
  /** Registered name, such as `cliff-walking`. */
  readonly name: string;
  /** The task in plain words, for prompts and reports. */
  readonly description: string;
  /** Starts a new episode, of the given task when the environment holds several. */
  reset(rng: Rng, options?: ResetOptions): MaybePromise<EnvironmentReset>;
  /**
   * Takes one action.
   *
   * @throws JottyError `invalid_action` when the action is not a current candidate,
   *   `environment_not_ready` before `reset`, `episode_done` after the episode ended.
   */
  step(action: string): MaybePromise<EnvironmentStep>;
  /**
   * The action the environment's answer key takes now, never shown to actors: for references
   * such as a supervised nearest-neighbour classifier. Undefined where it has no answer key.
   */
  goldAction?(): string | undefined;
  /**
   * The running episode's state, plain JSON, so that an episode a crash interrupted can go on
   * where it was (a Conductor checkpoints it after every step). Undefined when this
   * environment cannot capture its episode; such an episode restarts after a crash.
   */
  snapshotEpisode?(): JsonValue | undefined;
  /**
   * Puts back an episode {@link Environment.snapshotEpisode} captured: the next `step` goes on
   * from there.
   *
   * @throws JottyError `snapshot_invalid` for something it did not write.
   */
  restoreEpisode?(snapshot: JsonValue): MaybePromise<void>;
  /** Frees what the environment holds (a worker, a connection); a Conductor calls it on close for an environment it built. */
  close?(): MaybePromise<void>;
}

function normaliseAction(action: string): string {
  return action.trim().replace(/\s+/g, " ").toLowerCase();
}

/** What {@link TextEnvironment.snapshotEpisode} writes. */
const EpisodeSnapshotSchema = z.strictObject({
  candidates: z.array(z.string()),
  running: z.boolean(),
  rng: z.tuple([z.int(), z.int(), z.int(), z.int()]),
  dynamics: z.json(),
});

/**
 * The base of the built-in environments: it checks that an episode is running and
 * that the action is a current candidate (compared without case or extra spaces),
 * so subclasses only describe their dynamics.
 */
export abstract class TextEnvironment implements Environment {
  abstract readonly name: string;
  abstract readonly description: string;
  private candidates: string[] = [];
  private running = false;
  private episodeRng: Rng | undefined;

  /** The rng the current episode was reset with. */
  protected get rng(): Rng {
    if (this.episodeRng === undefined) throw this.notReady();
    return this.episodeRng;
  }

  /** Starts the dynamics of a new episode. */
  protected abstract begin(options: ResetOptions): EnvironmentReset;

  /** Applies a candidate action (already matched to its canonical text). */
  protected abstract transition(action: string): EnvironmentStep;

  /**
   * The state of the running episode's dynamics, plain JSON (a position, a step count…).
   * Undefined, the default, says the subclass cannot capture it: its episodes then restart
   * after a crash instead of going on.
   */
  protected episodeState(): JsonValue | undefined {
    return undefined;
  }

  /** Puts back what {@link TextEnvironment.episodeState} returned. */
  protected restoreEpisodeState(_state: JsonValue): void {
    throw new JottyError({ code: "snapshot_invalid", message: `The ${this.name} environment cannot restore an episode: it does not capture one (episodeState).` });
  }

  snapshotEpisode(): JsonValue | undefined {
    if (this.episodeRng === undefined) return undefined;
    const dynamics = this.episodeState();
    if (dynamics === undefined) return undefined;
    return { candidates: [...this.candidates], running: this.running, rng: [...this.episodeRng.state()], dynamics };
  }

  restoreEpisode(snapshot: JsonValue): void {
    const parsed = EpisodeSnapshotSchema.safeParse(snapshot);
    if (!parsed.success) {
      throw new JottyError({ code: "snapshot_invalid", message: `Not an episode of the ${this.name} environment; pass what snapshotEpisode() returned.`, details: { problems: issueList(parsed.error) } });
    }
    this.restoreEpisodeState(parsed.data.dynamics as JsonValue);
    this.episodeRng = Rng.fromState(parsed.data.rng as RngState);
    this.candidates = parsed.data.candidates;
    this.running = parsed.data.running;
  }

  reset(rng: Rng, options: ResetOptions = {}): EnvironmentReset {
    this.episodeRng = rng;
    const start = this.begin(options);
    this.candidates = start.actions;
    this.running = true;
    return start;
  }

  step(action: string): EnvironmentStep {
    if (this.episodeRng === undefined) throw this.notReady();
    if (!this.running) {
      throw new JottyError({
        code: "episode_done",
        message: `The ${this.name} episode is over; call reset(rng) to start a new one before stepping.`,
        details: { environment: this.name },
      });
    }
    const wanted = normaliseAction(String(action));
    const match = this.candidates.find((candidate) => normaliseAction(candidate) === wanted);
    if (match === undefined) {
      throw new JottyError({
        code: "invalid_action",
        message: `"${String(action)}" is not an action of ${this.name} here; choose one of: ${this.candidates.map((candidate) => `"${candidate}"`).join(", ")}.`,
        details: { environment: this.name, action: String(action), candidates: [...this.candidates] },
      });
    }
    const result = this.transition(match);
    this.candidates = result.done ? [] : result.actions;
    this.running = !result.done;
    return result;
  }

  private notReady(): JottyError {
    return new JottyError({
      code: "environment_not_ready",
      message: `The ${this.name} environment has no episode yet; call reset(rng) before step(action).`,
      details: { environment: this.name },
    });
  }
}

/**
 * The whole numbers a built-in environment's episode state holds, checked.
 *
 * @throws JottyError `snapshot_invalid` when one is missing or not a whole number.
 */
export function episodeCounts<Key extends string>(state: JsonValue, keys: readonly Key[], environment: string): Record<Key, number> {
  const parsed = z.record(z.string(), z.int()).safeParse(state);
  const missing = keys.filter((key) => !parsed.success || parsed.data[key] === undefined);
  if (!parsed.success || missing.length > 0) {
    throw new JottyError({ code: "snapshot_invalid", message: `Not an episode of the ${environment} environment: ${missing.join(", ") || "its counts"} should be whole numbers; pass what snapshotEpisode() returned.` });
  }
  return parsed.data as Record<Key, number>;
}

/**
 * Validates an environment's options against its schema, filling defaults.
 *
 * @throws JottyError `invalid_argument` naming every bad option.
 */
export function parseEnvironmentOptions<Schema extends z.ZodType>(
  schema: Schema,
  options: unknown,
  environment: string,
): z.output<Schema> {
  const parsed = schema.safeParse(options ?? {});
  if (parsed.success) return parsed.data;
  const problems = issueList(parsed.error, { root: "(options)" });
  throw new JottyError({
    code: "invalid_argument",
    message: `Invalid options for environment "${environment}": ${problems.join("; ")}.`,
    details: { environment, problems },
  });
}
