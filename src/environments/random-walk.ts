import { z } from "zod";
import type { JsonValue } from "../errors/index.js";
import { episodeCounts, parseEnvironmentOptions, TextEnvironment, type EnvironmentReset, type EnvironmentStep } from "./environment.js";

/** Options of {@link RandomWalk}. */
export const RandomWalkOptionsSchema = z
  .strictObject({
  /** Number of non-terminal states. @default 19 */
  states: z.int().min(1).max(10_000).default(19),
  /** Reward for stepping off the left end. @default -1 */
  leftReward: z.number().default(-1),
  /** Reward for stepping off the right end. @default 1 */
  rightReward: z.number().default(1),
  /** Start position (1-based); the middle by default. */
  start: z.int().min(1).optional(),
}).refine((options) => options.start === undefined || options.start <= options.states, {
  path: ["start"],
  message: "must be a position between 1 and `states`",
});

/** Options a user writes for {@link RandomWalk}. */
export type RandomWalkOptions = z.input<typeof RandomWalkOptionsSchema>;

const ACTION = "take a random step";

/**
 * Sutton & Barto's random walk (Example 6.2, 19 states in §7.1 and §12): from the middle,
 * each step goes left or right with equal chance; stepping off an end pays that end's
 * reward and ends the episode. There is one action: the walk is a prediction task.
 */
export class RandomWalk extends TextEnvironment {
  readonly name = "random-walk";
  readonly description: string;
  readonly states: number;
  readonly start: number;
  private readonly leftReward: number;
  private readonly rightReward: number;
  private position = 0;

  /**
   * @param options - see {@link RandomWalkOptionsSchema}. @default {}
   * @throws JottyError `invalid_argument` naming every bad option.
   */
  constructor(input: RandomWalkOptions = {}) {
    super();
    const options = parseEnvironmentOptions(RandomWalkOptionsSchema, input, "random-walk");
    this.states = options.states;
    this.start = options.start ?? Math.ceil(options.states / 2);
    this.leftReward = options.leftReward;
    this.rightReward = options.rightReward;
    this.description = `A random walk over ${this.states} positions in a line: each step moves left or right at random; stepping off the left end pays ${this.leftReward}, off the right end ${this.rightReward}.`;
  }

  /** The observation of a position (1 … states). */
  observationAt(position: number): string {
    return `You are at position ${position} of ${this.states} on a line; stepping off the left end pays ${this.leftReward}, off the right end ${this.rightReward}.`;
  }

  /**
   * The true value of every position without discounting (γ = 1), keyed by its observation:
   * left + (right − left)·p/(n + 1).
   */
  trueValues(): Map<string, number> {
    const values = new Map<string, number>();
    for (let position = 1; position <= this.states; position += 1) {
      values.set(
        this.observationAt(position),
        this.leftReward + ((this.rightReward - this.leftReward) * position) / (this.states + 1),
      );
    }
    return values;
  }

  protected begin(): EnvironmentReset {
    this.position = this.start;
    return { observation: this.observationAt(this.position), actions: [ACTION], info: { position: this.position } };
  }

  protected override episodeState(): JsonValue {
    return { position: this.position };
  }

  protected override restoreEpisodeState(state: JsonValue): void {
    this.position = episodeCounts(state, ["position"], this.name).position as number;
  }

  protected transition(): EnvironmentStep {
    this.position += this.rng.next() < 0.5 ? -1 : 1;
    if (this.position < 1 || this.position > this.states) {
      const side = this.position < 1 ? "left" : "right";
      return {
        observation: `You stepped off the ${side} end of the line.`,
        reward: side === "left" ? this.leftReward : this.rightReward,
        done: true,
        actions: [],
        // Success is leaving by the end that pays more.
        info: { position: this.position, terminal: side, success: (side === "right") === this.rightReward >= this.leftReward },
      };
    }
    return {
      observation: this.observationAt(this.position),
      reward: 0,
      done: false,
      actions: [ACTION],
      info: { position: this.position },
    };
  }
}
