import { z } from "zod";
import { Rng } from "../util/index.js";
import type { JsonValue } from "../errors/index.js";
import { episodeCounts, parseEnvironmentOptions, TextEnvironment, type EnvironmentReset, type EnvironmentStep } from "./environment.js";

/** Options of {@link Bandit}. */
export const BanditOptionsSchema = z
  .strictObject({
    /** Number of arms. @default 10 */
    arms: z.int().min(2).max(1000).default(10),
    /** The arms' true mean rewards; drawn from N(0, 1) with `meansSeed` when absent. */
    means: z.array(z.number().refine(Number.isFinite, "must be finite")).optional(),
    /** Seed of the draw of the means, so the problem is fixed across episodes. @default 0 */
    meansSeed: z.int().min(0).default(0),
    /** Standard deviation of a pull's reward around its arm's mean. @default 1 */
    stdDev: z.number().min(0).default(1),
    /** Pulls per episode. @default 1 */
    horizon: z.int().positive().default(1),
  })
  .superRefine((options, context) => {
    if (options.means !== undefined && options.means.length !== options.arms) {
      context.addIssue({
        code: "custom",
        path: ["means"],
        message: `gives ${options.means.length} means for ${options.arms} arms; give one mean per arm`,
      });
    }
  });

/** Options a user writes for {@link Bandit}. */
export type BanditOptions = z.input<typeof BanditOptionsSchema>;

/**
 * The k-armed bandit testbed (Sutton & Barto §2.3): each arm pays a Gaussian reward around
 * a hidden mean. The means are fixed for the life of the environment, so learning carries
 * across episodes; an episode is `horizon` pulls.
 */
export class Bandit extends TextEnvironment {
  readonly name = "bandit";
  readonly description: string;
  /** The arms' true means, for measuring regret. */
  readonly means: readonly number[];
  /** Index (0-based) of the arm with the highest mean. */
  readonly optimalArm: number;
  private readonly stdDev: number;
  private readonly horizon: number;
  private readonly actions: string[];
  private readonly observation: string;
  private pulls = 0;

  /**
   * @param options - see {@link BanditOptionsSchema}. @default {}
   * @throws JottyError `invalid_argument` naming every bad option.
   */
  constructor(input: BanditOptions = {}) {
    super();
    const options = parseEnvironmentOptions(BanditOptionsSchema, input, "bandit");
    const meansRng = new Rng(options.meansSeed);
    this.means = options.means ?? Array.from({ length: options.arms }, () => meansRng.normal());
    this.optimalArm = this.means.indexOf(Math.max(...this.means));
    this.stdDev = options.stdDev;
    this.horizon = options.horizon;
    this.actions = this.means.map((_, index) => `pull arm ${index + 1}`);
    this.observation = `You face a ${this.means.length}-armed bandit; each pull pays a noisy reward around that arm's hidden mean.`;
    this.description = `Pull the arms of a ${this.means.length}-armed bandit, ${this.horizon} pull${this.horizon === 1 ? "" : "s"} an episode, to earn the most reward.`;
  }

  protected begin(): EnvironmentReset {
    this.pulls = 0;
    return { observation: this.observation, actions: [...this.actions], info: { pullsLeft: this.horizon } };
  }

  protected override episodeState(): JsonValue {
    return { pulls: this.pulls };
  }

  protected override restoreEpisodeState(state: JsonValue): void {
    this.pulls = episodeCounts(state, ["pulls"], this.name).pulls as number;
  }

  protected transition(action: string): EnvironmentStep {
    const arm = this.actions.indexOf(action);
    const mean = this.means[arm] ?? 0;
    const reward = this.rng.normal(mean, this.stdDev);
    this.pulls += 1;
    const done = this.pulls >= this.horizon;
    const best = this.means[this.optimalArm] ?? 0;
    return {
      observation: this.observation,
      reward,
      done,
      actions: done ? [] : [...this.actions],
      info: {
        arm: arm + 1,
        optimalArm: this.optimalArm + 1,
        regret: best - mean,
        pullsLeft: this.horizon - this.pulls,
        // An episode succeeds when its last pull was of the best arm.
        ...(done ? { success: arm === this.optimalArm } : {}),
      },
    };
  }
}
