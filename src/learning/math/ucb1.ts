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
 * UCB1: an untried action first (the best valued of them, ties at random), else argmax Q(a) + c·√(ln N / n(a)).
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
  if (untried.length > 0) {
    // Untried actions first, the best valued of them (a prior orders them; ties at random).
    const best = Math.max(...untried.map((index) => values[index] ?? -Infinity));
    return rng.choice(untried.filter((index) => values[index] === best));
  }
  const total = counts.reduce((sum, count) => sum + count, 0);
  // Counts may be similarity-weighted visits below 1 in all: no bonus is then negative.
  const logTotal = Math.max(0, Math.log(total));
  const scores = values.map((value, index) => value + c * Math.sqrt(logTotal / (counts[index] ?? 1)));
  return greedy({ values: scores, rng });
}
