import { JottyError } from "../../errors/index.js";
import type { Rng } from "../../util/index.js";
import { greedy } from "./greedy.js";

/** Inputs of {@link ucb1}. */
export interface Ucb1Input {
  /** Estimated value of each action. */
  values: readonly number[];
  /** How many times each action was taken. */
  counts: readonly number[];
  /** Exploration constant c. @default Math.SQRT2 */
  c?: number;
  /** Breaks ties among equal scores. */
  rng: Rng;
}

/**
 * UCB1: an untried action first (at random among them), else argmax Q(a) + c·√(ln N / n(a)).
 *
 * @throws JottyError `invalid_argument` when values and counts differ in length or are empty.
 */
export function ucb1({ values, counts, c = Math.SQRT2, rng }: Ucb1Input): number {
  if (values.length === 0 || values.length !== counts.length) {
    throw new JottyError({
      code: "invalid_argument",
      message: `ucb1 needs one count per value and at least one action, got ${values.length} values and ${counts.length} counts.`,
    });
  }
  const untried = counts.flatMap((count, index) => (count <= 0 ? [index] : []));
  if (untried.length > 0) return rng.choice(untried);
  const total = counts.reduce((sum, count) => sum + count, 0);
  const logTotal = Math.log(total);
  const scores = values.map((value, index) => value + c * Math.sqrt(logTotal / (counts[index] ?? 1)));
  return greedy({ values: scores, rng });
}
