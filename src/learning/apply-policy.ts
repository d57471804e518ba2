import type { z } from "zod";
import type { PolicySchema } from "../config/index.js";
import type { Rng } from "../util/index.js";
import { epsilonAt, epsilonGreedy, softmax, ucb1, type EpsilonSchedule } from "./math/index.js";

/** How actions are chosen (the config's `qPredictor.policy`). */
export type Policy = z.input<typeof PolicySchema>;

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
 * unless the policy fixes one), softmax (temperature 0.5 unless given) or UCB1 (c·decay^episode,
 * c √2 and decay 1 unless given).
 */
export function applyPolicy({ policy, values, counts, schedule, episode, rng }: ApplyPolicyOptions): number {
  switch (policy.kind) {
    case "greedy":
      return epsilonGreedy({ values, epsilon: 0, rng });
    case "epsilon-greedy":
      return epsilonGreedy({ values, epsilon: policy.epsilon ?? epsilonAt(schedule, episode), rng });
    case "softmax":
      return softmax({ values, temperature: policy.temperature ?? 0.5, rng });
    case "ucb1":
      return ucb1({ values, counts: counts(), c: (policy.c ?? Math.SQRT2) * (policy.decay ?? 1) ** episode, rng });
  }
}
