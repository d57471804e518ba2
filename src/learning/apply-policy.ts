import type { z } from "zod";
import { PolicySchema } from "../config/index.js";
import type { Rng } from "../util/index.js";
import { epsilonAt, epsilonGreedy, softmax, ucb1, type EpsilonSchedule } from "./math/index.js";

/** How actions are chosen (the config's `qPredictor.policy`). */
export type Policy = z.input<typeof PolicySchema>;

type Parsed<Kind extends Policy["kind"]> = Extract<z.output<typeof PolicySchema>, { kind: Kind }>;

/** The defaults of the policies' settings, read from the schema once. */
const SOFTMAX = PolicySchema.parse({ kind: "softmax" }) as Parsed<"softmax">;
const UCB1 = PolicySchema.parse({ kind: "ucb1" }) as Parsed<"ucb1">;

/** Options of {@link applyPolicy}. */
export interface ApplyPolicyOptions {
  policy: Policy;
  /** The value of each candidate action. */
  values: readonly number[];
  /** How many times each candidate was taken in the state; asked only by UCB1. */
  counts: () => readonly number[];
  /** ε schedule of ε-greedy when the policy fixes no ε. */
  schedule: EpsilonSchedule;
  /** Episodes completed: where the ε schedule and UCB1's decay stand. */
  episode: number;
  rng: Rng;
}

/**
 * The index of the action a policy picks: greedy, ε-greedy (ε from the schedule at `episode`
 * unless the policy fixes one), softmax or UCB1 (c·decay^episode), with the schema's
 * temperature, c and decay where the policy gives none.
 */
export function applyPolicy({ policy, values, counts, schedule, episode, rng }: ApplyPolicyOptions): number {
  switch (policy.kind) {
    case "greedy":
      return epsilonGreedy({ values, epsilon: 0, rng });
    case "epsilon-greedy":
      return epsilonGreedy({ values, epsilon: policy.epsilon ?? epsilonAt(schedule, episode), rng });
    case "softmax":
      return softmax({ values, temperature: policy.temperature ?? SOFTMAX.temperature, rng });
    case "ucb1":
      return ucb1({ values, counts: counts(), c: (policy.c ?? UCB1.c) * (policy.decay ?? UCB1.decay) ** episode, rng });
  }
}
