import { JottyError } from "../../errors/index.js";
import type { Rng } from "../../util/index.js";
import { greedy } from "./greedy.js";

/**
 * ε-greedy selection: with probability ε a uniformly random action, else a greedy one
 * (ties broken at random).
 *
 * @returns the index of the chosen action.
 * @throws JottyError `invalid_argument` on an empty list or ε outside [0, 1].
 */
export function epsilonGreedy({ values, epsilon, rng }: { values: readonly number[]; epsilon: number; rng: Rng }): number {
  if (!(epsilon >= 0 && epsilon <= 1)) {
    throw new JottyError({ code: "invalid_argument", message: `ε must lie in [0, 1], got ${epsilon}.`, details: { epsilon } });
  }
  if (values.length === 0) {
    throw new JottyError({ code: "invalid_argument", message: "epsilonGreedy needs at least one action value." });
  }
  if (epsilon > 0 && rng.next() < epsilon) return rng.int(0, values.length - 1);
  return greedy({ values, rng });
}
