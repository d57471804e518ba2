import { JottyError } from "../../errors/index.js";
import type { Rng } from "../../util/index.js";

/**
 * Index of the largest value; ties are broken uniformly with `rng` so that
 * equal estimates (all zeros at the start) do not bias towards the first action.
 *
 * @throws JottyError `invalid_argument` on an empty list.
 */
export function greedy({ values, rng }: { values: readonly number[]; rng: Rng }): number {
  if (values.length === 0) {
    throw new JottyError({ code: "invalid_argument", message: "greedy needs at least one value to choose from." });
  }
  let best = -Infinity;
  const ties: number[] = [];
  values.forEach((value, index) => {
    if (value > best) {
      best = value;
      ties.length = 0;
      ties.push(index);
    } else if (value === best) {
      ties.push(index);
    }
  });
  // Every value NaN or -Infinity: any action is as good as another.
  if (ties.length === 0) return rng.int(0, values.length - 1);
  return ties.length === 1 ? (ties[0] as number) : rng.choice(ties);
}
